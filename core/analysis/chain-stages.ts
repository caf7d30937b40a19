import type { Span } from '../model';

/** Maps spans to a stage: a trace whose root (or, failing that, any span) matches belongs to `stage`. */
export interface ChainStageRule {
  stage: string;
  service: string;
  /** Span name; any when absent. */
  operation?: string;
}

export interface ChainStage {
  name: string;
  startUs: number;
  endUs: number;
  traceIds: string[];
}

export interface StagedTrace {
  traceId: string;
  /** The span standing for the trace (see traceRoot); undefined when its spans were not loaded. */
  root: Span | undefined;
  spans: readonly Span[];
  /** Used when there are no spans (or the root is unknown): names from the trace summary. */
  rootService?: string;
  rootName?: string;
  startUs: number;
  endUs: number;
}

/** Whether a rule names this span (its service, and its name when the rule gives an operation). */
export const ruleMatches = (rule: ChainStageRule, span: Pick<Span, 'service' | 'name'>) =>
  span.service === rule.service && (rule.operation === undefined || rule.operation === span.name);
const matches = ruleMatches;

/**
 * The stage of a trace: the first rule (in order) matching its root; else the
 * first rule matching any of its spans; else, and always without rules, the
 * default stage named after the trace's root: "service: span name" (one stage
 * per kind of entry trace; retries of one job share it).
 */
export function stageOfTrace(trace: StagedTrace, rules: readonly ChainStageRule[]): string {
  if (trace.root) {
    const byRoot = rules.find((r) => matches(r, trace.root!));
    if (byRoot) return byRoot.stage;
  }
  for (const rule of rules) if (trace.spans.some((s) => matches(rule, s))) return rule.stage;
  const service = trace.root?.service ?? trace.rootService ?? 'unknown_service';
  const name = trace.root?.name ?? trace.rootName ?? '';
  return name ? `${service}: ${name}` : service;
}

/** Stages of a chain (first start to last end of their traces), in order of start. */
export function chainStages(traces: readonly StagedTrace[], stageOf: ReadonlyMap<string, string>): ChainStage[] {
  const byName = new Map<string, ChainStage>();
  for (const t of traces) {
    const name = stageOf.get(t.traceId);
    if (name === undefined) continue;
    const stage = byName.get(name);
    if (!stage) byName.set(name, { name, startUs: t.startUs, endUs: t.endUs, traceIds: [t.traceId] });
    else {
      stage.startUs = Math.min(stage.startUs, t.startUs);
      stage.endUs = Math.max(stage.endUs, t.endUs);
      stage.traceIds.push(t.traceId);
    }
  }
  return [...byName.values()].sort((a, b) => a.startUs - b.startUs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
