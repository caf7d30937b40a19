import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { MAX_SERIES_READ, type MetricLabel, type MetricNameInfo, type MetricStore, type StoredMetricPoint, type StoredSeries } from '../../core/contracts/metric-store';
import type { StoreStatus } from '../../core/contracts/store-status';
import { BackendUnavailableError, ValidationError } from '../../core/errors';
import type { MetricKind, MetricPoint, MetricTemporality } from '../../core/metric-point';
import { inLabelOrder, labelValues, seriesLabels } from '../../core/metric-labels';
import { stableStringify } from '../../core/otlp';
import { openClient, selectRows, type ClickHouseConnectionOptions } from './connection';
import { toStoreError } from './errors';
import type { DataDeleter, DeletionOutcome } from '../../core/contracts/data-deletion';
import { dropDaysBefore } from './partition-deletion';
import { metricNamesSql, metricPointsSql, seriesOfSql } from './metric-queries';
import { METRIC_TABLES, metricSchemaFor } from './metric-schema';
import { versionSql } from './queries';
import { isValidIdentifier, qualifiedName, quoteIdentifier } from './quote';
import { parseServerVersion } from './version';

export interface ClickHouseMetricStoreOptions extends ClickHouseConnectionOptions {
  /** Database holding the tables (created when missing); default 'chainscope'. */
  database?: string;
  /** Days of points to keep (TTL where the server has it); default: keep everything. */
  retentionDays?: number;
}

/** Series ids this process remembers as written, so a batch inserts only series rows it has not written before. */
const MAX_KNOWN_SERIES = 50_000;

interface SeriesRow {
  series_id: string;
  kind: MetricKind;
  temporality: MetricTemporality;
  monotonic: number;
  service: string;
  attributes: string;
}

/** JSONEachRow sends 64-bit integers as strings. */
interface PointRow {
  series_id: string;
  time_us: string;
  start_us: string;
  value: number | null;
  count: string;
  bounds: number[];
  bucket_counts: string[];
}

/**
 * MetricStore on ClickHouse 18.16 and later (tables: metric-schema.ts).
 * Writes are idempotent: a series row is keyed by an id derived from the
 * series' identity, a point by (name, series id, time), both in
 * ReplacingMergeTree tables read with GROUP BY / FINAL. Answers are the
 * embedded store's for the same points (test/contract/metric-store.contract.ts).
 */
export class ClickHouseMetricStore implements MetricStore, DataDeleter {
  readonly database: string;
  private client: ClickHouseClient | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  private readonly knownSeries = new Set<string>();

  constructor(private readonly options: ClickHouseMetricStoreOptions) {
    if (options.database !== undefined && !isValidIdentifier(options.database)) {
      throw new ValidationError('clickhouse database must be a plain name ([A-Za-z_][A-Za-z0-9_]*)', 'database');
    }
    this.database = options.database ?? 'chainscope';
  }

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new BackendUnavailableError('clickhouse metric store is shut down'));
    this.starting ??= this.doStart().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const client = (this.client ??= openClient(this.options));
    const [row] = await selectRows<{ version: string }>(client, versionSql(), 'version');
    const ddl = [`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(this.database)}`, ...metricSchemaFor(parseServerVersion(row.version), this.options.retentionDays === undefined ? { database: this.database } : { database: this.database, retentionDays: this.options.retentionDays })];
    try {
      for (const query of ddl) await client.command({ query });
    } catch (err) {
      throw toStoreError('start', err);
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.client?.close();
  }

  async status(): Promise<StoreStatus> {
    try {
      await selectRows(this.ready(), 'SELECT 1 AS ok', 'status');
      return { backend: 'clickhouse', problems: [] };
    } catch (err) {
      return { backend: 'clickhouse', problems: [`metric store: ${(err as Error).message}`] };
    }
  }

  /** Drops the metric points' day partitions before `beforeUs`, or all (null); series rows stay (one per label set, as the embedded store keeps them). */
  async deleteData(beforeUs: number | null): Promise<DeletionOutcome> {
    return dropDaysBefore(this.ready(), this.database, [METRIC_TABLES.points], beforeUs);
  }

  async writeMetricPoints(points: readonly MetricPoint[]): Promise<void> {
    const client = this.ready();
    if (points.length === 0) return;
    const newSeries = new Map<string, object>();
    // one row per (series, time): the last of a batch wins, as a later batch's does (a retried export)
    const pointRows = new Map<string, object>();
    for (const p of points) {
      const attributes = stableStringify(p.attributes);
      const resource = stableStringify(p.resource);
      const seriesId = seriesIdOf(p, attributes, resource);
      if (!this.knownSeries.has(seriesId) && !newSeries.has(seriesId)) {
        newSeries.set(seriesId, {
          name: p.name,
          series_id: seriesId,
          kind: p.kind,
          unit: p.unit,
          temporality: p.temporality,
          monotonic: p.monotonic ? 1 : 0,
          service: p.service,
          attributes,
          resource,
          first_us: p.timeUs,
        });
      }
      const histogram = p.kind === 'histogram';
      pointRows.set(`${seriesId}\u0000${p.timeUs}`, {
        name: p.name,
        series_id: seriesId,
        time_us: p.timeUs,
        start_us: p.startUs,
        value: Number.isNaN(p.value) ? null : p.value,
        count: p.count,
        bounds: histogram ? (p.bounds ?? []) : [],
        bucket_counts: histogram ? (p.bucketCounts ?? []) : [],
      });
    }
    try {
      // series first: a point is never readable without its series row
      if (newSeries.size > 0) await client.insert({ table: qualifiedName(this.database, METRIC_TABLES.series), values: [...newSeries.values()], format: 'JSONEachRow' });
      await client.insert({ table: qualifiedName(this.database, METRIC_TABLES.points), values: [...pointRows.values()], format: 'JSONEachRow' });
    } catch (err) {
      throw toStoreError('writeMetricPoints', err);
    }
    if (this.knownSeries.size + newSeries.size > MAX_KNOWN_SERIES) this.knownSeries.clear();
    for (const id of newSeries.keys()) this.knownSeries.add(id);
  }

  async metricNames(limit: number): Promise<MetricNameInfo[]> {
    const rows = await selectRows<{ name: string; kind: MetricKind; unit: string; temporality: MetricTemporality; monotonic: number; series: string }>(
      this.ready(),
      metricNamesSql(this.database, limit),
      'metricNames',
    );
    return rows.map((r) => ({ name: r.name, kind: r.kind, unit: r.unit, temporality: r.temporality, monotonic: Number(r.monotonic) === 1, series: Number(r.series) }));
  }

  async metricLabels(name: string, maxSeries: number, maxValues: number): Promise<MetricLabel[]> {
    const rows = await selectRows<SeriesRow>(this.ready(), seriesOfSql(this.database, name, maxSeries), 'metricLabels');
    return labelValues(rows.map((r) => seriesLabels(r.service, r.attributes)), maxValues);
  }

  async seriesPoints(name: string, startUs: number, endUs: number, maxPoints: number): Promise<{ series: StoredSeries[]; truncated: boolean }> {
    const client = this.ready();
    const rows = await selectRows<SeriesRow>(client, seriesOfSql(this.database, name, MAX_SERIES_READ + 1), 'seriesPoints');
    let truncated = rows.length > MAX_SERIES_READ;
    const series = rows.slice(0, MAX_SERIES_READ);
    const from = Math.max(0, startUs);
    if (series.length === 0 || maxPoints <= 0 || endUs <= from) return { series: [], truncated: truncated || (maxPoints <= 0 && series.length > 0) };
    const points = await selectRows<PointRow>(
      client,
      metricPointsSql(this.database, name, from, endUs, maxPoints + 1, truncated ? MAX_SERIES_READ : undefined),
      'seriesPoints',
    );
    if (points.length > maxPoints) {
      truncated = true;
      points.length = maxPoints;
    }
    const bySeries = new Map<string, StoredMetricPoint[]>();
    for (const row of points) {
      let list = bySeries.get(row.series_id);
      if (!list) bySeries.set(row.series_id, (list = []));
      list.push(toPoint(row));
    }
    const out: StoredSeries[] = [];
    for (const s of series) {
      const list = bySeries.get(s.series_id);
      if (!list) continue;
      out.push({ name, kind: s.kind, temporality: s.temporality, monotonic: Number(s.monotonic) === 1, labels: seriesLabels(s.service, s.attributes), points: list });
    }
    return { series: inLabelOrder(out), truncated };
  }

  private ready(): ClickHouseClient {
    if (this.closed) throw new BackendUnavailableError('clickhouse metric store is shut down');
    if (!this.client || !this.starting) throw new BackendUnavailableError('clickhouse metric store is not started');
    return this.client;
  }
}

/** The series identity every writer derives alike: name, kind, service, point attributes and resource. */
function seriesIdOf(p: MetricPoint, attributes: string, resource: string): string {
  return crypto.createHash('sha256').update(`${p.name}\u0000${p.kind}\u0000${p.service}\u0000${attributes}\u0000${resource}`).digest('hex').slice(0, 32);
}

function toPoint(row: PointRow): StoredMetricPoint {
  const point: StoredMetricPoint = { startUs: Number(row.start_us), timeUs: Number(row.time_us), value: row.value ?? NaN, count: Number(row.count) };
  if (row.bucket_counts.length > 0) {
    point.bounds = row.bounds.map(Number);
    point.bucketCounts = row.bucket_counts.map(Number);
  }
  return point;
}
