import type Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../storage/embedded/schema';

/**
 * What undoes each embedded-store migration from 4 on (key = the migration's number), for tests
 * that make a file of an older schema and check that opening it migrates it right. null: cannot
 * be undone on its own (undoing the one before it undoes it too).
 * A new migration needs its entry here: rollBackTo refuses to guess.
 */
const UNDO: Record<number, string | null> = {
  4: 'DROP TABLE log_blocks',
  5: 'DROP TABLE log_minutes',
  6: 'DROP TABLE retention_state',
  7: 'DROP TABLE trace_attr_index; DROP TABLE attr_index_keys; ALTER TABLE trace_attr_sets DROP COLUMN indexed',
  // 8 re-keys migration 7's index table: undone with 7
  8: null,
  9: 'DROP TABLE metric_points; DROP TABLE metric_series',
  10: 'DROP TABLE order_minutes; DROP TABLE order_facts; DROP TABLE order_traces',
};

/** Turns an open database of the current schema into one of schema `version` (its data, none of the later tables). */
export function rollBackTo(db: Database.Database, version: number): void {
  for (let v = SCHEMA_VERSION; v > version; v--) {
    if (!(v in UNDO)) throw new Error(`migration ${v} has no undo in test/helpers/embedded-rollback.ts: add it`);
    const undo = UNDO[v];
    if (undo === null && v === version + 1) throw new Error(`migration ${v} cannot be undone on its own: roll back to ${v - 2} or earlier`);
    if (undo) db.exec(undo);
  }
  db.pragma(`user_version = ${version}`);
}
