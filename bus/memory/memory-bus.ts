import type { BatchHandler, Bus, BusMessage, Subscription } from '../../core/contracts/bus';
import { ChainscopeError, OverloadedError } from '../../core/errors';
import { backoffDelayMs, sleep } from '../../core/util/backoff';
import { RateLimitedLog } from '../../core/util/rate-limited-log';

export interface MemoryBusOptions {
  /** Queued payload bytes per topic before publish answers OverloadedError. */
  capacityBytes: number;
  /** Messages handed to a handler at once, at most. */
  maxBatchMessages?: number;
  /** Payload bytes handed to a handler at once, at most (a single larger message still goes alone). Default 8 MiB. */
  maxBatchBytes?: number;
  /** How long shutdown() waits for queues to drain. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

/** One consumer group's queue on one topic. */
class GroupQueue {
  readonly messages: BusMessage[] = [];
  bytes = 0;
  private wake: (() => void) | null = null;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    readonly name: string,
    private readonly handler: BatchHandler,
    private readonly maxBatch: number,
    private readonly maxBatchBytes: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(messages: BusMessage[], bytes: number): void {
    for (const m of messages) this.messages.push(m);
    this.bytes += bytes;
    this.wake?.();
  }

  get idle(): boolean {
    return this.messages.length === 0 && !this.busy;
  }

  private busy = false;

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.wake?.();
    await this.loop;
  }

  /** The oldest messages, bounded by count and bytes, so the decoded batch a handler holds stays bounded too. */
  private nextBatch(): BusMessage[] {
    const batch: BusMessage[] = [];
    let bytes = 0;
    for (const m of this.messages) {
      if (batch.length >= this.maxBatch || (batch.length > 0 && bytes + m.value.length > this.maxBatchBytes)) break;
      batch.push(m);
      bytes += m.value.length;
    }
    return batch;
  }

  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    let attempt = 0;
    while (!signal.aborted) {
      if (this.messages.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const batch = this.nextBatch();
      this.busy = true;
      try {
        await this.handler(batch);
        // Advance only after the handler resolved: at-least-once.
        this.messages.splice(0, batch.length);
        this.bytes -= batch.reduce((n, m) => n + m.value.length, 0);
        attempt = 0;
      } catch (err) {
        this.onError(err);
        await sleep(backoffDelayMs(attempt++, 50, 5_000), signal);
      } finally {
        this.busy = false;
      }
    }
  }
}

/**
 * The in-process bus of the all-in-one deployment: bounded per topic, with
 * back-pressure (publish rejects when full) and at-least-once delivery to each
 * consumer group. Not durable across restarts: shutdown() drains it first.
 */
export class MemoryBus implements Bus {
  private readonly topics = new Map<string, { groups: Map<string, GroupQueue>; pending: BusMessage[]; pendingBytes: number }>();
  private readonly errors: RateLimitedLog;
  private stopped = false;
  /** Messages dropped from topics nobody subscribed to, oldest first, to stay within capacity. */
  droppedUnread = 0;
  private shutdownPromise: Promise<void> | null = null;

  constructor(private readonly options: MemoryBusOptions) {
    this.errors = new RateLimitedLog(options.log);
  }

  async start(): Promise<void> {}

  private topic(name: string) {
    let t = this.topics.get(name);
    if (!t) {
      t = { groups: new Map(), pending: [], pendingBytes: 0 };
      this.topics.set(name, t);
    }
    return t;
  }

  /** Bytes queued on a topic (the fullest group). */
  queuedBytes(topic: string): number {
    const t = this.topics.get(topic);
    if (!t) return 0;
    let max = t.pendingBytes;
    for (const g of t.groups.values()) max = Math.max(max, g.bytes);
    return max;
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.stopped) throw new ChainscopeError('bus is shut down', true);
    if (messages.length === 0) return;
    const bytes = messages.reduce((n, m) => n + m.value.length, 0);
    const subscribed = (this.topics.get(topic)?.groups.size ?? 0) > 0;
    if (subscribed && this.queuedBytes(topic) + bytes > this.options.capacityBytes) {
      throw new OverloadedError(`in-process bus topic ${topic} is full (${this.options.capacityBytes} bytes queued)`, 1);
    }
    const t = this.topic(topic);
    if (t.groups.size === 0) {
      // Nobody reads this topic yet (e.g. a dead-letter topic in all-in-one): keep the newest, bounded.
      for (const m of messages) t.pending.push(m);
      t.pendingBytes += bytes;
      while (t.pendingBytes > this.options.capacityBytes && t.pending.length > 0) {
        t.pendingBytes -= t.pending.shift()!.value.length;
        this.droppedUnread++;
      }
      return;
    }
    for (const g of t.groups.values()) g.push(messages, bytes);
  }

  async subscribe(topic: string, group: string, handler: BatchHandler): Promise<Subscription> {
    const t = this.topic(topic);
    if (t.groups.has(group)) throw new ChainscopeError(`group ${group} already subscribed to ${topic} in this process`);
    const queue = new GroupQueue(group, handler, this.options.maxBatchMessages ?? 64, this.options.maxBatchBytes ?? 8 * 1024 * 1024, (err) =>
      this.errors.warn(`${topic}/${group}`, `bus: handler for ${topic}/${group} failed, retrying: ${(err as Error)?.message ?? err}`),
    );
    if (t.groups.size === 0 && t.pending.length > 0) {
      queue.push(t.pending.splice(0), t.pendingBytes);
      t.pendingBytes = 0;
    }
    t.groups.set(group, queue);
    queue.start();
    return {
      close: async () => {
        t.groups.delete(group);
        await queue.stop();
      },
    };
  }

  /** True when every group of every topic has handled everything published. */
  drained(): boolean {
    for (const t of this.topics.values()) for (const g of t.groups.values()) if (!g.idle) return false;
    return true;
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.stopped = true;
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 30_000);
    while (!this.drained() && Date.now() < deadline) await sleep(10);
    if (!this.drained()) this.errors.warn('shutdown', 'bus: shutdown deadline passed with messages still queued');
    await Promise.all([...this.topics.values()].flatMap((t) => [...t.groups.values()].map((g) => g.stop())));
  }
}
