import type { BusinessKeySpan } from '../contracts/span-store';
import type { TraceSummary } from '../model';
import { ruleMatches, stageOfTrace, type ChainStageRule } from './chain-stages';

/**
 * An order (one business-key value) as the summaries of the traces carrying
 * it give it: what the per-minute order roll-up (order-rollup.ts) counts.
 */
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

/** Traces of one order whose summaries make its fact: the first ones by trace id (the same ones on every backend). */
export const ORDER_FACT_TRACES = 50;

/** Orders from the key read and the summaries of their traces (a trace without a summary counts neither as failed nor in a stage). */
export function orderFacts(keys: readonly BusinessKeySpan[], summaries: ReadonlyMap<string, TraceSummary>, rules: readonly ChainStageRule[]): OrderFact[] {
  return keys.map((k) => {
    const stages: StagesByName = new Map();
    let failed = false;
    for (const id of k.traceIds) {
      const s = summaries.get(id);
      if (!s) continue;
      if (s.errorCount > 0) failed = true;
      widenStage(stages, stageOfSummary(s, rules), s);
    }
    return { value: k.value, startUs: k.startUs, endUs: k.endUs, traceIds: k.traceIds, failed, stages: stagesInOrder(stages) };
  });
}

/** An order's stages by name, while they are being made. */
export type StagesByName = Map<string, OrderFact['stages'][number]>;

/** The stage `name` stretched to cover the trace of summary `s` (first start to last end). */
export function widenStage(stages: StagesByName, name: string, s: TraceSummary): void {
  const stage = stages.get(name);
  const endUs = s.startUs + s.durationUs;
  if (!stage) stages.set(name, { name, startUs: s.startUs, endUs });
  else {
    stage.startUs = Math.min(stage.startUs, s.startUs);
    stage.endUs = Math.max(stage.endUs, endUs);
  }
}

/** The stages as a fact keeps them: by start, then name. */
export function stagesInOrder(stages: StagesByName): OrderFact['stages'] {
  return [...stages.values()].sort((a, b) => a.startUs - b.startUs || (a.name < b.name ? -1 : 1));
}

/** An order's trace ids as its fact lists them: the first ORDER_FACT_TRACES by id, once each. */
export function orderFactTraceIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort().slice(0, ORDER_FACT_TRACES);
}

/**
 * The facts of orders from their trace ids and the summaries of those traces:
 * an order spans its known traces (first start to last end); an order none of
 * whose traces has a summary yet has no fact.
 */
export function orderFactsOfTraces(traceIdsByValue: ReadonlyMap<string, readonly string[]>, summaries: ReadonlyMap<string, TraceSummary>, rules: readonly ChainStageRule[]): OrderFact[] {
  const keys: BusinessKeySpan[] = [];
  for (const [value, ids] of traceIdsByValue) {
    const traceIds = orderFactTraceIds(ids);
    let startUs = Infinity;
    let endUs = -Infinity;
    for (const id of traceIds) {
      const s = summaries.get(id);
      if (!s) continue;
      startUs = Math.min(startUs, s.startUs);
      endUs = Math.max(endUs, s.startUs + s.durationUs);
    }
    if (startUs !== Infinity) keys.push({ value, traceIds, startUs, endUs });
  }
  return orderFacts(keys, summaries, rules);
}

/**
 * A trace's stage from its summary: the first rule naming its root, else the
 * default stage of chain-stages.ts ("<root service>: <root name>"). A summary
 * holds no other span, so a rule matching only an inner span is not seen here
 * (the chain page, which loads the spans, would see it).
 */
export function stageOfSummary(s: TraceSummary, rules: readonly ChainStageRule[]): string {
  const byRoot = rules.find((r) => ruleMatches(r, { service: s.rootService, name: s.rootName }));
  return byRoot?.stage ?? stageOfTrace({ traceId: s.traceId, root: undefined, spans: [], rootService: s.rootService, rootName: s.rootName, startUs: s.startUs, endUs: s.startUs + s.durationUs }, []);
}
