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
    const { maxBatchMessages, maxBatchBytes } = this.settings;
    while (!signal.aborted) {
      await this.log.waitForData(this.position, signal);
      if (signal.aborted) break;
      let batch: Awaited<ReturnType<TopicLog['read']>>;
      try {
        batch = await this.log.read(this.position, maxBatchMessages, maxBatchBytes);
      } catch (err) {
        // the file could not be read (I/O error): nothing handled, try again later
        this.failure = failedAgain(this.failure, `cannot read the log: ${errorMessage(err)}`);
        this.onError(err);
        await sleep(this.settings.retryCapMs, signal);
        continue;
      }
      if (batch.messages.length > 0 && !(await this.deliver(batch.messages, signal))) break;
      if (batch.next !== this.position) {
        this.position = batch.next;
        this.log.advance(this.group, this.position);
      }
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
