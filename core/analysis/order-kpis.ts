import { minuteOf, MINUTE_US, type RateWindow } from '../topology';
import type { OrderMeasure } from '../dashboards/model';
import type { ChainStageRule } from './chain-stages';
import type { LatencyBucketCount } from './latency-heatmap';
import { ORDER_STAGE, type OrderRollupRow } from './order-rollup';
import { addToHistogram, quantilesMs, type Histogram } from './topology-histogram';

/**
 * Order KPIs of the wall screen (orders per minute, success rate, end-to-end
 * latency, the journey's stages) from the per-minute order roll-up
 * (order-rollup.ts): rows summed per (minute, stage, bucket). Latency
 * quantiles come from the roll-up's log-scale histogram, so they are within
 * one bucket (about ±20 %) of the exact value, like the topology's.
 */

/** Roll-up rows added up: orders, failed ones, the sum of stage offsets and the latency histogram. */
export interface OrderTally {
  orders: number;
  failed: number;
  offsetUs: number;
  latency: Histogram;
}
type Tally = OrderTally;

export function tally(rows: readonly OrderRollupRow[]): Tally {
  const t: Tally = { orders: 0, failed: 0, offsetUs: 0, latency: new Map() };
  for (const r of rows) {
    t.orders += r.orders;
    t.failed += r.failed;
    t.offsetUs += r.offsetUs;
    if (r.orders !== 0) addToHistogram(t.latency, r.bucket, r.orders);
  }
  return t;
}

/** The rows added up per stage (ORDER_STAGE: the orders themselves), stages no order reached left out. */
export function tallyByStage(rows: readonly OrderRollupRow[]): Map<string, OrderTally> {
  const byStage = new Map<string, OrderRollupRow[]>();
  for (const r of rows) {
    const list = byStage.get(r.stage);
    if (list) list.push(r);
    else byStage.set(r.stage, [r]);
  }
  return new Map([...byStage].map(([name, list]) => [name, tally(list)] as const).filter(([name, t]) => t.orders > 0 || name === ORDER_STAGE));
}

const orderRows = (rows: readonly OrderRollupRow[]) => rows.filter((r) => r.stage === ORDER_STAGE);

/** The orders themselves per minute and latency bucket, for a latency heatmap (latency-heatmap.ts). */
export function orderLatencyCounts(rows: readonly OrderRollupRow[]): LatencyBucketCount[] {
  return orderRows(rows).map((r) => ({ minute: r.minute, bucket: r.bucket, count: r.orders }));
}

/** One point per minute from the minute holding startUs to the one holding endUs: orders first seen then, failed ones, latency quantiles. */
export function orderSeries(rows: readonly OrderRollupRow[], window: { startUs: number; endUs: number }) {
  const first = minuteOf(window.startUs);
  const count = (minuteOf(window.endUs) - first) / MINUTE_US + 1;
  const byMinute: OrderRollupRow[][] = Array.from({ length: count }, () => []);
  for (const r of orderRows(rows)) {
    const i = (r.minute - first) / MINUTE_US;
    if (i >= 0 && i < count) byMinute[i].push(r);
  }
  return byMinute.map((list, i) => {
    const t = tally(list);
    const [p50Ms, p95Ms, p99Ms] = quantilesMs(t.latency, [0.5, 0.95, 0.99]);
    return { tUs: first + i * MINUTE_US, orders: t.orders, failed: t.failed, p50Ms, p95Ms, p99Ms };
  });
}

/** A measure over the orders of the rate window's minutes; null when it has no orders (orders per minute: 0). */
export function orderMeasure(rows: readonly OrderRollupRow[], measure: Exclude<OrderMeasure, 'latency'>, rate: RateWindow): number | null {
  const t = tally(orderRows(rows).filter((r) => r.minute >= minuteOf(rate.startUs) && r.minute < rate.endUs));
  switch (measure) {
    case 'ordersPerMinute':
      return rate.seconds > 0 ? t.orders / (rate.seconds / 60) : 0;
    case 'successRate':
      return t.orders > 0 ? (t.orders - t.failed) / t.orders : null;
    case 'p50Ms':
      return quantilesMs(t.latency, [0.5])[0];
    case 'p95Ms':
      return quantilesMs(t.latency, [0.95])[0];
    case 'p99Ms':
      return quantilesMs(t.latency, [0.99])[0];
  }
}

/**
 * The journey as a funnel: stages in CHAIN_STAGES order, then the others by
 * their mean start after the order's start; for each the orders reaching it,
 * the drop-off from the stage before and the p95 of its time. The slowest
 * stage is the one with the largest p95.
 */
export function stageFunnel(rows: readonly OrderRollupRow[], rules: readonly ChainStageRule[]) {
  const tallies = tallyByStage(rows);
  const orders = tallies.get(ORDER_STAGE)?.orders ?? 0;
  tallies.delete(ORDER_STAGE);
  const configured = [...new Set(rules.map((r) => r.stage))];
  const rank = (name: string) => {
    const i = configured.indexOf(name);
    return i >= 0 ? i : configured.length;
  };
  const meanOffset = (name: string) => {
    const t = tallies.get(name)!;
    return t.offsetUs / t.orders;
  };
  const names = [...tallies.keys()].sort((a, b) => rank(a) - rank(b) || meanOffset(a) - meanOffset(b) || (a < b ? -1 : 1));
  const stages = names.map((name, i) => {
    const t = tallies.get(name)!;
    const before = i === 0 ? t.orders : tallies.get(names[i - 1])!.orders;
    return { name, orders: t.orders, dropOff: Math.max(0, before - t.orders), p95Ms: quantilesMs(t.latency, [0.95])[0] };
  });
  let slowest: (typeof stages)[number] | null = null;
  for (const s of stages) if (s.p95Ms !== null && (slowest === null || s.p95Ms > slowest.p95Ms!)) slowest = s;
  return { orders, stages, slowestStage: slowest?.name ?? null };
}
