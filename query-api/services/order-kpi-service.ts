import { orderFacts, type OrderFact } from '../../core/analysis/order-kpis';
import type { ChainStageRule } from '../../core/analysis/chain-stages';
import { CHAIN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { SpanStore } from '../../core/contracts/span-store';
import type { TraceSummary } from '../../core/model';
import { minuteOf, MINUTE_US } from '../../core/topology';
import { mapLimited } from '../../core/util/map-limited';

/** Orders read per minute at most (the store's slowestBusinessKeys cap): a busier minute counts its slowest ones (`truncated`). */
const ORDERS_PER_MINUTE_READ = CHAIN_READ_LIMITS.slowestKeys;
/** Traces of one order whose summaries are read (for failed and stages). */
const TRACES_PER_ORDER = 50;
/** A minute that ended this long ago is settled: its orders are kept and not read again (late traces of an order arrive within seconds). */
export const SETTLE_US = 2 * MINUTE_US;
/** Settled minutes kept (per key), about a day of one key. */
const MAX_CACHED_MINUTES = 1_500;
const MINUTE_READS_IN_FLIGHT = 4;

interface MinuteOrders {
  facts: OrderFact[];
  truncated: boolean;
}

/**
 * The orders of a window, read one minute at a time from the business-key
 * index and the trace summaries. Settled minutes are kept, so a wall screen
 * refreshing every 10 s reads the last two or three minutes, not the hour.
 */
export class OrderKpiService {
  private readonly settled = new Map<string, MinuteOrders>();
  private readonly inFlight = new Map<string, Promise<MinuteOrders>>();

  constructor(
    private readonly spans: SpanStore,
    private readonly rules: readonly ChainStageRule[],
    private readonly nowUs: () => number = () => Date.now() * 1000,
  ) {}

  /** The orders first seen in the window; panels of one refresh asking for the same minutes share each minute's read. */
  async orders(key: string, window: { startUs: number; endUs: number }): Promise<MinuteOrders> {
    const minutes: number[] = [];
    for (let m = minuteOf(window.startUs); m <= window.endUs; m += MINUTE_US) minutes.push(m);
    const settledBefore = this.nowUs() - SETTLE_US;
    const parts = await mapLimited(minutes, MINUTE_READS_IN_FLIGHT, async (m) => {
      const cacheKey = `${key}\u0000${m}`;
      const kept = this.settled.get(cacheKey);
      if (kept) return kept;
      const running = this.inFlight.get(cacheKey);
      if (running) return running;
      const reading = this.readMinute(key, m).finally(() => this.inFlight.delete(cacheKey));
      this.inFlight.set(cacheKey, reading);
      const read = await reading;
      if (m + MINUTE_US <= settledBefore) this.keep(cacheKey, read);
      return read;
    });
    return {
      facts: parts.flatMap((p) => p.facts).filter((f) => f.startUs >= window.startUs && f.startUs <= window.endUs),
      truncated: parts.some((p) => p.truncated),
    };
  }

  private async readMinute(key: string, minute: number): Promise<MinuteOrders> {
    const keys = await this.spans.slowestBusinessKeys(key, { startUs: minute, endUs: minute + MINUTE_US - 1 }, ORDERS_PER_MINUTE_READ);
    const ids = [...new Set(keys.flatMap((k) => k.traceIds.slice(0, TRACES_PER_ORDER)))];
    const summaries = new Map<string, TraceSummary>();
    for (let i = 0; i < ids.length; i += CHAIN_READ_LIMITS.summaryTraceIds) {
      for (const s of await this.spans.traceSummaries(ids.slice(i, i + CHAIN_READ_LIMITS.summaryTraceIds))) summaries.set(s.traceId, s);
    }
    return { facts: orderFacts(keys, summaries, this.rules), truncated: keys.length >= ORDERS_PER_MINUTE_READ };
  }

  private keep(cacheKey: string, orders: MinuteOrders): void {
    this.settled.set(cacheKey, orders);
    // Map keeps insertion order: the first entry is the oldest kept
    while (this.settled.size > MAX_CACHED_MINUTES) this.settled.delete(this.settled.keys().next().value!);
  }
}
