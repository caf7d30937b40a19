import type { BusinessKeySpan } from '../contracts/span-store';
import type { TraceSummary } from '../model';
import { minuteOf, MINUTE_US, type RateWindow } from '../topology';
import type { OrderMeasure } from '../dashboards/model';
import { ruleMatches, stageOfTrace, type ChainStageRule } from './chain-stages';

/**
 * Order KPIs of the wall screen (orders per minute, success rate, end-to-end
 * latency, the journey's stages) from chain summaries: the business-key read
 * (a value with the traces carrying it and their time span) and the trace
 * summaries of those traces, never the spans.
 */

/** One order as its chain summary gives it. */
export interface OrderFact {
  value: string;
  startUs: number;
  endUs: number;
  /** The traces carrying the key (as the key read gave them). */
  traceIds: string[];
  /** Some trace of the order has an error span. */
  failed: boolean;
  /** Its stages (by CHAIN_STAGES, else one per kind of entry trace), each from its first trace start to its last trace end. */
  stages: { name: string; startUs: number; endUs: number }[];
}

/** Orders from the key read and the summaries of their traces (a trace without a summary counts neither as failed nor in a stage). */
export function orderFacts(keys: readonly BusinessKeySpan[], summaries: ReadonlyMap<string, TraceSummary>, rules: readonly ChainStageRule[]): OrderFact[] {
  return keys.map((k) => {
    const stages = new Map<string, { name: string; startUs: number; endUs: number }>();
    let failed = false;
    for (const id of k.traceIds) {
      const s = summaries.get(id);
      if (!s) continue;
      if (s.errorCount > 0) failed = true;
      const name = stageOfSummary(s, rules);
      const stage = stages.get(name);
      const endUs = s.startUs + s.durationUs;
      if (!stage) stages.set(name, { name, startUs: s.startUs, endUs });
      else {
        stage.startUs = Math.min(stage.startUs, s.startUs);
        stage.endUs = Math.max(stage.endUs, endUs);
      }
    }
    return { value: k.value, startUs: k.startUs, endUs: k.endUs, traceIds: k.traceIds, failed, stages: [...stages.values()].sort((a, b) => a.startUs - b.startUs) };
  });
}

/**
 * A trace's stage from its summary: the first rule naming its root, else the
 * default stage of chain-stages.ts ("<root service>: <root name>"). A summary
 * holds no other span, so a rule matching only an inner span is not seen here
 * (the chain page, which loads the spans, would see it).
 */
function stageOfSummary(s: TraceSummary, rules: readonly ChainStageRule[]): string {
  const byRoot = rules.find((r) => ruleMatches(r, { service: s.rootService, name: s.rootName }));
  return byRoot?.stage ?? stageOfTrace({ traceId: s.traceId, root: undefined, spans: [], rootService: s.rootService, rootName: s.rootName, startUs: s.startUs, endUs: s.startUs + s.durationUs }, []);
}

/** Nearest-rank quantile of ascending `sorted`; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const durationsMs = (facts: readonly OrderFact[]) => facts.map((f) => (f.endUs - f.startUs) / 1000).sort((a, b) => a - b);

/** One point per minute from the minute holding startUs to the one holding endUs: orders first seen then, failed ones, latency quantiles. */
export function orderSeries(facts: readonly OrderFact[], window: { startUs: number; endUs: number }) {
  const first = minuteOf(window.startUs);
  const count = (minuteOf(window.endUs) - first) / MINUTE_US + 1;
  const byMinute: OrderFact[][] = Array.from({ length: count }, () => []);
  for (const f of facts) {
    const i = (minuteOf(f.startUs) - first) / MINUTE_US;
    if (i >= 0 && i < count) byMinute[i].push(f);
  }
  return byMinute.map((list, i) => {
    const d = durationsMs(list);
    return {
      tUs: first + i * MINUTE_US,
      orders: list.length,
      failed: list.filter((f) => f.failed).length,
      p50Ms: quantile(d, 0.5),
      p95Ms: quantile(d, 0.95),
      p99Ms: quantile(d, 0.99),
    };
  });
}

/** A measure over the orders first seen in the rate window; null when it has no orders (orders per minute: 0). */
export function orderMeasure(facts: readonly OrderFact[], measure: Exclude<OrderMeasure, 'latency'>, rate: RateWindow): number | null {
  const inRate = facts.filter((f) => f.startUs >= rate.startUs && f.startUs < rate.endUs);
  switch (measure) {
    case 'ordersPerMinute':
      return rate.seconds > 0 ? inRate.length / (rate.seconds / 60) : 0;
    case 'successRate':
      return inRate.length ? inRate.filter((f) => !f.failed).length / inRate.length : null;
    case 'p50Ms':
      return quantile(durationsMs(inRate), 0.5);
    case 'p95Ms':
      return quantile(durationsMs(inRate), 0.95);
    case 'p99Ms':
      return quantile(durationsMs(inRate), 0.99);
  }
}

/**
 * The journey as a funnel: stages in CHAIN_STAGES order, then the others by
 * their median start after the order's start; for each the orders reaching it,
 * the drop-off from the stage before and the p95 of its time. The slowest
 * stage is the one with the largest p95.
 */
export function stageFunnel(facts: readonly OrderFact[], rules: readonly ChainStageRule[]) {
  const byStage = new Map<string, { orders: number; durations: number[]; offsets: number[] }>();
  for (const f of facts) {
    for (const s of f.stages) {
      let entry = byStage.get(s.name);
      if (!entry) byStage.set(s.name, (entry = { orders: 0, durations: [], offsets: [] }));
      entry.orders++;
      entry.durations.push((s.endUs - s.startUs) / 1000);
      entry.offsets.push(s.startUs - f.startUs);
    }
  }
  const configured = [...new Set(rules.map((r) => r.stage))];
  const rank = (name: string) => {
    const i = configured.indexOf(name);
    return i >= 0 ? i : configured.length;
  };
  const medianOffset = (name: string) => quantile([...byStage.get(name)!.offsets].sort((a, b) => a - b), 0.5) ?? 0;
  const names = [...byStage.keys()].sort((a, b) => rank(a) - rank(b) || medianOffset(a) - medianOffset(b) || (a < b ? -1 : 1));
  const stages = names.map((name, i) => {
    const e = byStage.get(name)!;
    const before = i === 0 ? e.orders : byStage.get(names[i - 1])!.orders;
    return { name, orders: e.orders, dropOff: Math.max(0, before - e.orders), p95Ms: quantile(e.durations.sort((a, b) => a - b), 0.95) };
  });
  let slowest: string | null = null;
  for (const s of stages) if (s.p95Ms !== null && (slowest === null || s.p95Ms > stages.find((x) => x.name === slowest)!.p95Ms!)) slowest = s.name;
  return { orders: facts.length, stages, slowestStage: slowest };
}

/** The `count` slowest orders (end to end, then value), as a slow-chains ranking (BusinessKeySpan). */
export function slowestOrders(facts: readonly OrderFact[], count: number): BusinessKeySpan[] {
  return [...facts]
    .sort((a, b) => b.endUs - b.startUs - (a.endUs - a.startUs) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, count)
    .map((f) => ({ value: f.value, traceIds: f.traceIds, startUs: f.startUs, endUs: f.endUs }));
}
