import type { TraceSummary } from '../model';
import type { ChainStageRule } from './chain-stages';
import { ORDER_FACT_TRACES, orderFactTraceIds, stageOfSummary, stagesInOrder, widenStage, type OrderFact, type StagesByName } from './order-facts';

/** What one write did to a trace's summary: the summary before it (undefined: the trace had none) and after it. */
export interface TraceSummaryGrowth {
  before: TraceSummary | undefined;
  after: TraceSummary;
}

/** What a write brings to one order whose fact is stored. */
export interface OrderGrowth {
  /** The traces the write gave the order (its business-key rows of the order). */
  linked: readonly string[];
  /** The write's change to a trace's summary, if it changed it. */
  growthOf: (traceId: string) => TraceSummaryGrowth | undefined;
  /** The stored summary of a trace (for one the write linked to the order without changing it). */
  summaryOf: (traceId: string) => TraceSummary | undefined;
}

/**
 * An order's fact after a write, from its stored fact and what the write did,
 * without reading the order's other traces: the same fact orderFactsOfTraces
 * gives from the order's first traces and their summaries now, or undefined
 * when the stored fact cannot tell it (the order must be counted again from
 * its traces).
 *
 * It relies on what the stored fact was made from: the summaries of all its
 * traces as they were, and every trace of the order when it lists fewer than
 * ORDER_FACT_TRACES (the store counts an order again whenever that may not
 * hold, e.g. a trace carrying it in its logs only). A summary only grows
 * (start earlier, end later, more errors), so the new figures are the stored
 * ones widened by the grown summaries; only its root can change, and with it
 * the trace's stage, which would have to leave the old stage: undefined. So
 * also when the new traces would overfill the list (one sorting before the
 * last of a full list: a trace leaves it); a new trace sorting after the last
 * of a full list changes nothing.
 */
export function grownOrderFact(stored: OrderFact, growth: OrderGrowth, rules: readonly ChainStageRule[]): OrderFact | undefined {
  const known = new Set(stored.traceIds);
  const full = stored.traceIds.length >= ORDER_FACT_TRACES;
  const last = stored.traceIds[stored.traceIds.length - 1];
  const added: string[] = [];
  for (const id of growth.linked) {
    if (known.has(id) || (full && id > last)) continue;
    known.add(id);
    added.push(id);
  }
  if (stored.traceIds.length + added.length > ORDER_FACT_TRACES) return undefined;

  const stages: StagesByName = new Map(stored.stages.map((s) => [s.name, { ...s }]));
  const fact: OrderFact = { ...stored };
  const widen = (s: TraceSummary) => {
    fact.startUs = Math.min(fact.startUs, s.startUs);
    fact.endUs = Math.max(fact.endUs, s.startUs + s.durationUs);
    if (s.errorCount > 0) fact.failed = true;
    widenStage(stages, stageOfSummary(s, rules), s);
  };
  for (const id of stored.traceIds) {
    const g = growth.growthOf(id);
    if (!g) continue;
    if (g.before && stageOfSummary(g.before, rules) !== stageOfSummary(g.after, rules)) return undefined;
    widen(g.after);
  }
  for (const id of added) {
    const s = growth.growthOf(id)?.after ?? growth.summaryOf(id);
    if (s) widen(s);
  }
  if (added.length > 0) fact.traceIds = orderFactTraceIds([...stored.traceIds, ...added]);
  fact.stages = stagesInOrder(stages);
  return fact;
}
