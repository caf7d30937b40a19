import type { LogQuery, LogStore } from '../../core/contracts/log-store';
import { OverloadedError } from '../../core/errors';
import type { LogRecord } from '../../core/model';
import { logView, type LogView } from './log-service';

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
}

export const DEFAULT_TAIL_OPTIONS: LogTailOptions = { pollMs: 500, maxLinesPerPoll: 500, maxTails: 50, lookbackUs: 10_000_000 };

export interface TailSink {
  /** New matching lines, oldest first. */
  lines(logs: LogView[]): void;
  /** Lines that matched but were skipped because one poll found too many. */
  dropped(count: number, atLeast: boolean): void;
  /** A poll failed; the tail keeps trying. */
  problem(message: string): void;
}

export interface TailHandle {
  stop(): void;
}

/**
 * Live tail by polling: each tail asks the store every `pollMs` for lines at or
 * after a sliding window start and sends the ones it has not sent yet. Lines
 * that were already stored when the tail opened are never sent.
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

  /** Starts a tail; throws OverloadedError when `maxTails` are running. */
  open(filter: TailFilter, sink: TailSink): TailHandle {
    if (this.tails.size >= this.options.maxTails) {
      throw new OverloadedError(`${this.options.maxTails} live tails are open; try again later`, 5);
    }
    const tail = new Tail(this.store, filter, sink, this.options, this.now, () => this.tails.delete(tail));
    this.tails.add(tail);
    tail.start();
    return tail;
  }

  /** Stops every tail (their HTTP streams are ended by their routes). */
  shutdown(): void {
    for (const tail of [...this.tails]) tail.stop();
  }
}

class Tail implements TailHandle {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private primed = false;
  /** Ids already sent (or present at open) with their times; pruned as the window slides. */
  private readonly seen = new Map<string, number>();
  /** Lines older than this are never sent: present at open, or skipped by a `dropped` notice. */
  private floorUs: number;
  private newestUs: number;

  constructor(
    private readonly store: LogStore,
    private readonly filter: TailFilter,
    private readonly sink: TailSink,
    private readonly options: LogTailOptions,
    private readonly now: () => number,
    private readonly onStop: () => void,
  ) {
    const openedUs = now();
    this.newestUs = openedUs;
    this.floorUs = openedUs - options.lookbackUs;
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
    // A line stamped in the future must not move the window past lines stamped now.
    const windowStartUs = Math.max(this.floorUs, Math.min(this.newestUs, this.now()) - this.options.lookbackUs);
    try {
      const result = await this.store.search({ ...this.filter, startUs: windowStartUs, limit: max + 1 });
      if (this.stopped) return;
      this.take(result.logs, result.total, result.totalIsLowerBound === true, windowStartUs);
    } catch (err) {
      if (!this.stopped) this.sink.problem(err instanceof Error ? err.message : String(err));
    }
    this.schedule();
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
    if (this.primed && fresh.length) this.sink.lines(fresh.reverse().map(logView));
    if (this.primed && full) this.sink.dropped(dropped, totalIsLowerBound);
    this.primed = true;
    // Window starts never move back: ids below this one cannot come again.
    for (const [id, t] of this.seen) if (t < windowStartUs) this.seen.delete(id);
  }
}
