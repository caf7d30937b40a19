import { errorMessage, failedAgain, type ConsumerFailure } from '../consumer-failures';
import type { BatchHandler } from '../../core/contracts/bus';
import { backoffDelayMs, sleep } from '../../core/util/backoff';
import type { TopicLog } from './topic-log';

export interface GroupReaderSettings {
  maxBatchMessages: number;
  maxBatchBytes: number;
  /** Backoff between redeliveries of a failed batch: full jitter, base and cap. */
  retryBaseMs: number;
  retryCapMs: number;
  /**
   * Batches the handler may be running at once (1 = one at a time). More let
   * a handler with several workers overlap them; they may then finish out of
   * order, and the group's position still moves past a batch only once it and
   * every batch before it resolved.
   */
  maxInFlightBatches: number;
}

/** Handled batches that may wait behind an older one still running, per batch in flight. */
const MAX_WAITING_PER_SLOT = 4;

/** A batch handed to the handler: where the position goes once it (and every older one) resolved. */
interface InFlight {
  next: number;
  /** Set when the handler resolved (true) or the reader stopped before it did (false). */
  outcome: boolean | null;
  settled: Promise<void>;
}

/**
 * One consumer group on one topic: reads batches from its position, hands
 * them to the handler, and advances only after the handler resolved. A failed
 * batch is retried, the same messages, after a jittered backoff.
 */
export class GroupReader {
  /** Set while the handler's latest attempt failed; cleared by the next success. */
  failure: ConsumerFailure | null = null;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  private position: number;

  constructor(
    readonly topic: string,
    readonly group: string,
    private readonly log: TopicLog,
    private readonly handler: BatchHandler,
    private readonly settings: GroupReaderSettings,
    private readonly onError: (err: unknown) => void,
  ) {
    this.position = log.register(group);
  }

  /** True when the group handled every synced record. */
  get caughtUp(): boolean {
    return this.log.caughtUp(this.position);
  }

  start(): void {
    this.loop = this.run().catch((err) => this.onError(err));
  }

  /** Stops after the batch in flight (its handler is not interrupted) and gives the position back to the log. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    this.log.unregister(this.group);
  }

  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    const { maxBatchMessages, maxBatchBytes, maxInFlightBatches } = this.settings;
    const inFlight: InFlight[] = [];
    let readPos = this.position;
    while (!signal.aborted) {
      const running = inFlight.filter((b) => b.outcome === null);
      // handled batches wait behind an older one still running; bounded, so a batch failing for long stops the reading
      const room = running.length < maxInFlightBatches && inFlight.length < maxInFlightBatches * MAX_WAITING_PER_SLOT;
      if (room && !this.log.caughtUp(readPos)) {
        let batch: Awaited<ReturnType<TopicLog['read']>>;
        try {
          batch = await this.log.read(readPos, maxBatchMessages, maxBatchBytes);
        } catch (err) {
          // the file could not be read (I/O error): nothing handled, try again later
          this.failure = failedAgain(this.failure, `cannot read the log: ${errorMessage(err)}`);
          this.onError(err);
          await sleep(this.settings.retryCapMs, signal);
          continue;
        }
        // a batch of nothing (skipped corrupt records) still moves the position, in its turn
        inFlight.push(batch.messages.length > 0 ? this.handOver(batch.messages, batch.next, signal) : done(batch.next));
        readPos = batch.next;
      } else {
        // go on when a batch is handled or, with room for another, when more records are there
        const waitEnded = new AbortController();
        const wakers = running.map((b) => b.settled);
        if (room || wakers.length === 0) wakers.push(this.log.waitForData(readPos, AbortSignal.any([signal, waitEnded.signal])));
        await Promise.race(wakers);
        waitEnded.abort();
      }
      this.advancePastHandled(inFlight);
    }
    // stopped: batches in flight are not interrupted, and the position keeps what they handled
    await Promise.all(inFlight.map((b) => b.settled));
    this.advancePastHandled(inFlight);
  }

  private handOver(messages: Parameters<BatchHandler>[0], next: number, signal: AbortSignal): InFlight {
    const batch: InFlight = { next, outcome: null, settled: Promise.resolve() };
    batch.settled = this.deliver(messages, signal).then((handled) => void (batch.outcome = handled));
    return batch;
  }

  /** Moves the position past the oldest batches that were handled, up to the first one that is not (yet). */
  private advancePastHandled(inFlight: InFlight[]): void {
    let next = this.position;
    while (inFlight.length > 0 && inFlight[0].outcome === true) next = inFlight.shift()!.next;
    if (next !== this.position) {
      this.position = next;
      this.log.advance(this.group, next);
    }
  }

  /** True once the handler resolved; false when stopped before it did. */
  private async deliver(messages: Parameters<BatchHandler>[0], signal: AbortSignal): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handler(messages);
        this.failure = null;
        return true;
      } catch (err) {
        this.failure = failedAgain(this.failure, errorMessage(err));
        this.onError(err);
        await sleep(backoffDelayMs(attempt, this.settings.retryBaseMs, this.settings.retryCapMs), signal);
        if (signal.aborted) return false;
      }
    }
  }
}

function done(next: number): InFlight {
  return { next, outcome: true, settled: Promise.resolve() };
}
