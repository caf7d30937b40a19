/**
 * A token bucket: refills at `ratePerSecond`, holds at most `capacity`.
 *
 * A request costing more than the whole capacity (one large export) is let
 * in when the bucket is full and leaves it in debt, so no size of request is
 * refused forever; the debt is paid back before anything else gets in.
 */
export class TokenBucket {
  private level: number;
  private updatedAtMs: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    nowMs = Date.now(),
  ) {
    this.level = capacity;
    this.updatedAtMs = nowMs;
  }

  /** Seconds until `cost` may be taken (0: now). */
  waitSeconds(cost: number, nowMs = Date.now()): number {
    this.refill(nowMs);
    const needed = Math.min(cost, this.capacity);
    return this.level >= needed ? 0 : (needed - this.level) / this.ratePerSecond;
  }

  take(cost: number, nowMs = Date.now()): void {
    this.refill(nowMs);
    this.level -= cost;
  }

  /** Whether it is full again (nothing to remember about its owner). */
  isFull(nowMs = Date.now()): boolean {
    this.refill(nowMs);
    return this.level >= this.capacity;
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.updatedAtMs) / 1000;
    this.level = Math.min(this.capacity, this.level + elapsed * this.ratePerSecond);
    this.updatedAtMs = nowMs;
  }
}
