import type Database from 'better-sqlite3';
import { migrateSpansToChunks } from './span-chunk-migration';

/**
 * Embedded store schema. `PRAGMA user_version` holds the number of migrations
 * applied; append new migrations to MIGRATIONS, never edit an applied one.
 *
 * Layout notes (why, not what):
 * - span_chunks (migration 11, replacing migration 1's spans) holds the spans
 *   one write adds to one trace as one row, keyed trace ref × 2^20 + ordinal,
 *   trace_ref being traces.id: new traces get growing refs, so writes append
 *   and a trace is one key range (storage/embedded/span-chunk.ts).
 *   service/name are interned into `operations` (op_id), resources into
 *   `resources` (resource_id), so the hot table stays small.
 * - traces is the per-trace summary maintained at write time; findTraces walks
 *   it newest-first and probes trace_ops / trace_attr_sets by trace ref.
 * - trace_attr_sets holds 53-bit hashes of (key, value-as-text) per trace, so
 *   attribute search is a binary search instead of JSON parsing.
 * - trace_attr_index holds the same hashes the other way round (hash -> trace
 *   refs), so a search for a pair starts from the traces that carry it.
 */
/** SQL, or a function for a migration SQL alone cannot do (it runs inside the migration's transaction). */
export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: initial schema
  `
  CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    json TEXT NOT NULL UNIQUE
  );

  CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (service, name)
  );

  -- clustered by trace: a new trace's spans append at the end of the b-tree
  -- (trace_ref grows), a trace reads as one contiguous range, and the primary
  -- key is the idempotency check, with no second index to maintain
  CREATE TABLE spans (
    trace_ref INTEGER NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT NOT NULL,
    op_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    start_us INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    status_message TEXT NOT NULL,
    attributes TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    events TEXT,
    links TEXT,
    scope_name TEXT NOT NULL,
    scope_version TEXT NOT NULL,
    PRIMARY KEY (trace_ref, span_id)
  ) WITHOUT ROWID;

  CREATE TABLE traces (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL UNIQUE,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    span_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    -- 0 = a real root (parentSpanId ''), 1 = earliest span standing in for it,
    -- 2 = no span yet (the row is created just before its first spans)
    root_rank INTEGER NOT NULL,
    root_start_us INTEGER NOT NULL,
    root_op_id INTEGER NOT NULL
  );
  CREATE INDEX traces_start ON traces (start_us);

  CREATE TABLE trace_ops (
    trace_ref INTEGER NOT NULL,
    op_id INTEGER NOT NULL,
    PRIMARY KEY (trace_ref, op_id)
  ) WITHOUT ROWID;

  -- the distinct attribute hashes of the spans one batch added to a trace,
  -- as a sorted array of little-endian float64 (exact below 2^53); probed by
  -- the cs_has_hash() function. One row per trace and batch instead of one
  -- row per distinct attribute keeps writes cheap.
  -- seq = the trace's span count before the batch: unique per trace and batch
  CREATE TABLE trace_attr_sets (
    trace_ref INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (trace_ref, seq)
  ) WITHOUT ROWID;

  CREATE TABLE business_keys (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    PRIMARY KEY (key, value, trace_id)
  ) WITHOUT ROWID;

  CREATE TABLE trace_links (
    from_trace_id TEXT NOT NULL,
    from_span_id TEXT NOT NULL,
    to_trace_id TEXT NOT NULL,
    to_span_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    PRIMARY KEY (from_trace_id, from_span_id, to_trace_id, to_span_id, kind)
  ) WITHOUT ROWID;
  CREATE INDEX trace_links_to ON trace_links (to_trace_id);

  CREATE TABLE message_ids (
    message_id TEXT NOT NULL,
    side TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    PRIMARY KEY (message_id, side, trace_id, span_id)
  ) WITHOUT ROWID;
  CREATE INDEX message_ids_trace ON message_ids (trace_id);

  CREATE TABLE logs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time_us INTEGER NOT NULL,
    observed_time_us INTEGER NOT NULL,
    service TEXT NOT NULL,
    severity_text TEXT NOT NULL,
    severity_number INTEGER NOT NULL,
    body TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    scope_name TEXT NOT NULL,
    scope_version TEXT NOT NULL
  );
  CREATE INDEX logs_time ON logs (time_us);
  CREATE INDEX logs_service_time ON logs (service, time_us);
  CREATE INDEX logs_trace ON logs (trace_id, time_us) WHERE trace_id <> '';

  CREATE VIRTUAL TABLE logs_fts USING fts5 (
    body,
    content = 'logs',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
  );
  `,
  // 2: business-key values by first-seen time, for slowestBusinessKeys (chains)
  `
  CREATE INDEX business_keys_time ON business_keys (key, time_us);
  `,
  // 3: per-minute topology and service roll-ups (issue 4); see storage/embedded/topology-writer.ts
  `
  CREATE TABLE topo_edge_minutes (
    minute INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    target TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    kind TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    PRIMARY KEY (minute, source, source_kind, target, target_kind, kind, bucket)
  ) WITHOUT ROWID;

  CREATE TABLE topo_op_minutes (
    minute INTEGER NOT NULL,
    service TEXT NOT NULL,
    operation TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    PRIMARY KEY (minute, service, operation, bucket)
  ) WITHOUT ROWID;
  CREATE INDEX topo_op_minutes_service ON topo_op_minutes (service, minute);

  -- caller-side peer names (peer.service / server.address) seen calling an instrumented service
  CREATE TABLE topo_aliases (
    peer TEXT NOT NULL,
    service TEXT NOT NULL,
    PRIMARY KEY (peer, service)
  ) WITHOUT ROWID;

  -- server/consumer spans whose parent span has not arrived yet
  CREATE TABLE topo_pending (
    trace_ref INTEGER NOT NULL,
    parent_span_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parked_us INTEGER NOT NULL,
    facts TEXT NOT NULL,
    PRIMARY KEY (trace_ref, parent_span_id, span_id)
  ) WITHOUT ROWID;
  CREATE INDEX topo_pending_parked ON topo_pending (parked_us);
  `,
  // 4: earliest and latest time per block of 4,096 log rowids, for time-ordered text search (storage/embedded/log-blocks.ts)
  `
  CREATE TABLE log_blocks (
    block INTEGER PRIMARY KEY,
    min_time_us INTEGER NOT NULL,
    max_time_us INTEGER NOT NULL
  );
  INSERT INTO log_blocks (block, min_time_us, max_time_us)
    SELECT rowid >> 12, min(time_us), max(time_us) FROM logs GROUP BY rowid >> 12;
  `,
  // 5: log counts per minute, service, severity and resource, for histograms and facets (storage/embedded/log-minutes.ts)
  `
  CREATE TABLE log_minutes (
    minute_us INTEGER NOT NULL,
    service TEXT NOT NULL,
    severity_text TEXT NOT NULL,
    severity_number INTEGER NOT NULL,
    resource_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (minute_us, service, severity_text, severity_number, resource_id)
  ) WITHOUT ROWID;
  INSERT INTO log_minutes (minute_us, service, severity_text, severity_number, resource_id, n)
    SELECT time_us - ((time_us % 60000000) + 60000000) % 60000000 AS m, service, severity_text, severity_number, resource_id, count(*)
    FROM logs GROUP BY m, service, severity_text, severity_number, resource_id;
  `,
  // 6: what retention last did, one row, written by the connection that runs it and read by every connection (storage/embedded/retention-state.ts)
  `
  CREATE TABLE retention_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started_us INTEGER,
    last_run_us INTEGER,
    deleted_traces INTEGER NOT NULL DEFAULT 0,
    deleted_logs INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  INSERT INTO retention_state (id) VALUES (1);
  `,
  // 7: (key, value) hash -> trace for the indexed attribute names, so an equality search on one reads the
  // traces that carry the pair instead of probing every trace in the window (storage/embedded/attribute-index.ts).
  // attr_index_keys: the names indexed ('*' = every name) and from which trace ref on; traces below it are walked.
  `
  CREATE TABLE trace_attr_index (
    hash INTEGER NOT NULL,
    trace_ref INTEGER NOT NULL,
    PRIMARY KEY (hash, trace_ref)
  ) WITHOUT ROWID;

  CREATE TABLE attr_index_keys (
    key TEXT PRIMARY KEY,
    since_ref INTEGER NOT NULL
  );

  -- the hashes of the batch that went to trace_attr_index (NULL: none), so retention deletes exactly those rows
  ALTER TABLE trace_attr_sets ADD COLUMN indexed BLOB;
  `,
  // 8: trace_attr_index keyed by a bucket of 8,192 trace refs first, so a commit's rows land in the few
  // pages of the newest bucket instead of one random page each (migration 7's key cost +16-25 % write CPU);
  // a read probes each bucket. Coverage starts again from the next trace (older ones are walked).
  `
  DROP TABLE trace_attr_index;
  CREATE TABLE trace_attr_index (
    bucket INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    trace_ref INTEGER NOT NULL,
    PRIMARY KEY (bucket, hash, trace_ref)
  ) WITHOUT ROWID;
  DELETE FROM attr_index_keys;
  `,
  // 9: OTLP metrics (storage/embedded/metric-writer.ts). A series is a name, kind and label set, interned once;
  // its points are keyed by (series, time) so a series query reads one key range per series, and kept by time
  // (metric_points_time) for retention. Series rows whose points are all gone stay: one row per label set.
  `
  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    temporality TEXT NOT NULL,
    monotonic INTEGER NOT NULL,
    service TEXT NOT NULL,
    attributes TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    UNIQUE (name, kind, service, attributes, resource_id)
  );

  CREATE TABLE metric_points (
    series_id INTEGER NOT NULL,
    time_us INTEGER NOT NULL,
    start_us INTEGER NOT NULL,
    value REAL,
    count INTEGER NOT NULL,
    buckets TEXT,
    PRIMARY KEY (series_id, time_us)
  ) WITHOUT ROWID;
  CREATE INDEX metric_points_time ON metric_points (time_us);
  `,
  // 10: the per-minute order roll-up (issue 15; core/analysis/order-rollup.ts, storage/embedded/order-rollup-writer.ts).
  // order_traces: which rolled-up orders a trace carries (found from a batch's traces; deleted with the trace);
  // order_facts: each order's last fact (its minute is the minute of its first trace start), read per minute by
  // failed and duration for the slowest orders; order_minutes: the sums per (key, minute, stage, bucket).
  `
  CREATE TABLE order_traces (
    trace_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (trace_id, key, value)
  ) WITHOUT ROWID;

  CREATE TABLE order_facts (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    minute INTEGER NOT NULL,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    stages TEXT NOT NULL,
    trace_ids TEXT NOT NULL,
    PRIMARY KEY (key, value)
  ) WITHOUT ROWID;
  CREATE INDEX order_facts_slowest ON order_facts (key, failed, minute, duration_us);

  CREATE TABLE order_minutes (
    key TEXT NOT NULL,
    minute INTEGER NOT NULL,
    stage TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    offset_us INTEGER NOT NULL,
    PRIMARY KEY (key, minute, stage, bucket)
  ) WITHOUT ROWID;
  `,
  // 11: the spans a write adds to a trace as one row (span_chunks) instead of one row per span
  // (storage/embedded/span-chunk.ts); existing span rows are carried over and the spans table dropped.
  migrateSpansToChunks,
  // 12: logs deduplicated by (time, id) instead of by id alone (storage/embedded/log-ids.ts). A log id is a hash of
  // the record's content including its time, so both say the same, but a unique index on the id alone is a random
  // insert per record into a tree as big as the table (half the log write cost at 500k records, growing with it);
  // one on (time, id) appends, and it replaces the time index. A lookup by id alone (a record's context) goes
  // through log_ids: a hash of the id per block of 4,096 rowids, so a write's rows land in the newest block's pages.
  `
  CREATE TABLE logs_by_time (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    observed_time_us INTEGER NOT NULL,
    service TEXT NOT NULL,
    severity_text TEXT NOT NULL,
    severity_number INTEGER NOT NULL,
    body TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    scope_name TEXT NOT NULL,
    scope_version TEXT NOT NULL
  );
  INSERT INTO logs_by_time (rowid, id, time_us, observed_time_us, service, severity_text, severity_number, body,
      trace_id, span_id, attributes, resource_id, scope_name, scope_version)
    SELECT rowid, id, time_us, observed_time_us, service, severity_text, severity_number, body,
      trace_id, span_id, attributes, resource_id, scope_name, scope_version FROM logs ORDER BY rowid;
  DROP TABLE logs;
  ALTER TABLE logs_by_time RENAME TO logs;
  CREATE UNIQUE INDEX logs_time_id ON logs (time_us, id);
  CREATE INDEX logs_service_time ON logs (service, time_us);
  CREATE INDEX logs_trace ON logs (trace_id, time_us) WHERE trace_id <> '';

  CREATE TABLE log_ids (
    block INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    log_rowid INTEGER NOT NULL,
    PRIMARY KEY (block, hash, log_rowid)
  ) WITHOUT ROWID;
  INSERT INTO log_ids (block, hash, log_rowid) SELECT rowid >> 12, cs_log_id_hash(id), rowid FROM logs;
  `,
  // 13: order_facts.recount: 1 when an order's stored fact may not tell its next one (storage/embedded/order-rollup-writer.ts):
  // a trace of it carries it only in logs, or a log write added a trace to it since. The roll-up grows a fact whose
  // recount is 0 from what the write did, without reading the order's traces; facts stored before are counted again once.
  `ALTER TABLE order_facts ADD COLUMN recount INTEGER NOT NULL DEFAULT 1`,
  // 14: the log text index without its per-record size table (columnsize=0: only bm25 and the xColumnSize API read it,
  // and no query ranks) and merging 8 segments of a level at a time instead of 4 (automerge): each posting is rewritten
  // fewer times as the index grows. Together about a third less CPU to index a record (docs/benchmarks.md). The table is
  // made again and filled from the logs ('rebuild'; with migration 15, 3.7 s wall and 2.3 s CPU for a file of 1 M records).
  `
  DROP TABLE logs_fts;
  CREATE VIRTUAL TABLE logs_fts USING fts5 (
    body,
    content = 'logs',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    columnsize = 0
  );
  INSERT INTO logs_fts (logs_fts, rank) VALUES ('automerge', 8);
  INSERT INTO logs_fts (logs_fts) VALUES ('rebuild');
  `,
  // 15: the records of a trace found through log_traces (a hash of the trace id per log block, like log_ids,
  // storage/embedded/log-ids.ts) instead of the index on (trace_id, time_us), which put every record with trace
  // context on a random page of a tree as big as the table.
  `
  CREATE TABLE log_traces (
    block INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    log_rowid INTEGER NOT NULL,
    PRIMARY KEY (block, hash, log_rowid)
  ) WITHOUT ROWID;
  INSERT INTO log_traces (block, hash, log_rowid) SELECT rowid >> 12, cs_log_id_hash(trace_id), rowid FROM logs WHERE trace_id <> '';
  DROP INDEX logs_trace;
  `,
  // 16: a trace's order links keyed by its trace ref (order_trace_refs) instead of its id: a new trace's links append at
  // the end of the tree, where order_traces put each on a random page of a tree that grows with the store (22 % of the
  // pages the all-in-one wrote to SQLite's WAL at 1 M spans). order_traces keeps the links of trace ids with no trace
  // row yet (a key seen in logs first); a link is in one table or both, and read from both.
  `
  CREATE TABLE order_trace_refs (
    trace_ref INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (trace_ref, key, value)
  ) WITHOUT ROWID;
  INSERT INTO order_trace_refs (trace_ref, key, value)
    SELECT t.id, o.key, o.value FROM order_traces o JOIN traces t ON t.trace_id = o.trace_id ORDER BY 1, 2, 3;
  DELETE FROM order_traces WHERE trace_id IN (SELECT trace_id FROM traces);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
