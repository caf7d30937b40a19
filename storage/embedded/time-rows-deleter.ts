import type Database from 'better-sqlite3';
import { minuteOf } from '../../core/topology';

/**
 * Deletes the rows that are kept by time rather than by trace:
 * - the per-minute topology and service roll-ups of whole minutes before the
 *   horizon (a minute that straddles it keeps the counts of every span in it);
 * - business keys first seen before the horizon whose trace is no longer
 *   stored (a key that only a log wrote has no trace; a kept trace keeps its
 *   keys even when a log of it was earlier than the horizon);
 * - metric points older than the horizon (their series rows stay);
 * - the order roll-up's minutes, and the facts of orders first seen, in
 *   whole minutes before the horizon.
 * One call is one transaction of at most `maxRows` rows per table.
 */
export class TimeRowsDeleter {
  private readonly deleteEdges: Database.Statement<[number, number]>;
  private readonly deleteOps: Database.Statement<[number, number]>;
  private readonly firstKey: Database.Statement<[], { key: string }>;
  private readonly nextKey: Database.Statement<[string], { key: string }>;
  private readonly deleteKeys: Database.Statement<[string, number, number]>;
  private readonly deleteMetricPoints: Database.Statement<[number, number]>;
  private readonly deleteOrderMinutes: Database.Statement<[number, number]>;
  private readonly deleteOrderFacts: Database.Statement<[number, number]>;
  private readonly run: Database.Transaction<(beforeUs: number, maxRows: number) => number>;

  constructor(db: Database.Database) {
    this.deleteEdges = db.prepare(
      `DELETE FROM topo_edge_minutes WHERE (minute, source, source_kind, target, target_kind, kind, bucket) IN
         (SELECT minute, source, source_kind, target, target_kind, kind, bucket FROM topo_edge_minutes WHERE minute < ? LIMIT ?)`,
    );
    this.deleteOps = db.prepare(
      `DELETE FROM topo_op_minutes WHERE (minute, service, operation, bucket) IN
         (SELECT minute, service, operation, bucket FROM topo_op_minutes WHERE minute < ? LIMIT ?)`,
    );
    // the distinct key names (a handful), one index seek each
    this.firstKey = db.prepare('SELECT key FROM business_keys ORDER BY key LIMIT 1');
    this.nextKey = db.prepare('SELECT key FROM business_keys WHERE key > ? ORDER BY key LIMIT 1');
    this.deleteKeys = db.prepare(
      `DELETE FROM business_keys WHERE (key, value, trace_id) IN
         (SELECT b.key, b.value, b.trace_id FROM business_keys b INDEXED BY business_keys_time
          WHERE b.key = ? AND b.time_us < ? AND NOT EXISTS (SELECT 1 FROM traces t WHERE t.trace_id = b.trace_id)
          LIMIT ?)`,
    );
    this.deleteMetricPoints = db.prepare(
      `DELETE FROM metric_points WHERE (series_id, time_us) IN
         (SELECT series_id, time_us FROM metric_points INDEXED BY metric_points_time WHERE time_us < ? LIMIT ?)`,
    );
    this.deleteOrderMinutes = db.prepare(
      `DELETE FROM order_minutes WHERE (key, minute, stage, bucket) IN
         (SELECT key, minute, stage, bucket FROM order_minutes WHERE minute < ? LIMIT ?)`,
    );
    this.deleteOrderFacts = db.prepare(
      `DELETE FROM order_facts WHERE (key, value) IN (SELECT key, value FROM order_facts WHERE minute < ? LIMIT ?)`,
    );
    this.run = db.transaction((beforeUs: number, maxRows: number) => this.deleteInTransaction(beforeUs, maxRows));
  }

  /** Returns the rows deleted (0 when none is left before `beforeUs`). */
  deleteBefore(beforeUs: number, maxRows: number): number {
    return this.run.immediate(beforeUs, maxRows);
  }

  private deleteInTransaction(beforeUs: number, maxRows: number): number {
    const wholeMinutesBefore = minuteOf(beforeUs);
    let deleted = this.deleteEdges.run(wholeMinutesBefore, maxRows).changes;
    deleted += this.deleteOps.run(wholeMinutesBefore, maxRows).changes;
    deleted += this.deleteMetricPoints.run(beforeUs, maxRows).changes;
    deleted += this.deleteOrderMinutes.run(wholeMinutesBefore, maxRows).changes;
    deleted += this.deleteOrderFacts.run(wholeMinutesBefore, maxRows).changes;
    let budget = maxRows;
    for (let key = this.firstKey.get(); key && budget > 0; key = this.nextKey.get(key.key)) {
      const n = this.deleteKeys.run(key.key, beforeUs, budget).changes;
      budget -= n;
      deleted += n;
    }
    return deleted;
  }
}
