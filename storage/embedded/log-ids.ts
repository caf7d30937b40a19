import type Database from 'better-sqlite3';
import { attributeHash } from './codec';

/**
 * Finding a log record by its id alone (its context page) without a unique
 * index on the id. The logs table is deduplicated by (time, id) (migration
 * 12): a log id hashes the record's content, its time included, so the two
 * keys say the same, and that index appends where one on the id alone took
 * a random page per record. `log_ids` holds a 53-bit hash of each id under
 * the log block of its row (rowid >> LOG_BLOCK_SHIFT, log-blocks.ts): a
 * write's rows go to the few pages of the newest block, and a lookup probes
 * every block (a few ms at 10 M records), then checks the id on the row.
 */

/** The id's hash as log_ids keeps it; also the SQL function cs_log_id_hash(id) (the migration fills the table with it). */
export function logIdHash(id: string): number {
  return attributeHash('log.id', id);
}

export const LOG_ID_HASH_FUNCTION = 'cs_log_id_hash';

/** The row of a stored log id: the first stored when (against the id's meaning) it was written with two times. */
export const LOG_BY_ID_SQL =
  'SELECT l.rowid AS rowid, l.time_us AS time_us, l.service AS service ' +
  'FROM log_blocks b CROSS JOIN log_ids i ON i.block = b.block AND i.hash = ? CROSS JOIN logs l ON l.rowid = i.log_rowid ' +
  'WHERE l.id = ? ORDER BY l.rowid LIMIT 1';

/**
 * The records of a trace the same way (migration 15): `log_traces` holds the hash of each non-empty trace
 * id (cs_log_id_hash) under its row's block, where an index on (trace_id, time_us) took a random page per
 * record (2.4-2.7 µs of ~9.5 per OTLP record with trace context). `l.trace_id` is checked on the rows.
 * Params: the trace id's hash, then the trace id.
 */
export const LOG_ROWS_OF_TRACE_SQL =
  '(l.rowid IN (SELECT t.log_rowid FROM log_blocks b CROSS JOIN log_traces t ON t.block = b.block AND t.hash = ?) AND l.trace_id = ?)';

/** Registers cs_log_id_hash on a connection; before the migrations run. */
export function registerLogIdHash(db: Database.Database): void {
  db.function(LOG_ID_HASH_FUNCTION, { deterministic: true, directOnly: true }, (id: unknown) => (typeof id === 'string' ? logIdHash(id) : null));
}
