import type Database from 'better-sqlite3';
import type { LogBatch } from '../../core/contracts/log-store';
import type { EmbeddedDatabase } from './database';
import { LogBlockWriter } from './log-blocks';
import { LogMinuteWriter } from './log-minutes';

/** Writes a LogBatch in one transaction; the FTS row, block range and minute count are added only for records really inserted. */
export class LogWriter {
  private readonly insertLog: Database.Statement;
  private readonly insertFts: Database.Statement;
  private readonly upsertBusinessKey: Database.Statement;
  private readonly blocks: LogBlockWriter;
  private readonly minutes: LogMinuteWriter;
  private readonly writeBatch: Database.Transaction<(batch: LogBatch) => void>;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.insertLog = db.prepare(
      `INSERT OR IGNORE INTO logs (id, time_us, observed_time_us, service, severity_text, severity_number, body,
         trace_id, span_id, attributes, resource_id, scope_name, scope_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFts = db.prepare('INSERT INTO logs_fts (rowid, body) VALUES (?, ?)');
    this.upsertBusinessKey = db.prepare(
      `INSERT INTO business_keys (key, value, trace_id, time_us) VALUES (?, ?, ?, ?)
       ON CONFLICT (key, value, trace_id) DO UPDATE SET time_us = excluded.time_us
       WHERE excluded.time_us < time_us`,
    );
    this.blocks = new LogBlockWriter(db);
    this.minutes = new LogMinuteWriter(db);
    this.writeBatch = db.transaction((batch: LogBatch) => {
      this.blocks.begin();
      this.minutes.begin();
      for (const log of batch.logs) {
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
          JSON.stringify(log.attributes),
          resourceId,
          log.scope.name,
          log.scope.version,
        );
        if (info.changes !== 0) {
          this.insertFts.run(info.lastInsertRowid, log.body);
          this.blocks.note(Number(info.lastInsertRowid), log.timeUs);
          this.minutes.count(log.timeUs, log.service, log.severityText, log.severityNumber, resourceId);
        }
      }
      this.blocks.flush();
      this.minutes.flush();
      for (const k of batch.businessKeys) this.upsertBusinessKey.run(k.key, k.value, k.traceId, k.timeUs);
    });
  }

  write(batch: LogBatch): void {
    try {
      // IMMEDIATE: take the write lock up front, so a second process waits (busy_timeout) instead of failing on upgrade
      this.edb.inWriteTurn(() => this.writeBatch.immediate(batch));
    } catch (err) {
      this.edb.dropCaches();
      throw err;
    }
  }
}
