import type Database from 'better-sqlite3';
import type { MetricPoint } from '../../core/metric-point';
import { stableStringify } from '../../core/otlp';
import type { EmbeddedDatabase } from './database';

const MAX_CACHED_SERIES = 50_000;

/**
 * Writes metric points in one transaction: each point's series (name, kind,
 * service, attributes, resource) interned into metric_series, the point into
 * metric_points. A second point of a series at the same time replaces the first
 * (a sender retrying an export).
 */
export class MetricWriter {
  private readonly findSeries: Database.Statement<[string, string, string, string, number], { id: number }>;
  private readonly insertSeries: Database.Statement;
  private readonly insertPoint: Database.Statement;
  private readonly writeBatch: Database.Transaction<(points: readonly MetricPoint[]) => void>;
  private readonly seriesIds = new Map<string, number>();

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.findSeries = db.prepare('SELECT id FROM metric_series WHERE name = ? AND kind = ? AND service = ? AND attributes = ? AND resource_id = ?');
    this.insertSeries = db.prepare(
      'INSERT INTO metric_series (name, kind, unit, temporality, monotonic, service, attributes, resource_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertPoint = db.prepare('INSERT OR REPLACE INTO metric_points (series_id, time_us, start_us, value, count, buckets) VALUES (?, ?, ?, ?, ?, ?)');
    this.writeBatch = db.transaction((points: readonly MetricPoint[]) => {
      for (const p of points) {
        const seriesId = this.seriesId(p);
        const buckets = p.kind === 'histogram' ? JSON.stringify({ b: p.bounds ?? [], c: p.bucketCounts ?? [] }) : null;
        this.insertPoint.run(seriesId, p.timeUs, p.startUs, Number.isNaN(p.value) ? null : p.value, p.count, buckets);
      }
    });
  }

  write(points: readonly MetricPoint[]): void {
    try {
      this.edb.inWriteTurn(() => this.writeBatch.immediate(points));
    } catch (err) {
      // ids learned in a rolled-back transaction may not exist
      this.seriesIds.clear();
      this.edb.dropCaches();
      throw err;
    }
  }

  private seriesId(p: MetricPoint): number {
    const resourceId = this.edb.resourceId(p.resource);
    const attributes = stableStringify(p.attributes);
    const key = `${resourceId}\u0000${p.kind}\u0000${p.service}\u0000${p.name}\u0000${attributes}`;
    let id = this.seriesIds.get(key);
    if (id !== undefined) return id;
    id = this.findSeries.get(p.name, p.kind, p.service, attributes, resourceId)?.id;
    if (id === undefined) {
      id = Number(this.insertSeries.run(p.name, p.kind, p.unit, p.temporality, p.monotonic ? 1 : 0, p.service, attributes, resourceId).lastInsertRowid);
    }
    if (this.seriesIds.size >= MAX_CACHED_SERIES) this.seriesIds.clear();
    this.seriesIds.set(key, id);
    return id;
  }
}
