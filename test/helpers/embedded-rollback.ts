import type Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../storage/embedded/schema';
import { MAX_CHUNKS_PER_TRACE } from '../../storage/embedded/span-chunk';

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
  // span chunks back to one row per span, as the table migration 1 made
  11: `
    CREATE TABLE spans (
      trace_ref INTEGER NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL, op_id INTEGER NOT NULL,
      kind INTEGER NOT NULL, start_us INTEGER NOT NULL, duration_us INTEGER NOT NULL, status_code INTEGER NOT NULL,
      status_message TEXT NOT NULL, attributes TEXT NOT NULL, resource_id INTEGER NOT NULL, events TEXT, links TEXT,
      scope_name TEXT NOT NULL, scope_version TEXT NOT NULL,
      PRIMARY KEY (trace_ref, span_id)
    ) WITHOUT ROWID;
    INSERT INTO spans
      SELECT c.id / ${MAX_CHUNKS_PER_TRACE}, s.value ->> 0, s.value ->> 1, s.value ->> 2, s.value ->> 3, s.value ->> 4, s.value ->> 5,
        s.value ->> 6, s.value ->> 7,
        CASE WHEN json_type(c.spans) = 'array' THEN s.value -> 8 ELSE
          (SELECT json_group_object(c.spans ->> ('$.k[' || a.value || ']'), s.value -> ('$[8][' || (a.key + 1) || ']'))
           FROM json_each(s.value, '$[8]') a WHERE a.key % 2 = 0)
        END,
        s.value ->> 9,
        CASE WHEN json_array_length(s.value, '$[10]') = 0 THEN NULL ELSE s.value -> 10 END,
        CASE WHEN json_array_length(s.value, '$[11]') = 0 THEN NULL ELSE s.value -> 11 END,
        s.value ->> 12, s.value ->> 13
      FROM span_chunks c, json_each(c.spans, CASE WHEN json_type(c.spans) = 'array' THEN '$' ELSE '$.s' END) s;
    DROP TABLE span_chunks;
  `,
  // logs unique by id again (the logs table rebuilt as migration 1 made it)
  12: `DROP TABLE log_ids;
    CREATE TABLE logs_by_id (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time_us INTEGER NOT NULL, observed_time_us INTEGER NOT NULL,
      service TEXT NOT NULL, severity_text TEXT NOT NULL, severity_number INTEGER NOT NULL, body TEXT NOT NULL, trace_id TEXT NOT NULL,
      span_id TEXT NOT NULL, attributes TEXT NOT NULL, resource_id INTEGER NOT NULL, scope_name TEXT NOT NULL, scope_version TEXT NOT NULL);
    INSERT INTO logs_by_id SELECT rowid, id, time_us, observed_time_us, service, severity_text, severity_number, body, trace_id, span_id,
      attributes, resource_id, scope_name, scope_version FROM logs;
    DROP TABLE logs;
    ALTER TABLE logs_by_id RENAME TO logs;
    CREATE INDEX logs_time ON logs (time_us);
    CREATE INDEX logs_service_time ON logs (service, time_us);
    CREATE INDEX logs_trace ON logs (trace_id, time_us) WHERE trace_id <> '';`,
  13: 'ALTER TABLE order_facts DROP COLUMN recount',
  // the text index as migration 1 made it (with its size table, FTS5's default merging)
  14: `DROP TABLE logs_fts;
    CREATE VIRTUAL TABLE logs_fts USING fts5 (body, content = 'logs', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2');
    INSERT INTO logs_fts (logs_fts) VALUES ('rebuild');`,
  15: `DROP TABLE log_traces; CREATE INDEX logs_trace ON logs (trace_id, time_us) WHERE trace_id <> '';`,
  16: `INSERT OR IGNORE INTO order_traces (trace_id, key, value)
      SELECT t.trace_id, r.key, r.value FROM order_trace_refs r JOIN traces t ON t.id = r.trace_ref;
    DROP TABLE order_trace_refs;`,
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
