import { drainUnlessStuck, errorMessage, failedAgain, type ConsumerFailure, type FailingConsumer, type LocalBusStatus } from '../consumer-failures';
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
  /**
   * How long a consumer may keep failing during shutdown before the drain
   * gives up early (its store cannot write, so waiting longer only risks a
   * SIGKILL before the spill). Default 2 s.
   */
  drainGiveUpAfterFailingMs?: number;
  /**
   * Called once at shutdown with every message still unhandled on a topic
   * (after the drain), so the owner can keep them for the next start. Without
   * it such messages are lost (and said so in the log).
   */
  spill?: (topic: string, messages: BusMessage[]) => Promise<void>;
  log?: (line: string) => void;
}

/** One consumer group's queue on one topic. */
class GroupQueue {
  readonly messages: BusMessage[] = [];
  bytes = 0;
  private wake: (() => void) | null = null;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  /** Set while the handler's latest attempt failed; cleared by the next success. */
  failure: ConsumerFailure | null = null;
  /** Messages ever enqueued and ever handled: a position to wait for (see handledThrough). */
  private enqueuedTotal = 0;
  private handledTotal = 0;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    private readonly handler: BatchHandler,
    private readonly maxBatch: number,
    private readonly maxBatchBytes: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Enqueues; returns the position after these messages (see handledThrough). */
  push(messages: BusMessage[], bytes: number): number {
    for (const m of messages) this.messages.push(m);
    this.bytes += bytes;
    this.enqueuedTotal += messages.length;
    this.wake?.();
    return this.enqueuedTotal;
  }

  /** Resolves once every message enqueued up to `position` has been handled. */
  handledThrough(position: number): Promise<void> {
    if (this.handledTotal >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
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

  private advance(count: number): void {
    this.handledTotal += count;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= this.handledTotal) this.waiters.splice(i, 1)[0].resolve();
    }
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
        this.advance(batch.length);
        attempt = 0;
        this.failure = null;
      } catch (err) {
        this.failure = failedAgain(this.failure, errorMessage(err));
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
 * consumer group. Not durable across a crash: shutdown() drains it first and
 * hands what could not be handled (a store that cannot write) to `spill`.
 * While a group's handler is failing, publishing to its topic is refused
 * (OverloadedError), so senders keep their data instead of it piling up here.
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
    const failing = this.failingConsumers().find((f) => f.topic === topic);
    if (failing) {
      // The store behind this topic cannot write (e.g. disk full): say so and let senders keep their data.
      throw new OverloadedError(`cannot store ${topic} right now: ${failing.reason}`, 5);
    }
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

  /**
   * Puts back messages kept from an earlier run (see `spill`), ahead of new
   * ones and regardless of capacity (they were within it when kept). Resolves
   * once every current subscriber of the topic has handled them, so the owner
   * knows when their copy may go.
   */
  async restore(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.stopped) throw new ChainscopeError('bus is shut down', true);
    const t = this.topics.get(topic);
    if (!t || t.groups.size === 0) throw new ChainscopeError(`cannot restore to ${topic}: nobody subscribed to it`);
    if (messages.length === 0) return;
    const bytes = messages.reduce((n, m) => n + m.value.length, 0);
    await Promise.all([...t.groups.values()].map((g) => g.handledThrough(g.push(messages, bytes))));
  }

  /** Consumer groups whose latest attempt failed: publishing to their topic is refused until they recover. */
  failingConsumers(): FailingConsumer[] {
    const out: FailingConsumer[] = [];
    for (const [topic, t] of this.topics) {
      for (const g of t.groups.values()) if (g.failure) out.push({ topic, group: g.name, ...g.failure });
    }
    return out;
  }

  status(): LocalBusStatus {
    const queuedBytes: Record<string, number> = {};
    for (const [topic, t] of this.topics) if (t.groups.size > 0) queuedBytes[topic] = this.queuedBytes(topic);
    return { queuedBytes, failing: this.failingConsumers() };
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
    await drainUnlessStuck(() => this.drained(), () => this.failingConsumers(), deadline, this.options.drainGiveUpAfterFailingMs ?? 2_000);
    await Promise.all([...this.topics.values()].flatMap((t) => [...t.groups.values()].map((g) => g.stop())));
    await this.spillUnhandled();
  }

  /** Hands what no group handled to `spill`, once per message even when several groups hold it. */
  private async spillUnhandled(): Promise<void> {
    for (const [topic, t] of this.topics) {
      const seen = new Set<BusMessage>();
      for (const g of t.groups.values()) for (const m of g.messages) seen.add(m);
      if (seen.size === 0) continue;
      const messages = [...seen];
      if (!this.options.spill) {
        this.errors.warn('shutdown', `bus: shutdown with ${messages.length} unhandled messages on ${topic}; they are lost (no spill configured)`);
        continue;
      }
      try {
        await this.options.spill(topic, messages);
      } catch (err) {
        this.errors.warn('shutdown', `bus: could not keep ${messages.length} unhandled messages on ${topic}: ${(err as Error)?.message ?? err}`);
      }
    }
  }
}
