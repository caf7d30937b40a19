import type { OrderRollupRow } from '../../core/analysis/order-rollup';
import type { BusinessKeySpan, SpanStore } from '../../core/contracts/span-store';

interface Window {
  startUs: number;
  endUs: number;
}

/**
 * The order panels' reads: the per-minute order roll-up the span store keeps
 * at ingest (core/analysis/order-rollup.ts) and its slowest orders. Panels of
 * one refresh asking for the same key and window share one read.
 */
export class OrderKpiService {
  private readonly inFlight = new Map<string, Promise<OrderRollupRow[]>>();

  constructor(private readonly spans: SpanStore) {}

  /** The roll-up rows of every minute touching the window, summed per (minute, stage, bucket). */
  minutes(key: string, window: Window): Promise<OrderRollupRow[]> {
    const id = `${key}\u0000${window.startUs}\u0000${window.endUs}`;
    const running = this.inFlight.get(id);
    if (running) return running;
    const reading = this.spans.orderMinutes(key, window).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, reading);
    return reading;
  }

  /** The `count` slowest orders first seen in the window (only failed ones with `failedOnly`), as a slow-chains ranking. */
  slowest(key: string, window: Window, count: number, failedOnly: boolean): Promise<BusinessKeySpan[]> {
    return this.spans.slowestOrders(key, window, count, failedOnly);
  }
}
