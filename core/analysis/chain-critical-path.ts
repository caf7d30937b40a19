import type { Span } from '../model';
import { buildSpanTree, endUs, traceRoot, type SpanTree } from './span-tree';

/** A stretch of the chain's critical path: a span's own time, or time spent waiting between two traces. */
export type ChainPathStep =
  | { traceId: string; spanId: string; startUs: number; endUs: number }
  | { wait: true; startUs: number; endUs: number };

/** A join between traces, oriented cause → effect (producer → consumer, linked → linking span). */
export interface OrientedJoin {
  fromTraceId: string;
  fromSpanId: string;
  toTraceId: string;
  toSpanId: string;
}

interface Node {
  span: Span;
  parent: Node | null;
  startUs: number;
  endUs: number;
  /** Latest end first. */
  children: Node[];
  cursor: number;
}

interface TraceIndex {
  spans: readonly Span[];
  tree: SpanTree;
  nodes: Map<string, Node>;
  endUs: number;
}

/**
 * The critical path across a whole chain of traces.
 *
 * It starts in the trace that ends last and walks back from the end of its
 * root as Jaeger UI does within one trace (core/analysis/critical-path.ts):
 * a span owns the time after its last finishing child; the walk descends
 * into that child, and returns to the parent at the child's start. When the
 * walk reaches the start of the trace, it crosses the join that started the
 * trace (the incoming join whose consuming span starts first) into the
 * earlier trace: the gap between the producing span's end and that point is
 * a wait step (queue time), and the walk goes on from the producing span,
 * then up through its ancestors. Recursively, each trace at most once.
 *
 * Why not reuse critical-path.ts directly: it walks from a root only; a chain
 * needs to enter a trace at an arbitrary span and point in time (where the
 * message was produced). Children are fitted into their parents with the same
 * rules, so within the last trace the result is the same.
 */
export function chainCriticalPath(traces: ReadonlyMap<string, readonly Span[]>, joins: readonly OrientedJoin[]): ChainPathStep[] {
  const index = new Map<string, TraceIndex>();
  const indexOf = (traceId: string): TraceIndex | undefined => {
    let t = index.get(traceId);
    if (!t) {
      const spans = traces.get(traceId);
      if (!spans || spans.length === 0) return undefined;
      const tree = buildSpanTree(spans);
      t = { spans, tree, nodes: fitTrace(tree), endUs: Math.max(...spans.map(endUs)) };
      index.set(traceId, t);
    }
    return t;
  };

  let last: { traceId: string; endUs: number } | undefined;
  for (const [traceId, spans] of traces) {
    if (spans.length === 0) continue;
    const end = indexOf(traceId)!.endUs;
    if (!last || end > last.endUs || (end === last.endUs && traceId < last.traceId)) last = { traceId, endUs: end };
  }
  if (!last) return [];

  const backwards: ChainPathStep[] = [];
  const visited = new Set<string>();
  let traceId = last.traceId;
  let trace = indexOf(traceId)!;
  const root = traceRoot(trace.tree.roots)!;
  let point = walkBack(traceId, trace.nodes.get(root.spanId)!, endUs(root), backwards);
  visited.add(traceId);

  for (;;) {
    const into = startingJoin(joins, traceId, visited, point, indexOf);
    if (!into) break;
    const { join, cause, causeTrace } = into;
    const causeEnd = endUs(cause);
    if (causeEnd < point) backwards.push({ wait: true, startUs: causeEnd, endUs: point });
    traceId = join.fromTraceId;
    trace = causeTrace;
    visited.add(traceId);
    point = walkBack(traceId, trace.nodes.get(cause.spanId)!, Math.min(causeEnd, point), backwards);
  }
  return backwards.reverse();
}

/** The incoming join that started `traceId`: its consuming span starts first; its producing span began before `point`. */
function startingJoin(
  joins: readonly OrientedJoin[],
  traceId: string,
  visited: Set<string>,
  point: number,
  indexOf: (traceId: string) => TraceIndex | undefined,
): { join: OrientedJoin; cause: Span; causeTrace: TraceIndex } | undefined {
  const here = indexOf(traceId);
  let best: { join: OrientedJoin; cause: Span; causeTrace: TraceIndex; effectStart: number } | undefined;
  for (const join of joins) {
    if (join.toTraceId !== traceId || visited.has(join.fromTraceId)) continue;
    const causeTrace = indexOf(join.fromTraceId);
    const cause = causeTrace?.tree.byId.get(join.fromSpanId);
    if (!causeTrace || !cause || !causeTrace.nodes.has(cause.spanId) || cause.startUs >= point) continue;
    const effectStart = here?.tree.byId.get(join.toSpanId)?.startUs ?? point;
    if (
      !best ||
      effectStart < best.effectStart ||
      (effectStart === best.effectStart && endUs(cause) > endUs(best.cause))
    ) {
      best = { join, cause, causeTrace, effectStart };
    }
  }
  return best;
}

/**
 * Walks back from `start` at `point` (≤ its end) to the start of its top
 * ancestor, pushing steps latest first; returns where it stopped.
 */
function walkBack(traceId: string, start: Node, point: number, out: ChainPathStep[]): number {
  const push = (span: Span, from: number, to: number) => {
    if (from >= to) return;
    const prev = out[out.length - 1];
    if (prev && !('wait' in prev) && prev.traceId === traceId && prev.spanId === span.spanId && prev.startUs === to) prev.startUs = from;
    else out.push({ traceId, spanId: span.spanId, startUs: from, endUs: to });
  };
  let current = start;
  let p = Math.min(point, start.endUs);
  let entering = true;
  for (;;) {
    let next: Node | undefined;
    let nextEnd = 0;
    if (entering) {
      // entering a span at a point in time: a child still running then is clipped to it
      for (const c of current.children) {
        if (c.startUs >= p) continue;
        const e = Math.min(c.endUs, p);
        if (!next || e > nextEnd) {
          next = c;
          nextEnd = e;
        }
      }
    } else {
      // returning from a child: siblings that end after that child started ran beside it
      while (current.cursor < current.children.length && current.children[current.cursor].endUs >= p) current.cursor++;
      next = current.children[current.cursor];
      nextEnd = next?.endUs ?? 0;
    }
    if (next) {
      push(current.span, nextEnd, p);
      current = next;
      p = nextEnd;
      entering = true;
    } else {
      push(current.span, current.startUs, p);
      p = current.startUs;
      if (!current.parent) return p;
      current = current.parent;
      entering = false;
    }
  }
}

/** Every root tree fitted as Jaeger does: children clipped to their parent, those wholly outside dropped. */
function fitTrace(tree: SpanTree): Map<string, Node> {
  const nodes = new Map<string, Node>();
  for (const root of tree.roots) {
    const top: Node = { span: root, parent: null, startUs: root.startUs, endUs: endUs(root), children: [], cursor: 0 };
    nodes.set(root.spanId, top);
    const stack = [top];
    while (stack.length) {
      const node = stack.pop()!;
      for (const child of tree.children.get(node.span.spanId) ?? []) {
        const start = child.startUs;
        const end = endUs(child);
        if (start >= node.endUs || (start < node.startUs && end <= node.startUs)) continue;
        const fitted: Node = {
          span: child,
          parent: node,
          startUs: Math.max(start, node.startUs),
          endUs: Math.min(end, node.endUs),
          children: [],
          cursor: 0,
        };
        node.children.push(fitted);
        nodes.set(child.spanId, fitted);
        stack.push(fitted);
      }
      node.children.sort((a, b) => b.endUs - a.endUs);
    }
  }
  return nodes;
}

export interface Bottleneck {
  service: string;
  operation: string;
  /** Time this operation itself spent on the critical path. */
  selfUs: number;
}

/** The service and operation with the most own time on the critical path (waits are nobody's); null for an empty path. */
export function chainBottleneck(path: readonly ChainPathStep[], spanOf: (traceId: string, spanId: string) => Span | undefined): Bottleneck | null {
  const totals = new Map<string, Bottleneck>();
  for (const step of path) {
    if ('wait' in step) continue;
    const span = spanOf(step.traceId, step.spanId);
    if (!span) continue;
    const key = `${span.service}\u0000${span.name}`;
    let t = totals.get(key);
    if (!t) totals.set(key, (t = { service: span.service, operation: span.name, selfUs: 0 }));
    t.selfUs += step.endUs - step.startUs;
  }
  let best: Bottleneck | null = null;
  for (const t of totals.values()) {
    if (
      !best ||
      t.selfUs > best.selfUs ||
      (t.selfUs === best.selfUs && (t.service < best.service || (t.service === best.service && t.operation < best.operation)))
    ) {
      best = t;
    }
  }
  return best;
}
