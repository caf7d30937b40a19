import type { Span, TraceLinkEntry, TraceLinkKind, TraceSummary } from '../model';
import { chainBottleneck, type Bottleneck } from './chain-bottleneck';
import { chainCriticalPath, type ChainPathStep, type OrientedJoin } from './chain-critical-path';
import { chainStages, stageOfTrace, type ChainStage, type ChainStageRule, type StagedTrace } from './chain-stages';
import { joinKey } from './chain-walk';
import { chainTiming, classifyJoinWait, type ChainTiming, type ExpectedWaits, type WaitKind } from './chain-waits';
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

/** A wait across a join (one per producer/consumer pair, however many joins tie them). */
export interface ChainWait {
  kind: WaitKind;
  fromTraceId: string;
  fromSpanId: string;
  toTraceId: string;
  toSpanId: string;
  startUs: number;
  endUs: number;
  destination?: string;
  /** The chain's critical path runs through this wait (it held the chain up). */
  onCriticalPath: boolean;
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

export interface ChainAssemblyOptions {
  /** CHAIN_STAGES. */
  stageRules?: readonly ChainStageRule[];
  /** CHAIN_EXPECTED_WAITS: destinations or operations whose waits are intended. */
  expectedWaits?: ExpectedWaits;
}

export interface AssembledChain extends ChainTiming {
  startUs: number;
  endUs: number;
  /** Stage of each trace, in input order. */
  traceStages: Map<string, string>;
  /** Every span of every trace, by start time (then trace id, span id). */
  spans: Span[];
  joins: ChainJoin[];
  stages: ChainStage[];
  waits: ChainWait[];
  /** From the first start to the last end, in time order; a trace known only by its summary is one step with spanId ''. */
  criticalPath: ChainPathStep[];
  errors: ChainError[];
  /** Error spans over every trace, those known only by their summaries included. */
  errorCount: number;
  bottleneck: Bottleneck | null;
}

/** The span id standing for a whole trace whose spans were not loaded. */
export const WHOLE_TRACE_SPAN_ID = '';

/**
 * Everything a chain view shows, from the chain's traces (with their spans)
 * and the joins found by walkChain. Pure: no store, no clock.
 */
export function assembleChain(
  traces: readonly ChainTraceInput[],
  links: readonly TraceLinkEntry[],
  options: ChainAssemblyOptions = {},
): AssembledChain {
  const expectedWaits = options.expectedWaits ?? [];
  const spanIndex = new Map<string, Span>();
  const spansByTrace = new Map<string, readonly Span[]>();
  /** Traces known only by their summary, each as one span. */
  const wholeTraces = new Map<string, Span & { estimated: true }>();
  const staged: StagedTrace[] = [];
  let startUs = Infinity;
  let endAll = -Infinity;
  let errorCount = 0;
  for (const t of traces) {
    for (const s of t.spans) spanIndex.set(`${s.traceId}/${s.spanId}`, s);
    let tStart = Infinity;
    let tEnd = -Infinity;
    for (const s of t.spans) {
      tStart = Math.min(tStart, s.startUs);
      tEnd = Math.max(tEnd, endUs(s));
      if (s.status.code === 'error') errorCount++;
    }
    if (t.spans.length === 0 && t.summary) {
      tStart = t.summary.startUs;
      tEnd = t.summary.startUs + Math.max(0, t.summary.durationUs);
      errorCount += t.summary.errorCount;
      const whole = summarySpan(t.summary);
      wholeTraces.set(t.traceId, whole);
      spansByTrace.set(t.traceId, [whole]);
    } else spansByTrace.set(t.traceId, t.spans);
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
  /** A loaded span, else the whole trace standing for any span of an unloaded one. */
  const stepSpanOf = (traceId: string, spanId: string) => spanOf(traceId, spanId) ?? wholeTraces.get(traceId);

  const members = new Set(traces.map((t) => t.traceId));
  const joins = orientJoins(links.filter((l) => members.has(l.fromTraceId) && members.has(l.toTraceId)), stepSpanOf);
  const pairs = joinPairs(joins, (traceId, spanId) => (wholeTraces.has(traceId) ? WHOLE_TRACE_SPAN_ID : spanId));
  const classify = (j: OrientedJoin) => classifyJoinWait(expectedWaits, stepSpanOf(j.fromTraceId, j.fromSpanId), stepSpanOf(j.toTraceId, j.toSpanId));
  const criticalPath = chainCriticalPath(spansByTrace, pairs, classify);
  const waitsOnPath = new Set(criticalPath.flatMap((s) => ('wait' in s ? [pairKey(s)] : [])));

  const waits: ChainWait[] = [];
  for (const j of pairs) {
    const from = stepSpanOf(j.fromTraceId, j.fromSpanId);
    const to = stepSpanOf(j.toTraceId, j.toSpanId);
    if (!from || !to || to.startUs <= endUs(from)) continue;
    const { kind, destination } = classify(j);
    const wait: ChainWait = { kind, ...j, startUs: endUs(from), endUs: to.startUs, onCriticalPath: waitsOnPath.has(pairKey(j)) };
    if (destination !== undefined) wait.destination = destination;
    waits.push(wait);
  }
  waits.sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs);

  const traceStages = new Map<string, string>();
  for (const t of staged) traceStages.set(t.traceId, stageOfTrace(t, options.stageRules ?? []));

  const spans = [...spanIndex.values()].sort(
    (a, b) => compareByStart(a, b) || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0),
  );
  const timing = chainTiming(criticalPath);
  return {
    startUs,
    endUs: endAll,
    ...timing,
    // the path covers first start to last end; an empty chain has neither
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
    errorCount,
    bottleneck: chainBottleneck(criticalPath, stepSpanOf),
  };
}

const pairKey = (j: OrientedJoin) => `${j.fromTraceId}/${j.fromSpanId}>${j.toTraceId}/${j.toSpanId}`;

/** One join per producer/consumer pair (a message id and a span link often tie the same two spans), span ids mapped by `spanIdOf`. */
function joinPairs(joins: readonly ChainJoin[], spanIdOf: (traceId: string, spanId: string) => string): OrientedJoin[] {
  const out = new Map<string, OrientedJoin>();
  for (const j of joins) {
    const pair = {
      fromTraceId: j.fromTraceId,
      fromSpanId: spanIdOf(j.fromTraceId, j.fromSpanId),
      toTraceId: j.toTraceId,
      toSpanId: spanIdOf(j.toTraceId, j.toSpanId),
    };
    if (!out.has(pairKey(pair))) out.set(pairKey(pair), pair);
  }
  return [...out.values()];
}

/** A trace known only by its summary, as one span from its start to its end. */
function summarySpan(summary: TraceSummary): Span & { estimated: true } {
  return {
    traceId: summary.traceId,
    spanId: WHOLE_TRACE_SPAN_ID,
    parentSpanId: '',
    service: summary.rootService,
    name: summary.rootName,
    kind: 'unspecified',
    startUs: summary.startUs,
    durationUs: Math.max(0, summary.durationUs),
    status: { code: summary.errorCount > 0 ? 'error' : 'unset', message: '' },
    attributes: {},
    resource: {},
    events: [],
    links: [],
    scope: { name: '', version: '' },
    estimated: true,
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
