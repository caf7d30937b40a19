import type Database from 'better-sqlite3';
import type { LogBatch } from '../../core/contracts/log-store';
import type { EmbeddedDatabase } from './database';
import { LOG_BLOCK_SHIFT, LogBlockWriter } from './log-blocks';
import { LOG_ID_HASH_FUNCTION } from './log-ids';
import { LogMinuteWriter } from './log-minutes';
import { prepareOrderRecount } from './order-rollup-writer';
import { RowInserter } from './row-inserter';

const LOG_COLUMNS = [
  'id',
  'time_us',
  'observed_time_us',
  'service',
  'severity_text',
  'severity_number',
  'body',
  'trace_id',
  'span_id',
  'attributes',
  'resource_id',
  'scope_name',
  'scope_version',
] as const;

/** Rows per INSERT statement (13 values each, well under SQLite's 32,766 parameters). */
const ROWS_PER_INSERT = 32;

/**
 * Writes a LogBatch in one transaction. The rows go in ROWS_PER_INSERT at a
 * time with INSERT OR IGNORE: a replayed record meets its (time, id) twin
 * and is not inserted. Rowids are handed out in order and nobody else writes
 * inside the transaction, so the rows it really inserted are exactly those
 * after the largest rowid before it; the FTS rows, id hashes, block ranges
 * and minute counts are then added from those rows by one statement each,
 * instead of one call per record from here (`log_traces`: the trace id's hash, for the rows with one).
 */
export class LogWriter {
  private readonly rows: RowInserter;
  private readonly lastRowid: Database.Statement<[], { rowid: number }>;
  private readonly indexText: Database.Statement<[number]>;
  private readonly indexIds: Database.Statement<[number]>;
  private readonly indexTraces: Database.Statement<[number]>;
  private readonly upsertBusinessKey: Database.Statement;
  private readonly recountOrder: Database.Statement<[string, string]>;
  private readonly blocks: LogBlockWriter;
  private readonly minutes: LogMinuteWriter;
  private readonly writeBatch: Database.Transaction<(batch: LogBatch, attributes: string[]) => void>;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.rows = new RowInserter(db, 'logs', LOG_COLUMNS, ROWS_PER_INSERT);
    this.lastRowid = db.prepare('SELECT coalesce(max(rowid), 0) AS rowid FROM logs');
    this.indexText = db.prepare('INSERT INTO logs_fts (rowid, body) SELECT rowid, body FROM logs WHERE rowid > ?');
    this.indexIds = db.prepare(
      `INSERT INTO log_ids (block, hash, log_rowid) SELECT rowid >> ${LOG_BLOCK_SHIFT}, ${LOG_ID_HASH_FUNCTION}(id), rowid FROM logs WHERE rowid > ?`,
    );
    this.indexTraces = db.prepare(
      `INSERT INTO log_traces (block, hash, log_rowid) SELECT rowid >> ${LOG_BLOCK_SHIFT}, ${LOG_ID_HASH_FUNCTION}(trace_id), rowid FROM logs WHERE rowid > ? AND trace_id <> ''`,
    );
    this.upsertBusinessKey = db.prepare(
      `INSERT INTO business_keys (key, value, trace_id, time_us) VALUES (?, ?, ?, ?)
       ON CONFLICT (key, value, trace_id) DO UPDATE SET time_us = excluded.time_us
       WHERE excluded.time_us < time_us`,
    );
    this.recountOrder = prepareOrderRecount(db);
    this.blocks = new LogBlockWriter(db);
    this.minutes = new LogMinuteWriter(db);
    this.writeBatch = db.transaction((batch: LogBatch, attributes: string[]) => {
      const before = this.lastRowid.get()!.rowid;
      const params = this.rows.params;
      for (let i = 0; i < batch.logs.length; i++) {
        const log = batch.logs[i];
        const at = this.rows.begin();
        params[at] = log.id;
        params[at + 1] = log.timeUs;
        params[at + 2] = log.observedTimeUs;
        params[at + 3] = log.service;
        params[at + 4] = log.severityText;
        params[at + 5] = log.severityNumber;
        params[at + 6] = log.body;
        params[at + 7] = log.traceId;
        params[at + 8] = log.spanId;
        params[at + 9] = attributes[i];
        params[at + 10] = this.edb.resourceId(log.resource);
        params[at + 11] = log.scope.name;
        params[at + 12] = log.scope.version;
        this.rows.end();
      }
      this.rows.flush();
      this.indexText.run(before);
      this.indexIds.run(before);
      this.indexTraces.run(before);
      this.blocks.addRowsAfter(before);
      this.minutes.addRowsAfter(before);
      for (const k of batch.businessKeys) {
        // a trace the order's stored fact does not know of (order-rollup-writer.ts)
        if (this.upsertBusinessKey.run(k.key, k.value, k.traceId, k.timeUs).changes > 0) this.recountOrder.run(k.key, k.value);
      }
    });
  }

  write(batch: LogBatch): void {
    // outside the write turn: another thread may hold it meanwhile
    const attributes = batch.logs.map((log) => JSON.stringify(log.attributes));
    try {
      // IMMEDIATE: take the write lock up front, so a second process waits (busy_timeout) instead of failing on upgrade
      this.edb.inWriteTurn(() => this.writeBatch.immediate(batch, attributes));
    } catch (err) {
      this.rows.reset();
      this.edb.dropCaches();
      throw err;
    }
  }
}
