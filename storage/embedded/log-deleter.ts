import type Database from 'better-sqlite3';
import { blockOf, LOG_BLOCK_ROWS } from './log-blocks';
import { logIdHash } from './log-ids';
import { minuteOf } from './log-minutes';

interface OldLog {
  rowid: number;
  time_us: number;
  service: string;
  severity_text: string;
  severity_number: number;
  resource_id: number;
  body: string;
  id: string;
  trace_id: string;
}

/**
 * Deletes log records, oldest first, keeping what is derived from them exact:
 * the FTS5 entries (external content: the index is told the deleted text),
 * the id and trace id hashes (log-ids.ts),
 * the per-minute counts (decremented, a row going at zero) and the block
 * ranges (recomputed from the rows the block still holds, gone when empty).
 * One call is one transaction of at most `maxLogs` records.
 */
export class LogDeleter {
  private readonly oldest: Database.Statement<[number, number], OldLog>;
  private readonly unindex: Database.Statement<[number, string]>;
  private readonly deleteLog: Database.Statement<[number]>;
  private readonly deleteId: Database.Statement<[number, number, number]>;
  private readonly deleteTrace: Database.Statement<[number, number, number]>;
  private readonly uncount: Database.Statement<[number, number, string, string, number, number]>;
  private readonly dropEmptyMinute: Database.Statement<[number, string, string, number, number]>;
  private readonly blockRange: Database.Statement<[number, number], { lo: number | null; hi: number | null }>;
  private readonly setBlock: Database.Statement<[number, number, number]>;
  private readonly dropBlock: Database.Statement<[number]>;
  private readonly run: Database.Transaction<(beforeUs: number, maxLogs: number) => number>;

  constructor(db: Database.Database) {
    this.oldest = db.prepare(
      `SELECT rowid, time_us, service, severity_text, severity_number, resource_id, body, id, trace_id
       FROM logs WHERE time_us < ? ORDER BY time_us LIMIT ?`,
    );
    this.unindex = db.prepare(`INSERT INTO logs_fts (logs_fts, rowid, body) VALUES ('delete', ?, ?)`);
    this.deleteLog = db.prepare('DELETE FROM logs WHERE rowid = ?');
    this.deleteId = db.prepare('DELETE FROM log_ids WHERE block = ? AND hash = ? AND log_rowid = ?');
    this.deleteTrace = db.prepare('DELETE FROM log_traces WHERE block = ? AND hash = ? AND log_rowid = ?');
    const minuteKey = 'minute_us = ? AND service = ? AND severity_text = ? AND severity_number = ? AND resource_id = ?';
    this.uncount = db.prepare(`UPDATE log_minutes SET n = n - ? WHERE ${minuteKey}`);
    this.dropEmptyMinute = db.prepare(`DELETE FROM log_minutes WHERE ${minuteKey} AND n <= 0`);
    this.blockRange = db.prepare('SELECT min(time_us) AS lo, max(time_us) AS hi FROM logs WHERE rowid BETWEEN ? AND ?');
    this.setBlock = db.prepare('UPDATE log_blocks SET min_time_us = ?, max_time_us = ? WHERE block = ?');
    this.dropBlock = db.prepare('DELETE FROM log_blocks WHERE block = ?');
    this.run = db.transaction((beforeUs: number, maxLogs: number) => this.deleteInTransaction(beforeUs, maxLogs));
  }

  /** Deletes records older than `beforeUs`, at most `maxLogs`; returns how many (0 when none is left). */
  deleteBefore(beforeUs: number, maxLogs: number): number {
    return this.run.immediate(beforeUs, maxLogs);
  }

  private deleteInTransaction(beforeUs: number, maxLogs: number): number {
    const minutes = new Map<string, { key: [number, string, string, number, number]; n: number }>();
    const blocks = new Set<number>();
    let deleted = 0;
    for (const log of this.oldest.all(beforeUs, maxLogs)) {
      this.unindex.run(log.rowid, log.body);
      this.deleteLog.run(log.rowid);
      this.deleteId.run(blockOf(log.rowid), logIdHash(log.id), log.rowid);
      if (log.trace_id !== '') this.deleteTrace.run(blockOf(log.rowid), logIdHash(log.trace_id), log.rowid);
      deleted++;
      blocks.add(blockOf(log.rowid));
      const key: [number, string, string, number, number] = [
        minuteOf(log.time_us),
        log.service,
        log.severity_text,
        log.severity_number,
        log.resource_id,
      ];
      const id = JSON.stringify(key);
      const seen = minutes.get(id);
      if (seen) seen.n++;
      else minutes.set(id, { key, n: 1 });
    }
    for (const { key, n } of minutes.values()) {
      this.uncount.run(n, ...key);
      this.dropEmptyMinute.run(...key);
    }
    for (const block of blocks) {
      const first = block * LOG_BLOCK_ROWS;
      const left = this.blockRange.get(first, first + LOG_BLOCK_ROWS - 1);
      if (!left || left.lo === null || left.hi === null) this.dropBlock.run(block);
      else this.setBlock.run(left.lo, left.hi, block);
    }
    return deleted;
  }
}
