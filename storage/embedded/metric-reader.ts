import type Database from 'better-sqlite3';
import type { MetricLabel, MetricNameInfo, StoredMetricPoint, StoredSeries } from '../../core/contracts/metric-store';
import type { MetricKind, MetricTemporality } from '../../core/metric-point';
import { inLabelOrder, labelValues, seriesLabels } from '../../core/metric-labels';
import type { EmbeddedDatabase } from './database';

interface SeriesRow {
  id: number;
  name: string;
  kind: MetricKind;
  temporality: MetricTemporality;
  monotonic: number;
  service: string;
  attributes: string;
}

interface PointRow {
  time_us: number;
  start_us: number;
  value: number | null;
  count: number;
  buckets: string | null;
}

/** Reads metric names, label values and series points (storage/embedded/metric-writer.ts wrote them). */
export class MetricReader {
  private readonly names: Database.Statement<[number], Omit<MetricNameInfo, 'monotonic'> & { monotonic: number }>;
  private readonly seriesOf: Database.Statement<[string, number], SeriesRow>;
  private readonly pointsOf: Database.Statement<[number, number, number, number], PointRow>;

  constructor(edb: EmbeddedDatabase) {
    const db = edb.db;
    this.names = db.prepare(
      `SELECT name, kind, MAX(unit) AS unit, MAX(temporality) AS temporality, MAX(monotonic) AS monotonic, COUNT(*) AS series
       FROM metric_series GROUP BY name, kind ORDER BY name, kind LIMIT ?`,
    );
    this.seriesOf = db.prepare('SELECT id, name, kind, temporality, monotonic, service, attributes FROM metric_series WHERE name = ? ORDER BY id LIMIT ?');
    this.pointsOf = db.prepare(
      'SELECT time_us, start_us, value, count, buckets FROM metric_points WHERE series_id = ? AND time_us >= ? AND time_us < ? ORDER BY time_us LIMIT ?',
    );
  }

  metricNames(limit: number): MetricNameInfo[] {
    return this.names.all(limit).map((row) => ({ ...row, monotonic: row.monotonic === 1 }));
  }

  metricLabels(name: string, maxSeries: number, maxValues: number): MetricLabel[] {
    return labelValues(this.seriesOf.all(name, maxSeries).map(labelsOf), maxValues);
  }

  /** Series of `name` with their points in [startUs, endUs), in label order; stops at `maxPoints` points (truncated). */
  seriesPoints(name: string, startUs: number, endUs: number, maxPoints: number, maxSeries: number): { series: StoredSeries[]; truncated: boolean } {
    const series: StoredSeries[] = [];
    let budget = maxPoints;
    const rows = this.seriesOf.all(name, maxSeries + 1);
    let truncated = rows.length > maxSeries;
    for (const row of rows.slice(0, maxSeries)) {
      if (budget <= 0) {
        truncated = true;
        break;
      }
      const points = this.pointsOf.all(row.id, startUs, endUs, budget + 1).map(toPoint);
      if (points.length > budget) {
        truncated = true;
        points.length = budget;
      }
      budget -= points.length;
      if (points.length === 0) continue;
      series.push({ name: row.name, kind: row.kind, temporality: row.temporality, monotonic: row.monotonic === 1, labels: labelsOf(row), points });
    }
    return { series: inLabelOrder(series), truncated };
  }
}

function labelsOf(row: SeriesRow): Record<string, string> {
  return seriesLabels(row.service, row.attributes);
}

function toPoint(row: PointRow): StoredMetricPoint {
  const point: StoredMetricPoint = { startUs: row.start_us, timeUs: row.time_us, value: row.value ?? NaN, count: row.count };
  if (row.buckets !== null) {
    const buckets = JSON.parse(row.buckets) as { b: number[]; c: number[] };
    point.bounds = buckets.b;
    point.bucketCounts = buckets.c;
  }
  return point;
}
