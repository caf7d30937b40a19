import type Database from 'better-sqlite3';
import { DEFAULT_WAL_LIMIT_BYTES, type EmbeddedDatabase } from './database';
import { LogDeleter } from './log-deleter';
import { RetentionStateTable } from './retention-state';
import { fileSizes, pageUsage } from './store-files';
import { TimeRowsDeleter } from './time-rows-deleter';
import { TraceDeleter } from './trace-deleter';
import { withBusyTimeout } from './wal-checkpoint';

export interface RetentionOptions {
  /** Data older than this (by span start / log time) is deleted; null or absent: kept by age forever. */
  maxAgeUs?: number | null;
  /** The database, WAL and shared-memory files together stay under this; null or absent: unlimited. */
  maxBytes?: number | null;
  /** Time between two passes (default 10 s). */
  intervalMs?: number;
  /** Rows of each kind (spans, logs, time-kept rows) one transaction deletes at most (default 500). */
  maxRowsPerStep?: number;
  /** Pages one incremental_vacuum step hands back at most (default 128: 2 MiB at 16 KiB pages). */
  vacuumPagesPerStep?: number;
  /**
   * A file created before incremental auto-vacuum is rewritten once (VACUUM) by
   * the first pass when it is at most this big (default 256 MiB, a few seconds);
   * a bigger one keeps its size and reuses its freed pages.
   */
  convertMaxBytes?: number;
  /** Clock in µs since the epoch (tests). */
  nowUs?: () => number;
  /** Where a pass that fails says so (rate: once per pass). */
  log?: (line: string) => void;
  /** Told what each pass did (the bench). */
  onPass?: (report: PassReport) => void;
}

/** With MAX_DISK_BYTES, a pass deletes once the files pass this share of it… */
export const SIZE_TRIGGER_SHARE = 0.9;
/** …and deletes until the pages in use, plus a full WAL, fit under this share. */
export const SIZE_TARGET_SHARE = 0.8;
/** Over MAX_DISK_BYTES itself, retention runs steps back to back for this long before letting ingest in. */
const URGENT_SLICE_MS = 200;
/** How often a write may measure the files against MAX_DISK_BYTES. */
const SIZE_CHECK_EVERY_MS = 1_000;
/** Without MAX_DISK_BYTES, freed pages go back to the file system only when there are this many bytes of them and they are a quarter of the file. */
const RECLAIM_MIN_FREE_BYTES = 64 * 1024 * 1024;

/** The WAL budget for a size limit: an eighth of it, at most the default 16 MiB, at least 1 MiB. */
export function walLimitFor(maxBytes: number | null | undefined): number {
  if (maxBytes === null || maxBytes === undefined) return DEFAULT_WAL_LIMIT_BYTES;
  return Math.max(1024 * 1024, Math.min(DEFAULT_WAL_LIMIT_BYTES, Math.floor(maxBytes / 8)));
}

/** What one pass did (also what the bench prints). */
export interface PassReport {
  deletedTraces: number;
  deletedSpans: number;
  deletedLogs: number;
  /** Topology minutes and business keys. */
  deletedTimeRows: number;
  /** Transactions run (deletes and vacuum steps). */
  steps: number;
  /** Longest single transaction, ms: how long the pass held the writer at once. */
  maxStepMs: number;
  reclaimedPages: number;
  /** Set when the file was rewritten with incremental auto-vacuum. */
  converted: boolean;
  error?: string;
}

/**
 * Retention of the embedded store: deletes the oldest data first, by age
 * (maxAgeUs) and by size (maxBytes), in transactions of a bounded number of
 * rows with the event loop let go between them, so ingest batches and queries
 * on the same thread interleave; then hands freed pages back to the file
 * system (incremental_vacuum, in steps) and truncates the WAL.
 *
 * Every connection has one (status reads its settings and the shared state),
 * but only a connection that writes runs it: the schedule starts with the
 * first write (noteWrite), so in the all-in-one the ingest thread deletes and
 * the query side only reports. Stops when the database closes.
 */
export class EmbeddedRetention {
  readonly maxAgeUs: number | null;
  readonly maxBytes: number | null;
  readonly state: RetentionStateTable;
  private readonly db: Database.Database;
  private readonly traces: TraceDeleter;
  private readonly logs: LogDeleter;
  private readonly timeRows: TimeRowsDeleter;
  private readonly oldestTraces: Database.Statement<[number], { start_us: number; span_count: number }>;
  private readonly nthOldestLog: Database.Statement<[number], { time_us: number }>;
  private readonly newestLog: Database.Statement<[], { t: number | null }>;
  private readonly o: Required<Omit<RetentionOptions, 'maxAgeUs' | 'maxBytes'>>;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;
  private convertTried = false;
  private passing: Promise<PassReport> | undefined;
  private lastSizeCheckMs = 0;
  /** Steps run back to back for this long before letting go (0: let go after each). */
  private sliceMs = 0;
  private sliceStartMs = 0;

  constructor(
    private readonly edb: EmbeddedDatabase,
    options: RetentionOptions = {},
  ) {
    this.db = edb.db;
    this.maxAgeUs = options.maxAgeUs ?? null;
    this.maxBytes = options.maxBytes ?? null;
    this.o = {
      intervalMs: options.intervalMs ?? 10_000,
      maxRowsPerStep: options.maxRowsPerStep ?? 500,
      vacuumPagesPerStep: options.vacuumPagesPerStep ?? 128,
      convertMaxBytes: options.convertMaxBytes ?? 256 * 1024 * 1024,
      nowUs: options.nowUs ?? (() => Date.now() * 1000),
      log: options.log ?? ((line) => console.error(line)),
      onPass: options.onPass ?? (() => {}),
    };
    this.state = new RetentionStateTable(this.db);
    this.traces = new TraceDeleter(this.db);
    this.logs = new LogDeleter(this.db);
    this.timeRows = new TimeRowsDeleter(this.db);
    this.oldestTraces = this.db.prepare('SELECT start_us, span_count FROM traces ORDER BY start_us LIMIT ?');
    this.nthOldestLog = this.db.prepare('SELECT time_us FROM logs ORDER BY time_us LIMIT 1 OFFSET ?');
    this.newestLog = this.db.prepare('SELECT max(time_us) AS t FROM logs');
    edb.onClose(() => this.stop());
  }

  /** True when there is anything to enforce. */
  get enabled(): boolean {
    return this.maxAgeUs !== null || this.maxBytes !== null;
  }

  /**
   * Called after each successful write: the first one starts the schedule
   * (first pass within a second). With a size limit, the files are also
   * measured at most once a second and a pass starts at once when they pass
   * the trigger, so a fast writer does not overshoot the limit by a whole interval.
   */
  noteWrite(): void {
    if (this.stopped || !this.enabled) return;
    if (!this.scheduled) {
      this.scheduled = true;
      this.edb.inWriteTurn(() => this.state.start(this.o.nowUs()));
      this.schedule(Math.min(1_000, this.o.intervalMs));
      return;
    }
    if (this.maxBytes === null || this.passing) return;
    const now = Date.now();
    if (now - this.lastSizeCheckMs < SIZE_CHECK_EVERY_MS) return;
    this.lastSizeCheckMs = now;
    if (fileSizes(this.edb.file).totalBytes > this.maxBytes * SIZE_TRIGGER_SHARE) void this.runPass();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Deletes every trace, log, roll-up minute, business key and metric point
   * older than `horizonUs` now, in the same bounded steps as a pass (an
   * admin's deletion, not the schedule); the names the writers intern
   * (services and operations, resources, metric series) stay.
   */
  async eraseBefore(horizonUs: number): Promise<PassReport> {
    const report: PassReport = { deletedTraces: 0, deletedSpans: 0, deletedLogs: 0, deletedTimeRows: 0, steps: 0, maxStepMs: 0, reclaimedPages: 0, converted: false };
    await this.deleteBefore(horizonUs, report);
    if (this.live) this.truncateWal();
    return report;
  }

  /** Runs one pass now (or joins the one running). */
  runPass(): Promise<PassReport> {
    this.passing ??= this.pass().finally(() => (this.passing = undefined));
    return this.passing;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runPass().finally(() => this.schedule(this.o.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  /** Open and not stopped by a close (an admin's eraseBefore runs on a connection whose schedule never started). */
  private get live(): boolean {
    return !this.stopped && this.edb.isOpen;
  }

  private async pass(): Promise<PassReport> {
    const report: PassReport = {
      deletedTraces: 0,
      deletedSpans: 0,
      deletedLogs: 0,
      deletedTimeRows: 0,
      steps: 0,
      maxStepMs: 0,
      reclaimedPages: 0,
      converted: false,
    };
    try {
      if (!this.convertTried) {
        this.convertTried = true;
        report.converted = this.convertIfSmall(report);
      }
      if (this.maxAgeUs !== null) await this.deleteBefore(this.o.nowUs() - this.maxAgeUs, report);
      if (this.maxBytes !== null) await this.fitUnder(this.maxBytes, report);
      else await this.reclaimIfMostlyFree(report);
      const changed = report.deletedTraces + report.deletedSpans + report.deletedLogs + report.deletedTimeRows + report.reclaimedPages > 0;
      if (this.live && (changed || report.converted)) this.truncateWal();
    } catch (err) {
      report.error = (err as Error)?.message ?? String(err);
      this.o.log(`chainscope: embedded store retention failed: ${report.error}`);
    }
    if (this.live) {
      try {
        this.edb.inWriteTurn(() => this.state.recordPass(this.o.nowUs(), report.deletedTraces, report.deletedLogs, report.error ?? null));
      } catch (err) {
        this.o.log(`chainscope: embedded store retention could not record its state: ${(err as Error)?.message ?? err}`);
      }
    }
    this.o.onPass(report);
    return report;
  }

  /** Deletes everything older than `horizonUs`, one bounded step after another. */
  private async deleteBefore(horizonUs: number, report: PassReport): Promise<void> {
    while (this.live && (await this.stepEach(horizonUs, report)) > 0) {
      /* until nothing is left before the horizon */
    }
  }

  /** One transaction of each kind before `horizonUs`, the loop let go between them; returns the rows deleted. */
  private async stepEach(horizonUs: number, report: PassReport): Promise<number> {
    const max = this.o.maxRowsPerStep;
    let rows = 0;
    const t = this.timed(report, () => this.traces.deleteBefore(horizonUs, max));
    report.deletedTraces += t.traces;
    report.deletedSpans += t.spans;
    rows += t.spans + t.traces;
    await this.letGo();
    if (!this.live) return 0;
    const logs = this.timed(report, () => this.logs.deleteBefore(horizonUs, max));
    report.deletedLogs += logs;
    rows += logs;
    await this.letGo();
    if (!this.live) return 0;
    const timeRows = this.timed(report, () => this.timeRows.deleteBefore(horizonUs, max));
    report.deletedTimeRows += timeRows;
    rows += timeRows;
    await this.letGo();
    return rows;
  }

  /**
   * Past SIZE_TRIGGER_SHARE of maxBytes: deletes the oldest data until the
   * pages in use plus a full WAL fit under SIZE_TARGET_SHARE, then hands the
   * freed pages back. Measured on pages in use, not on the file: a file that
   * cannot shrink (no auto-vacuum) never makes it delete more than that.
   */
  private async fitUnder(maxBytes: number, report: PassReport): Promise<void> {
    const files = fileSizes(this.edb.file).totalBytes;
    if (files <= maxBytes * SIZE_TRIGGER_SHARE) return;
    // over the limit itself: ingest gets the thread back only every URGENT_SLICE_MS, so a saturated writer
    // cannot outgrow the deletes (it slows down, and the bus in front of it pushes back on senders)
    try {
      const target = maxBytes * SIZE_TARGET_SHARE - walLimitFor(maxBytes);
      while (this.live && pageUsage(this.db).liveBytes > target) {
        // measured again each round: ingest keeps writing while the pass lets it in
        this.sliceMs = fileSizes(this.edb.file).totalBytes > maxBytes ? URGENT_SLICE_MS : 0;
        const horizon = this.sizeHorizon();
        if (horizon === null || (await this.stepEach(horizon, report)) === 0) break;
      }
      await this.reclaim(report);
    } finally {
      this.sliceMs = 0;
    }
  }

  /** Lets ingest and timers run between two steps: after every step, or when urgent after a slice of steps. */
  private async letGo(): Promise<void> {
    if (this.sliceMs > 0 && Date.now() - this.sliceStartMs < this.sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStartMs = Date.now();
  }

  /**
   * The time before which the next step deletes when trimming by size: the
   * later of the first maxRowsPerStep spans' and logs' times, capped by the
   * earlier of the two kinds, so both kinds go oldest first together.
   */
  private sizeHorizon(): number | null {
    const max = this.o.maxRowsPerStep;
    let traceEdge = Infinity;
    let spans = 0;
    let newestTrace = -Infinity;
    for (const t of this.oldestTraces.all(max)) {
      newestTrace = t.start_us;
      spans += t.span_count;
      if (spans >= max) {
        traceEdge = t.start_us + 1;
        break;
      }
    }
    const logRow = this.nthOldestLog.get(max - 1);
    const logEdge = logRow ? logRow.time_us + 1 : Infinity;
    const edge = Math.min(traceEdge, logEdge);
    if (edge !== Infinity) return edge;
    // fewer than a step of each kind is left: everything
    const newestLog = this.newestLog.get()?.t ?? -Infinity;
    const newest = Math.max(newestTrace, newestLog);
    return newest === -Infinity ? null : newest + 1;
  }

  /** Without a size limit: give freed pages back only when they are many (else ingest reuses them). */
  private async reclaimIfMostlyFree(report: PassReport): Promise<void> {
    const u = pageUsage(this.db);
    const freeBytes = u.freePages * u.pageSize;
    if (freeBytes >= RECLAIM_MIN_FREE_BYTES && freeBytes * 4 >= u.pageCount * u.pageSize) await this.reclaim(report);
  }

  /** Hands every free page back to the file system, vacuumPagesPerStep at a time. */
  private async reclaim(report: PassReport): Promise<void> {
    while (this.live) {
      const before = pageUsage(this.db);
      if (before.autoVacuum !== 2 || before.freePages === 0) return;
      const n = Math.min(this.o.vacuumPagesPerStep, before.freePages);
      this.timed(report, () => this.db.exec(`PRAGMA incremental_vacuum(${n})`));
      const after = pageUsage(this.db).freePages;
      report.reclaimedPages += before.freePages - after;
      if (after >= before.freePages) return;
      await this.letGo();
    }
  }

  /**
   * A file made before auto-vacuum was switched on cannot hand pages back; a
   * small one is rewritten with it once (VACUUM: the writer waits for it).
   */
  private convertIfSmall(report: PassReport): boolean {
    if (pageUsage(this.db).autoVacuum !== 0) return false;
    if (fileSizes(this.edb.file).dbBytes > this.o.convertMaxBytes) return false;
    this.timed(report, () => {
      this.db.pragma('auto_vacuum = INCREMENTAL');
      this.db.exec('VACUUM');
    });
    return pageUsage(this.db).autoVacuum === 2;
  }

  /** Checkpoints and cuts the WAL to zero, waiting at most 200 ms for readers (a busy reader only defers it). */
  private truncateWal(): void {
    withBusyTimeout(this.db, 200, () => this.edb.inWriteTurn(() => this.db.pragma('wal_checkpoint(TRUNCATE)')));
  }

  /**
   * Runs one step in the writers' turn (the ingest threads share the file: a
   * step that went around the turn lost SQLite's lock to a flood of writes and
   * failed with "database is locked"); the time counted includes the wait.
   */
  private timed<T>(report: PassReport, fn: () => T): T {
    const t = process.hrtime.bigint();
    try {
      return this.edb.inWriteTurn(fn);
    } finally {
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      report.steps++;
      if (ms > report.maxStepMs) report.maxStepMs = ms;
    }
  }
}
