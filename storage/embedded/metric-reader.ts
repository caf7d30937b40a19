import type Database from 'better-sqlite3';
import type { MetricLabel, MetricNameInfo, StoredMetricPoint, StoredSeries } from '../../core/contracts/metric-store';
import type { MetricKind, MetricTemporality } from '../../core/metric-point';
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
    const values = new Map<string, Set<string>>();
    for (const row of this.seriesOf.all(name, maxSeries)) {
      for (const [key, value] of Object.entries(labelsOf(row))) {
        let set = values.get(key);
        if (!set) values.set(key, (set = new Set()));
        if (set.size < maxValues) set.add(value);
      }
    }
    return [...values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, set]) => ({ key, values: [...set].sort() }));
  }

  /** Series of `name` with their points in [startUs, endUs); stops at `maxPoints` points (truncated). */
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
    return { series, truncated };
  }
}

/** Point attributes as label strings, with `service`; nested values as their JSON text. */
function labelsOf(row: SeriesRow): Record<string, string> {
  const labels: Record<string, string> = Object.create(null);
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(row.attributes) as Record<string, unknown>;
  } catch {
    // written by stableStringify: never malformed, but a read must not throw on it
  }
  for (const [key, value] of Object.entries(attributes)) labels[key] = typeof value === 'string' ? value : JSON.stringify(value);
  labels.service = row.service;
  return labels;
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
