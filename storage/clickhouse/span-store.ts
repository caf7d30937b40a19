import type { ClickHouseClient } from '@clickhouse/client';
import { CHAIN_READ_LIMITS, checkLimit, checkTraceIds, SPAN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { LatencyBucketCount } from '../../core/analysis/latency-heatmap';
import type { OrderRollupRow } from '../../core/analysis/order-rollup';
import { DEFAULT_ORDER_ROLLUP, type BusinessKeySpan, type OrderRollupSettings, type SpanBatch, type SpanStore, type SpanStoreCapabilities, type TraceQuery } from '../../core/contracts/span-store';
import { compareMatchingSpans, spanConditions, type MatchingSpan, type TraceHit } from '../../core/contracts/trace-search';
import { BackendUnavailableError, ValidationError } from '../../core/errors';
import type { Span, StatusCode, TimeWindow, TraceLinkEntry, TraceSummary } from '../../core/model';
import { slowestBusinessKeysSql, traceSummariesSql } from './chain-queries';
import { onFreshSocket, openClient, selectRows } from './connection';
import { toStoreError } from './errors';
import type { DataDeleter, DeletionOutcome } from '../../core/contracts/data-deletion';
import { dropDaysBefore } from './partition-deletion';
import {
  dropPartitionSql,
  expiredPartitionsSql,
  carryingSpansSql,
  findTracesSql,
  matchingSpansSql,
  tracesSpansSql,
  messageRowsSql,
  operationsSql,
  servicesSql,
  traceLinksSql,
  tracesByBusinessKeySql,
  versionSql,
} from './queries';
import { isValidIdentifier, qualifiedName } from './quote';
import { batchRows, pairMessages, rowToSpan } from './rows';
import type { BatchRows, MessageRow, StoredSpanRow } from './rows';
import { DATA_TABLES, schemaFor } from './schema';
import { featuresFor, parseServerVersion } from './version';
import { ClickHouseTopology } from './topology-store';
import { DEFAULT_QUIET_SECONDS } from './topology-minutes';
import { ClickHouseOrderRollup } from './order-rollup-store';
import { SUMMED_TABLES } from './order-rollup-schema';
import type { ServiceStats, Topology } from '../../core/topology';
import type { SchemaFeatures, ServerVersion } from './version';

export interface ClickHouseSpanStoreOptions {
  /** HTTP endpoint, e.g. http://127.0.0.1:8123 */
  url: string;
  /** Database holding the tables (created when missing); default 'chainscope'. */
  database?: string;
  username?: string;
  password?: string;
  /** Keep this many days of data; default: keep everything. */
  retentionDays?: number;
  /** The business keys rolled up per minute at write, and the stage rules; default DEFAULT_ORDER_ROLLUP. */
  orderRollup?: OrderRollupSettings;
  /**
   * Seconds a minute must have gone without writes (and be over) before a topology read summarizes it;
   * default 60 (DEFAULT_QUIET_SECONDS). Tests set 0 to reach the summaries without waiting.
   */
  topologyQuietSeconds?: number;
}

export const CLICKHOUSE_DEFAULTS = {
  database: 'chainscope',
  /** How often a server without TTL has old partitions dropped by the store. */
  retentionSweepMs: 60 * 60 * 1000,
} as const;

interface SummaryRow {
  trace_id: string;
  trace_start_us: string;
  trace_end_us: string;
  span_count: string;
  error_count: string;
  /** (not-a-root, start, span id, service, name) */
  root: [number, string, string, string, string];
  services: string[];
}

interface MatchingSpanRow {
  trace_id: string;
  span_id: string;
  service: string;
  name: string;
  start_us: string;
  duration_us: string;
  status_code: StatusCode;
}

interface LinkRow {
  from_trace_id: string;
  from_span_id: string;
  to_trace_id: string;
  to_span_id: string;
  kind: 'link' | 'message';
  time_us: string;
}

/**
 * SpanStore on ClickHouse 18.16 and later. Writes are idempotent through
 * ReplacingMergeTree identities and replay-proof aggregate states (see
 * schema.ts); reads never depend on whether merges have happened yet.
 */
export class ClickHouseSpanStore implements SpanStore, DataDeleter {
  readonly capabilities: SpanStoreCapabilities = {
    backend: 'clickhouse',
    attributeSearch: true,
  };
  readonly database: string;
  private readonly options: ClickHouseSpanStoreOptions;
  private client: ClickHouseClient | undefined;
  private readonly topologyRollups: ClickHouseTopology;
  private readonly orderRollup: ClickHouseOrderRollup;
  private version: ServerVersion | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  /** The last failure of the background retention sweep, for health reporting. */
  lastRetentionError: Error | undefined;

  constructor(options: ClickHouseSpanStoreOptions) {
    this.options = validateOptions(options);
    this.database = this.options.database ?? CLICKHOUSE_DEFAULTS.database;
    this.topologyRollups = new ClickHouseTopology(
      this.database,
      (query, what) => this.select(query, what),
      (table, values) => this.insertRows(table, values),
      async (query) => {
        await onFreshSocket(() => this.ready().command({ query }));
      },
      this.options.topologyQuietSeconds ?? DEFAULT_QUIET_SECONDS,
    );
    this.orderRollup = new ClickHouseOrderRollup(
      this.options.orderRollup ?? DEFAULT_ORDER_ROLLUP,
      (query, what) => this.select(query, what),
      (table, values) => this.insertRows(table, values),
      (ids) => this.traceSummaries(ids),
      this.database,
    );
  }

  /** The server version detected by start(). */
  get serverVersion(): ServerVersion | undefined {
    return this.version;
  }

  get features(): SchemaFeatures | undefined {
    return this.version && featuresFor(this.version);
  }

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new BackendUnavailableError('clickhouse span store is shut down'));
    this.starting ??= this.doStart().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const client =
      this.client ?? openClient(this.options);
    this.client = client;
    try {
      const [row] = await this.select<{ version: string }>(versionSql(), 'version');
      this.version = parseServerVersion(row.version);
      for (const ddl of schemaFor(this.version, { database: this.database, retentionDays: this.options.retentionDays })) {
        await client.command({ query: ddl });
      }
    } catch (err) {
      throw toStoreError('start', err);
    }
    if (this.options.retentionDays !== undefined && !featuresFor(this.version).ttl) {
      await this.dropExpiredPartitions();
      this.retentionTimer = setInterval(() => {
        this.dropExpiredPartitions().catch(() => undefined);
      }, CLICKHOUSE_DEFAULTS.retentionSweepMs);
      this.retentionTimer.unref();
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.starting?.catch(() => undefined);
    await this.client?.close();
  }

  /**
   * Drops whole day partitions older than retentionDays. Runs by itself on
   * servers without TTL; returns the number of partitions dropped.
   */
  async dropExpiredPartitions(): Promise<number> {
    const days = this.options.retentionDays;
    if (days === undefined) return 0;
    try {
      const parts = await this.select<{ table: string; partition_id: string }>(
        expiredPartitionsSql(this.database, DATA_TABLES, days),
        'retention',
      );
      for (const p of parts) await this.ready().command({ query: dropPartitionSql(this.database, p.table, p.partition_id) });
      this.lastRetentionError = undefined;
      return parts.length;
    } catch (err) {
      this.lastRetentionError = toStoreError('retention', err);
      throw this.lastRetentionError;
    }
  }

  /**
   * Deletes whole day partitions (every table's data is partitioned by day):
   * those that end at or before `beforeUs`, or all (null). DROP PARTITION is
   * immediate and works on every server version; the day `beforeUs` falls in
   * is kept (granularity 'day').
   */
  async deleteData(beforeUs: number | null): Promise<DeletionOutcome> {
    try {
      return await dropDaysBefore(this.ready(), this.database, DATA_TABLES, beforeUs);
    } finally {
      this.topologyRollups.forgetSummaries();
    }
  }

  async writeSpans(batch: SpanBatch): Promise<void> {
    this.ready();
    const rows = batchRows(batch);
    const topologyRows = await this.topologyRollups.rowsFor(batch.spans);
    // one insert per table; a failed write is retried whole, which the schema makes harmless
    const inserts = (Object.keys(rows) as (keyof BatchRows)[])
      .filter((table) => rows[table].length > 0)
      .map((table) => this.insertRows(table, rows[table] as object[]));
    for (const [table, values] of Object.entries(topologyRows)) {
      if (values.length > 0) inserts.push(this.insertRows(table, values));
    }
    const results = await Promise.allSettled(inserts);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw toStoreError('writeSpans', failed.reason);
    try {
      await this.topologyRollups.markWritten(topologyRows);
    } catch (err) {
      throw toStoreError('writeSpans (topology minute marks)', err);
    }
    // the order roll-up reads the summaries and business keys just written
    try {
      await this.orderRollup.write(batch);
    } catch (err) {
      throw toStoreError('writeSpans (order roll-up)', err);
    }
  }

  async getTrace(traceId: string): Promise<Span[]> {
    return (await this.readTraces([traceId], 'getTrace')).get(traceId) ?? [];
  }

  async getTraces(traceIds: string[]): Promise<Map<string, Span[]>> {
    checkTraceIds('getTraces', traceIds, SPAN_READ_LIMITS.traceIdsPerRead);
    return this.readTraces(traceIds, 'getTraces');
  }

  private async readTraces(traceIds: string[], what: string): Promise<Map<string, Span[]>> {
    this.ready();
    const byTrace = new Map<string, Span[]>();
    if (traceIds.length === 0) return byTrace;
    for (const row of await this.select<StoredSpanRow>(tracesSpansSql(this.database, [...new Set(traceIds)]), what)) {
      const span = rowToSpan(row);
      const list = byTrace.get(span.traceId);
      if (list) list.push(span);
      else byTrace.set(span.traceId, [span]);
    }
    return byTrace;
  }

  async findTraces(query: TraceQuery): Promise<TraceHit[]> {
    const limit = checkLimit(query.limit, SPAN_READ_LIMITS.findTraces);
    this.ready();
    if (limit === 0) return [];
    const summaries = (await this.select<SummaryRow>(findTracesSql(this.database, query, limit), 'findTraces')).map(summaryOf);
    const conditions = spanConditions(query);
    const pairs = query.attributes ?? [];
    if (summaries.length === 0 || (!conditions && pairs.length === 0)) return summaries.map((s) => ({ ...s, matchingSpans: [] }));
    const ids = summaries.map((s) => s.traceId);
    const sql = conditions ? matchingSpansSql(this.database, ids, conditions) : carryingSpansSql(this.database, ids, pairs);
    const byTrace = new Map<string, MatchingSpan[]>();
    for (const r of await this.select<MatchingSpanRow>(sql, 'findTraces')) {
      const list = byTrace.get(r.trace_id) ?? [];
      list.push({ spanId: r.span_id, service: r.service, name: r.name, startUs: Number(r.start_us), durationUs: Number(r.duration_us), status: r.status_code });
      byTrace.set(r.trace_id, list);
    }
    return summaries.map((s) => ({ ...s, matchingSpans: (byTrace.get(s.traceId) ?? []).sort(compareMatchingSpans) }));
  }

  async services(): Promise<string[]> {
    return (await this.select<{ service: string }>(servicesSql(this.database), 'services')).map((r) => r.service);
  }

  async operations(service: string): Promise<string[]> {
    return (await this.select<{ name: string }>(operationsSql(this.database, service), 'operations')).map((r) => r.name);
  }

  async tracesByBusinessKey(key: string, value: string, window: TimeWindow, limit: number): Promise<string[]> {
    const n = checkLimit(limit, SPAN_READ_LIMITS.findTraces);
    this.ready();
    if (n === 0) return [];
    const sql = tracesByBusinessKeySql(this.database, key, value, window, n);
    return (await this.select<{ trace_id: string }>(sql, 'tracesByBusinessKey')).map((r) => r.trace_id);
  }

  async linkedTraces(traceIds: string[]): Promise<TraceLinkEntry[]> {
    this.ready();
    if (traceIds.length === 0) return [];
    checkTraceIds('linkedTraces', traceIds, SPAN_READ_LIMITS.linkedTraceIds);
    const ids = [...new Set(traceIds)];
    const [links, messages] = await Promise.all([
      this.select<LinkRow>(traceLinksSql(this.database, ids), 'linkedTraces'),
      this.select<MessageRow>(messageRowsSql(this.database, ids), 'linkedTraces'),
    ]);
    const out: TraceLinkEntry[] = links.map((r) => ({
      fromTraceId: r.from_trace_id,
      fromSpanId: r.from_span_id,
      toTraceId: r.to_trace_id,
      toSpanId: r.to_span_id,
      kind: r.kind,
      timeUs: Number(r.time_us),
    }));
    for (const pair of pairMessages(messages, new Set(ids))) {
      if (out.length >= SPAN_READ_LIMITS.linkedTraceRows) break;
      out.push(pair);
    }
    return out;
  }

  async traceSummaries(traceIds: string[]): Promise<TraceSummary[]> {
    this.ready();
    if (traceIds.length === 0) return [];
    checkTraceIds('traceSummaries', traceIds, CHAIN_READ_LIMITS.summaryTraceIds);
    const rows = await this.select<SummaryRow>(traceSummariesSql(this.database, [...new Set(traceIds)]), 'traceSummaries');
    return rows.map(summaryOf);
  }

  async slowestBusinessKeys(key: string, window: TimeWindow, limit: number): Promise<BusinessKeySpan[]> {
    const n = checkLimit(limit, CHAIN_READ_LIMITS.slowestKeys);
    this.ready();
    if (n === 0) return [];
    const rows = await this.select<{ value: string; chain_start_us: string; chain_end_us: string; trace_ids: string[] }>(
      slowestBusinessKeysSql(this.database, key, window, n),
      'slowestBusinessKeys',
    );
    return rows.map((r) => ({
      value: r.value,
      traceIds: r.trace_ids.slice(0, CHAIN_READ_LIMITS.traceIdsPerValue),
      startUs: Number(r.chain_start_us),
      endUs: Number(r.chain_end_us),
    }));
  }

  async topology(window: TimeWindow): Promise<Topology> {
    this.ready();
    return this.topologyRollups.topology(window);
  }

  async serviceStats(service: string, window: TimeWindow, stepUs: number): Promise<ServiceStats> {
    this.ready();
    return (await this.topologyRollups.servicesStats([service], window, stepUs))[0];
  }

  async servicesStats(services: readonly string[], window: TimeWindow, stepUs: number): Promise<ServiceStats[]> {
    this.ready();
    return this.topologyRollups.servicesStats(services, window, stepUs);
  }

  async latencyMinutes(window: Required<TimeWindow>, service?: string): Promise<LatencyBucketCount[]> {
    this.ready();
    return this.topologyRollups.latencyMinutes(window, service);
  }

  async orderMinutes(key: string, window: Required<TimeWindow>): Promise<OrderRollupRow[]> {
    this.ready();
    return this.orderRollup.orderMinutes(key, window);
  }

  async slowestOrders(key: string, window: Required<TimeWindow>, limit: number, failedOnly: boolean): Promise<BusinessKeySpan[]> {
    this.ready();
    return this.orderRollup.slowestOrders(key, window, limit, failedOnly);
  }

  /** The last failure to store a topology summary (reads answered exactly anyway), for health reporting. */
  get lastTopologySummaryError(): Error | undefined {
    return this.topologyRollups.lastSummaryError;
  }

  private async insertRows(table: string, values: object[]): Promise<void> {
    const client = this.ready();
    const send = () => client.insert({ table: qualifiedName(this.database, table), values, format: 'JSONEachRow' });
    await (SUMMED_TABLES.has(table) ? send() : onFreshSocket(send));
  }

  private ready(): ClickHouseClient {
    if (this.closed) throw new BackendUnavailableError('clickhouse span store is shut down');
    if (!this.client || !this.version) throw new BackendUnavailableError('clickhouse span store is not started');
    return this.client;
  }

  /** Runs a SELECT; also used by start() before the version is known, so it checks only for a client. */
  private async select<T>(query: string, what: string): Promise<T[]> {
    if (this.closed) throw new BackendUnavailableError('clickhouse span store is shut down');
    const client = this.client;
    if (!client) throw new BackendUnavailableError('clickhouse span store is not started');
    return selectRows<T>(client, query, what);
  }
}

function validateOptions(options: ClickHouseSpanStoreOptions): ClickHouseSpanStoreOptions {
  const known = new Set(['url', 'database', 'username', 'password', 'retentionDays', 'orderRollup', 'topologyQuietSeconds']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ValidationError(`unknown clickhouse option '${key}'`, key);
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ValidationError(`clickhouse url is not a URL: ${JSON.stringify(options.url)}`, 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`clickhouse url must be http(s): ${options.url}`, 'url');
  }
  if (options.database !== undefined && !isValidIdentifier(options.database)) {
    throw new ValidationError(`clickhouse database must be a plain name ([A-Za-z_][A-Za-z0-9_]*)`, 'database');
  }
  const days = options.retentionDays;
  if (days !== undefined && (!Number.isSafeInteger(days) || days < 1)) {
    throw new ValidationError('clickhouse retentionDays must be a positive integer', 'retentionDays');
  }
  const quiet = options.topologyQuietSeconds;
  if (quiet !== undefined && (!Number.isSafeInteger(quiet) || quiet < 0 || quiet > 86_400)) {
    throw new ValidationError('clickhouse topologyQuietSeconds must be an integer from 0 to 86400', 'topologyQuietSeconds');
  }
  return { ...options };
}

function summaryOf(r: SummaryRow): TraceSummary {
  const start = Number(r.trace_start_us);
  return {
    traceId: r.trace_id,
    rootService: r.root[3],
    rootName: r.root[4],
    startUs: start,
    durationUs: Number(r.trace_end_us) - start,
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    services: [...r.services].sort(),
  };
}
