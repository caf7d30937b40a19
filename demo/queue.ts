/**
 * In-process stand-ins for a message broker (Kafka-like topic with one consumer
 * group) and a delayed-job scheduler. Both are bounded: when full they drop and
 * count, so a stuck consumer or a dead OTLP endpoint never grows memory.
 */
import { uniform } from './random';

export interface Message<T> {
  id: string;
  topic: string;
  /** Carrier for trace context (traceparent), like Kafka record headers. */
  headers: Record<string, string>;
  payload: T;
  publishedAt: number;
}

export class BoundedTopic<T> {
  private items: Message<T>[] = [];
  private active = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private handler: ((m: Message<T>) => Promise<void>) | null = null;
  private running = new Set<Promise<void>>();
  dropped = 0;
  published = 0;
  consumed = 0;
  closed = false;

  constructor(
    readonly name: string,
    private readonly capacity: number,
    private readonly concurrency: number,
    /** Simulated consumer poll lag in ms (min, max). */
    private readonly lagMs: [number, number] = [10, 120],
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Returns false (and counts a drop) when the topic is full or closed. */
  publish(m: Message<T>): boolean {
    if (this.closed || this.items.length >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.items.push(m);
    this.published++;
    this.schedulePoll();
    return true;
  }

  subscribe(handler: (m: Message<T>) => Promise<void>): void {
    this.handler = handler;
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.closed || !this.handler) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.poll();
    }, uniform(this.lagMs[0], this.lagMs[1]));
    this.pollTimer.unref();
  }

  private poll(): void {
    const handler = this.handler;
    if (!handler || this.closed) return;
    while (this.active < this.concurrency && this.items.length > 0) {
      const m = this.items.shift() as Message<T>;
      this.active++;
      this.consumed++;
      const p: Promise<void> = handler(m)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.running.delete(p);
          if (this.items.length > 0) this.schedulePoll();
        });
      this.running.add(p);
    }
  }

  /** True when nothing is queued or being handled. */
  get idle(): boolean {
    return this.items.length === 0 && this.active === 0;
  }

  /** Stop accepting and delivering; pending messages are dropped and counted. */
  close(): void {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.dropped += this.items.length;
    this.items = [];
  }

  async drainHandlers(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}

/** Runs jobs after a delay; bounded number of pending jobs. */
export class DelayedJobs<T> {
  private pending = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private running = new Set<Promise<void>>();
  private handler: ((m: Message<T>) => Promise<void>) | null = null;
  dropped = 0;
  scheduled = 0;
  executed = 0;
  closed = false;

  constructor(readonly name: string, private readonly capacity: number) {}

  subscribe(handler: (m: Message<T>) => Promise<void>): void {
    this.handler = handler;
  }

  schedule(m: Message<T>, delayMs: number): boolean {
    if (this.closed || this.pending.size >= this.capacity) {
      this.dropped++;
      return false;
    }
    const timer = setTimeout(() => {
      this.pending.delete(m.id);
      const handler = this.handler;
      if (!handler || this.closed) {
        this.dropped++;
        return;
      }
      this.executed++;
      const p: Promise<void> = handler(m)
        .catch(() => undefined)
        .finally(() => this.running.delete(p));
      this.running.add(p);
    }, delayMs);
    timer.unref();
    this.pending.set(m.id, { timer, due: Date.now() + delayMs });
    this.scheduled++;
    return true;
  }

  get idle(): boolean {
    return this.pending.size === 0 && this.running.size === 0;
  }

  /** Ms until the last pending job is due (0 if none). */
  lastDueIn(): number {
    let max = 0;
    for (const { due } of this.pending.values()) max = Math.max(max, due - Date.now());
    return max;
  }

  close(): void {
    this.closed = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.dropped += this.pending.size;
    this.pending.clear();
  }

  async drainHandlers(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
