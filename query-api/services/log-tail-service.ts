import type { LogCursor, LogQuery, LogStore } from '../../core/contracts/log-store';
import { OverloadedError } from '../../core/errors';
import type { LogRecord } from '../../core/model';
import type { LogView, TailDropReason } from '../../core/wire';
import { logView } from './log-service';
import { requireFullText } from './store-capabilities';

/** What a tail matches: everything a search takes except the time window and the page size. */
export type TailFilter = Omit<LogQuery, 'startUs' | 'endUs' | 'limit'>;

export interface LogTailOptions {
  /** How often each tail asks the store for new lines. */
  pollMs: number;
  /** At most this many lines per poll; more are skipped and announced with a `dropped` event. */
  maxLinesPerPoll: number;
  /** Concurrent tails; one more is refused (503). */
  maxTails: number;
  /**
   * How far behind the newest line seen a poll looks again: lines are stored
   * with their own timestamps, and one stamped a little earlier can be
   * written after a newer one (ingest batching, clocks).
   */
  lookbackUs: number;
  /**
   * How far back a resumed tail (`resumeAfter`) starts at most: matching lines
   * stamped earlier than this before its opening are skipped and announced.
   */
  resumeWindowUs: number;
}

export const DEFAULT_TAIL_OPTIONS: LogTailOptions = { pollMs: 500, maxLinesPerPoll: 500, maxTails: 50, lookbackUs: 10_000_000, resumeWindowUs: 300_000_000 };

/** One line sent by a tail. */
export interface TailLine {
  log: LogView;
  /**
   * Where a tail resumed after this line starts: the newest (time, id) sent so
   * far on this tail, this line included. Not this line's own position when it
   * came late (stamped before a line already sent), so a resume never sends
   * again what was sent before it.
   */
  after: LogCursor;
}

/** Why matching lines were not sent. */
export type DropReason = TailDropReason;

export interface TailSink {
  /** New matching lines, oldest first. */
  lines(lines: TailLine[]): void;
  /**
   * Matching lines that were skipped: `burst` when one poll found more than
   * maxLinesPerPoll, `resume` when a resumed tail's gap reached further back
   * than resumeWindowUs.
   */
  dropped(count: number, atLeast: boolean, reason: DropReason): void;
  /** A poll failed; the tail keeps trying. */
  problem(message: string): void;
}

export interface TailHandle {
  stop(): void;
}

/**
 * Live tail by polling: each tail asks the store every `pollMs` for lines at or
 * after a sliding window start and sends the ones it has not sent yet. Lines
 * that were already stored when the tail opened are never sent, unless the tail
 * resumes after a line a previous tail sent (`resumeAfter`): then every
 * matching line after that one is sent, oldest first, within resumeWindowUs
 * and maxLinesPerPoll (the rest is announced as dropped).
 */
export class LogTailService {
  private readonly options: LogTailOptions;
  private readonly tails = new Set<Tail>();

  constructor(
    private readonly store: LogStore,
    options: Partial<LogTailOptions> = {},
    private readonly now: () => number = () => Date.now() * 1000,
  ) {
    this.options = { ...DEFAULT_TAIL_OPTIONS, ...options };
  }

  get active(): number {
    return this.tails.size;
  }

  /**
   * Starts a tail; throws OverloadedError when `maxTails` are running. With
   * `resumeAfter` (the `after` of the last line a client got), it continues
   * right after that line instead of at the present.
   */
  open(filter: TailFilter, sink: TailSink, resumeAfter?: LogCursor): TailHandle {
    requireFullText(this.store, filter);
    if (this.tails.size >= this.options.maxTails) {
      throw new OverloadedError(`${this.options.maxTails} live tails are open; try again later`, 5);
    }
    const tail = new Tail(this.store, filter, sink, this.options, this.now, () => this.tails.delete(tail), resumeAfter);
    this.tails.add(tail);
    tail.start();
    return tail;
  }

  /** Stops every tail (their HTTP streams are ended by their routes). */
  shutdown(): void {
    for (const tail of [...this.tails]) tail.stop();
  }
}

/** (time, id) order, the order of the stores' ties. */
function isAfter(a: LogCursor, b: LogCursor): boolean {
  return a.timeUs > b.timeUs || (a.timeUs === b.timeUs && a.id > b.id);
}

class Tail implements TailHandle {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private primed = false;
  /** Ids already sent (or present at open, or had by a resuming client) with their times; pruned as the window slides. */
  private readonly seen = new Map<string, number>();
  /** Lines older than this are never sent: present at open, or skipped by a `dropped` notice. */
  private floorUs: number;
  private newestUs: number;
  /** The newest (time, id) sent, or had by the client this tail resumes for. */
  private sentUpTo?: LogCursor;
  /** Set until the first poll of a resumed tail has run. */
  private resume?: { after: LogCursor; skipToUs?: number };

  constructor(
    private readonly store: LogStore,
    private readonly filter: TailFilter,
    private readonly sink: TailSink,
    private readonly options: LogTailOptions,
    private readonly now: () => number,
    private readonly onStop: () => void,
    resumeAfter?: LogCursor,
  ) {
    const openedUs = now();
    if (resumeAfter) {
      // A resume point stamped far ahead of our clock (a sender's skew) is taken as now, or it would hide every line until then.
      const after = resumeAfter.timeUs > openedUs + options.lookbackUs ? { timeUs: openedUs, id: '' } : resumeAfter;
      const earliestUs = openedUs - options.resumeWindowUs;
      this.resume = { after, skipToUs: after.timeUs < earliestUs ? earliestUs : undefined };
      this.floorUs = Math.max(after.timeUs, earliestUs);
      this.newestUs = this.floorUs;
      this.sentUpTo = resumeAfter;
      this.primed = true;
    } else {
      this.newestUs = openedUs;
      this.floorUs = openedUs - options.lookbackUs;
    }
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onStop();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const max = this.options.maxLinesPerPoll;
    try {
      if (this.resume) await this.startResume(this.resume);
      // A line stamped in the future must not move the window past lines stamped now.
      const windowStartUs = Math.max(this.floorUs, Math.min(this.newestUs, this.now()) - this.options.lookbackUs);
      const polledUs = this.now();
      const result = await this.store.search({ ...this.filter, startUs: windowStartUs, limit: max + 1 });
      if (this.stopped) return;
      this.take(result.logs, result.total, result.totalIsLowerBound === true, windowStartUs);
      if (this.resume) {
        // The gap is sent: from here on the window slides as for a tail opened now.
        this.resume = undefined;
        this.newestUs = Math.max(this.newestUs, polledUs);
      }
    } catch (err) {
      if (!this.stopped) this.sink.problem(err instanceof Error ? err.message : String(err));
    }
    this.schedule();
  }

  /**
   * Before the first poll of a resumed tail: the lines stamped exactly at the
   * resume point up to its id are the client's already (they count as seen),
   * and a gap reaching back past resumeWindowUs is announced as dropped.
   * Runs again on the next poll if a query fails.
   */
  private async startResume(resume: { after: LogCursor; skipToUs?: number }): Promise<void> {
    const { after } = resume;
    const atResumePoint = await this.store.search({ ...this.filter, startUs: after.timeUs, endUs: after.timeUs, limit: 1000 });
    let had = 0;
    for (const l of atResumePoint.logs) {
      if (l.timeUs === after.timeUs && !isAfter(l, after)) {
        this.seen.set(l.id, l.timeUs);
        had++;
      }
    }
    if (resume.skipToUs !== undefined) {
      const skipped = await this.store.search({ ...this.filter, startUs: after.timeUs, endUs: resume.skipToUs - 1, limit: 1 });
      const count = Math.max(0, skipped.total - had);
      if (count > 0 && !this.stopped) this.sink.dropped(count, skipped.totalIsLowerBound === true, 'resume');
      resume.skipToUs = undefined;
    }
  }

  /** `found` is newest first, at most max + 1 long. */
  private take(found: LogRecord[], total: number, totalIsLowerBound: boolean, windowStartUs: number): void {
    const max = this.options.maxLinesPerPoll;
    const full = found.length > max;
    const page = full ? found.slice(0, max) : found;
    const fresh = page.filter((l) => l.timeUs >= this.floorUs && !this.seen.has(l.id));
    let dropped = 0;
    if (full) {
      // Older matches in the window were not read: count the unsent ones and never send them later, out of order.
      const oldestReadUs = page[page.length - 1].timeUs;
      let alreadySent = 0;
      for (const t of this.seen.values()) if (t >= windowStartUs && t < oldestReadUs) alreadySent++;
      dropped = Math.max(1, total - page.length - alreadySent);
      this.floorUs = oldestReadUs;
    }
    for (const l of page) {
      this.seen.set(l.id, l.timeUs);
      if (l.timeUs > this.newestUs) this.newestUs = l.timeUs;
    }
    if (this.primed && fresh.length) this.sink.lines(fresh.reverse().map((l) => this.sent(l)));
    if (this.primed && full) this.sink.dropped(dropped, totalIsLowerBound, 'burst');
    this.primed = true;
    // Window starts never move back: ids below this one cannot come again.
    for (const [id, t] of this.seen) if (t < windowStartUs) this.seen.delete(id);
  }

  private sent(l: LogRecord): TailLine {
    const at = { timeUs: l.timeUs, id: l.id };
    if (!this.sentUpTo || isAfter(at, this.sentUpTo)) this.sentUpTo = at;
    return { log: logView(l), after: this.sentUpTo };
  }
}
