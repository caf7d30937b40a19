import type Database from 'better-sqlite3';
import type { LogBatch } from '../../core/contracts/log-store';
import type { EmbeddedDatabase } from './database';
import type { LogRecord } from '../../core/model';
import { blockOf, LogBlockWriter } from './log-blocks';
import { logIdHash } from './log-ids';
import { LogMinuteWriter } from './log-minutes';

/** What a record's write derives without the database, done before the write turn. */
interface PlannedLog {
  log: LogRecord;
  attributes: string;
  idHash: number;
}

/**
 * Writes a LogBatch in one transaction; the FTS row, id hash, block range and
 * minute count are added only for records really inserted (a replayed record
 * meets its (time, id) twin and is ignored).
 */
export class LogWriter {
  private readonly insertLog: Database.Statement;
  private readonly insertFts: Database.Statement;
  private readonly insertId: Database.Statement<[number, number, number]>;
  private readonly upsertBusinessKey: Database.Statement;
  private readonly blocks: LogBlockWriter;
  private readonly minutes: LogMinuteWriter;
  private readonly writeBatch: Database.Transaction<(planned: PlannedLog[], businessKeys: LogBatch['businessKeys']) => void>;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.insertLog = db.prepare(
      `INSERT OR IGNORE INTO logs (id, time_us, observed_time_us, service, severity_text, severity_number, body,
         trace_id, span_id, attributes, resource_id, scope_name, scope_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFts = db.prepare('INSERT INTO logs_fts (rowid, body) VALUES (?, ?)');
    this.insertId = db.prepare('INSERT INTO log_ids (block, hash, log_rowid) VALUES (?, ?, ?)');
    this.upsertBusinessKey = db.prepare(
      `INSERT INTO business_keys (key, value, trace_id, time_us) VALUES (?, ?, ?, ?)
       ON CONFLICT (key, value, trace_id) DO UPDATE SET time_us = excluded.time_us
       WHERE excluded.time_us < time_us`,
    );
    this.blocks = new LogBlockWriter(db);
    this.minutes = new LogMinuteWriter(db);
    this.writeBatch = db.transaction((planned: PlannedLog[], businessKeys: LogBatch['businessKeys']) => {
      this.blocks.begin();
      this.minutes.begin();
      for (const { log, attributes, idHash } of planned) {
        const resourceId = this.edb.resourceId(log.resource);
        const info = this.insertLog.run(
          log.id,
          log.timeUs,
          log.observedTimeUs,
          log.service,
          log.severityText,
          log.severityNumber,
          log.body,
          log.traceId,
          log.spanId,
          attributes,
          resourceId,
          log.scope.name,
          log.scope.version,
        );
        if (info.changes !== 0) {
          const rowid = Number(info.lastInsertRowid);
          this.insertFts.run(rowid, log.body);
          this.insertId.run(blockOf(rowid), idHash, rowid);
          this.blocks.note(rowid, log.timeUs);
          this.minutes.count(log.timeUs, log.service, log.severityText, log.severityNumber, resourceId);
        }
      }
      this.blocks.flush();
      this.minutes.flush();
      for (const k of businessKeys) this.upsertBusinessKey.run(k.key, k.value, k.traceId, k.timeUs);
    });
  }

  write(batch: LogBatch): void {
    // outside the write turn: another thread may hold it meanwhile
    const planned = batch.logs.map((log): PlannedLog => ({ log, attributes: JSON.stringify(log.attributes), idHash: logIdHash(log.id) }));
    try {
      // IMMEDIATE: take the write lock up front, so a second process waits (busy_timeout) instead of failing on upgrade
      this.edb.inWriteTurn(() => this.writeBatch.immediate(planned, batch.businessKeys));
    } catch (err) {
      this.edb.dropCaches();
      throw err;
    }
  }
}
