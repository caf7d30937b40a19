import type { Span, TraceLinkEntry, TraceLinkKind, TraceSummary } from '../model';
import { chainBottleneck, chainCriticalPath, type Bottleneck, type ChainPathStep } from './chain-critical-path';
import { chainStages, stageOfTrace, type ChainStage, type ChainStageRule, type StagedTrace } from './chain-stages';
import { joinKey } from './chain-walk';
import { buildSpanTree, compareByStart, endUs, traceRoot } from './span-tree';

/** A join between two traces of the chain, oriented upstream → downstream. */
export interface ChainJoin {
  kind: TraceLinkKind;
  /** Upstream side: the producer of a message; for a span link the earlier of the two spans (normally the linked one). */
  fromTraceId: string;
  fromSpanId: string;
  /** Downstream side: the consumer; for a span link the later span (normally the one holding the link). */
  toTraceId: string;
  toSpanId: string;
  /** Downstream start minus upstream end when positive (time in a queue or scheduler), else 0; 0 when a span is unknown. */
  waitUs: number;
}

export interface ChainWait {
  fromTraceId: string;
  toTraceId: string;
  startUs: number;
  endUs: number;
}

export interface ChainError {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  message: string;
}

export interface ChainTraceInput {
  traceId: string;
  /** [] when the trace's spans were not loaded (span cap); the summary then stands in. */
  spans: readonly Span[];
  summary?: TraceSummary;
}

export interface AssembledChain {
  startUs: number;
  endUs: number;
  durationUs: number;
  /** Stage of each trace, in input order. */
  traceStages: Map<string, string>;
  /** Every span of every trace, by start time (then trace id, span id). */
  spans: Span[];
  joins: ChainJoin[];
  stages: ChainStage[];
  waits: ChainWait[];
  criticalPath: ChainPathStep[];
  errors: ChainError[];
  bottleneck: Bottleneck | null;
}

/**
 * Everything a chain view shows, from the chain's traces (with their spans)
 * and the joins found by walkChain. Pure: no store, no clock.
 */
export function assembleChain(
  traces: readonly ChainTraceInput[],
  links: readonly TraceLinkEntry[],
  stageRules: readonly ChainStageRule[] = [],
): AssembledChain {
  const spanIndex = new Map<string, Span>();
  const spansByTrace = new Map<string, readonly Span[]>();
  const staged: StagedTrace[] = [];
  let startUs = Infinity;
  let endAll = -Infinity;
  for (const t of traces) {
    spansByTrace.set(t.traceId, t.spans);
    for (const s of t.spans) spanIndex.set(`${s.traceId}/${s.spanId}`, s);
    let tStart = Infinity;
    let tEnd = -Infinity;
    for (const s of t.spans) {
      tStart = Math.min(tStart, s.startUs);
      tEnd = Math.max(tEnd, endUs(s));
    }
    if (t.spans.length === 0 && t.summary) {
      tStart = t.summary.startUs;
      tEnd = t.summary.startUs + t.summary.durationUs;
    }
    if (tStart === Infinity) continue;
    startUs = Math.min(startUs, tStart);
    endAll = Math.max(endAll, tEnd);
    const root = t.spans.length ? traceRoot(buildSpanTree(t.spans).roots) : undefined;
    staged.push({
      traceId: t.traceId,
      root,
      spans: t.spans,
      rootService: t.summary?.rootService,
      rootName: t.summary?.rootName,
      startUs: tStart,
      endUs: tEnd,
    });
  }
  if (startUs === Infinity) {
    startUs = 0;
    endAll = 0;
  }
  const spanOf = (traceId: string, spanId: string) => spanIndex.get(`${traceId}/${spanId}`);

  const members = new Set(traces.map((t) => t.traceId));
  const joins = orientJoins(links.filter((l) => members.has(l.fromTraceId) && members.has(l.toTraceId)), spanOf);
  const waits: ChainWait[] = [];
  for (const j of joins) {
    if (j.waitUs <= 0) continue;
    const upstreamEnd = endUs(spanOf(j.fromTraceId, j.fromSpanId)!);
    waits.push({ fromTraceId: j.fromTraceId, toTraceId: j.toTraceId, startUs: upstreamEnd, endUs: upstreamEnd + j.waitUs });
  }
  waits.sort((a, b) => a.startUs - b.startUs);

  const traceStages = new Map<string, string>();
  for (const t of staged) traceStages.set(t.traceId, stageOfTrace(t, stageRules));

  const spans = [...spanIndex.values()].sort(
    (a, b) => compareByStart(a, b) || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0),
  );
  const criticalPath = chainCriticalPath(spansByTrace, joins);
  return {
    startUs,
    endUs: endAll,
    durationUs: endAll - startUs,
    traceStages,
    spans,
    joins,
    stages: chainStages(staged, traceStages),
    waits,
    criticalPath,
    errors: spans
      .filter((s) => s.status.code === 'error')
      .map((s) => ({ traceId: s.traceId, spanId: s.spanId, service: s.service, name: s.name, message: s.status.message })),
    bottleneck: chainBottleneck(criticalPath, spanOf),
  };
}

/**
 * Orients each join upstream → downstream and measures the wait across it.
 * A message runs producer → consumer. A span link is held by the later span
 * and points at its origin, so the linked span is upstream unless the spans
 * say otherwise (the holder started first).
 */
export function orientJoins(
  links: readonly TraceLinkEntry[],
  spanOf: (traceId: string, spanId: string) => Span | undefined,
): ChainJoin[] {
  const out = new Map<string, ChainJoin>();
  for (const l of links) {
    const holder = spanOf(l.fromTraceId, l.fromSpanId);
    const target = spanOf(l.toTraceId, l.toSpanId);
    let upstream = { traceId: l.fromTraceId, spanId: l.fromSpanId, span: holder };
    let downstream = { traceId: l.toTraceId, spanId: l.toSpanId, span: target };
    if (l.kind === 'link' && !(holder && target && holder.startUs < target.startUs)) {
      [upstream, downstream] = [downstream, upstream];
    }
    const waitUs = upstream.span && downstream.span ? Math.max(0, downstream.span.startUs - endUs(upstream.span)) : 0;
    const join: ChainJoin = {
      kind: l.kind,
      fromTraceId: upstream.traceId,
      fromSpanId: upstream.spanId,
      toTraceId: downstream.traceId,
      toSpanId: downstream.spanId,
      waitUs,
    };
    out.set(joinKey({ ...join, timeUs: 0 }), join);
  }
  return [...out.values()];
}
