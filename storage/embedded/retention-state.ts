import type Database from 'better-sqlite3';

/** What retention last did, as kept in `retention_state` (migration 6). */
export interface RetentionState {
  /** When the connection running retention started it (µs), or null before it ever ran. */
  startedUs: number | null;
  lastRunUs: number | null;
  /** Totals since startedUs. */
  deletedTraces: number;
  deletedLogs: number;
  /** Set when the last pass failed; cleared by the next one that succeeds. */
  lastError: string | null;
}

interface Row {
  started_us: number | null;
  last_run_us: number | null;
  deleted_traces: number;
  deleted_logs: number;
  last_error: string | null;
}

/**
 * The one-row table through which the connection that runs retention (the
 * writer) tells every other connection on the same file (the query side) what
 * it did, so either can report it.
 */
export class RetentionStateTable {
  private readonly select: Database.Statement<[], Row>;
  private readonly begin: Database.Statement<[number]>;
  private readonly record: Database.Statement<[number, number, number, string | null]>;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT started_us, last_run_us, deleted_traces, deleted_logs, last_error FROM retention_state WHERE id = 1');
    this.begin = db.prepare('UPDATE retention_state SET started_us = ?, deleted_traces = 0, deleted_logs = 0, last_error = NULL WHERE id = 1');
    this.record = db.prepare(
      `UPDATE retention_state SET last_run_us = ?, deleted_traces = deleted_traces + ?, deleted_logs = deleted_logs + ?, last_error = ?
       WHERE id = 1`,
    );
  }

  read(): RetentionState {
    const r = this.select.get();
    if (!r) return { startedUs: null, lastRunUs: null, deletedTraces: 0, deletedLogs: 0, lastError: null };
    return {
      startedUs: r.started_us,
      lastRunUs: r.last_run_us,
      deletedTraces: r.deleted_traces,
      deletedLogs: r.deleted_logs,
      lastError: r.last_error,
    };
  }

  /** Totals count from now on. */
  start(nowUs: number): void {
    this.begin.run(nowUs);
  }

  /** Adds a pass's deletions; `error` null clears the last error. */
  recordPass(nowUs: number, deletedTraces: number, deletedLogs: number, error: string | null): void {
    this.record.run(nowUs, deletedTraces, deletedLogs, error);
  }
}
