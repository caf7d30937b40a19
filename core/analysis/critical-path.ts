import type { Span } from '../model';
import { fitSpanTree, type FittedSpan } from './span-fit';
import { buildSpanTree, traceRoot, type SpanTree } from './span-tree';

/** A stretch of time during which `spanId` itself (not one of its children) held up the trace. */
export interface CriticalPathSegment {
  spanId: string;
  startUs: number;
  endUs: number;
}

export interface TreeCriticalPath {
  rootSpanId: string;
  /** Ordered in time; together they cover the root span from its start to its end. */
  segments: CriticalPathSegment[];
}

export interface CriticalPath {
  /** The root that stands for the trace (see traceRoot), or null for an empty trace. */
  rootSpanId: string | null;
  /** The trace root's path, ordered in time. */
  segments: CriticalPathSegment[];
  /** Spans with at least one segment on the trace root's path. */
  spanIds: Set<string>;
  /** One path per root tree (orphan subtrees are roots of their own), in root order. */
  trees: TreeCriticalPath[];
}

/**
 * The critical path of a trace, computed as Jaeger UI computes it
 * (components/TracePage/CriticalPath), on times that survive real clocks:
 *
 * 1. Children are first fitted into their (already fitted) parent, and
 *    siblings that only seem to overlap because their start stamps are
 *    rounded are made back-to-back (see span-fit.ts and clock-granularity.ts).
 *    A child wholly outside its parent's time range is dropped with its
 *    subtree; one that overlaps an edge is clipped to the parent, so an async
 *    child that outlives its parent counts only up to the parent's end.
 * 2. Starting at the root's end, walk back: the current span's last finishing
 *    child (LFC) is the child that ends last (when returning from a child: the
 *    last one ending at or before the returning child's start). The span owns
 *    the time between that child's end and the current point; the walk
 *    descends into the LFC. A span with no such child owns everything back to
 *    its own start, and the walk returns to its parent with that start as the
 *    new point.
 *
 * Differences from Jaeger UI: it takes only children ending strictly before
 * the returning child's start, so of two back-to-back calls (A ends at the
 * very microsecond B starts) A's time would go to the parent; here A counts,
 * which is what "sequential children" means. And it takes stamps as exact, so
 * on millisecond-stamped traces (OTel JS, many Java tracers) it drops about
 * every other sequential call and gives its time to the parent; here an
 * overlap within clock granularity does not make two calls parallel.
 *
 * The walk is iterative (a 100,000-deep chain is fine) and each parent's
 * children are scanned once, in end order, so it runs in O(n log n).
 * Zero-length sections are left out, adjacent sections of one span are merged.
 */
export function computeCriticalPath(spans: readonly Span[]): CriticalPath {
  const tree = buildSpanTree(spans);
  const trees = tree.roots.map((root) => ({ rootSpanId: root.spanId, segments: criticalPathOfTree(tree, root) }));
  const root = traceRoot(tree.roots);
  const segments = root ? trees.find((t) => t.rootSpanId === root.spanId)!.segments : [];
  return { rootSpanId: root?.spanId ?? null, segments, spanIds: new Set(segments.map((s) => s.spanId)), trees };
}

/** The critical path of the tree under `root`, ordered in time. */
export function criticalPathOfTree(tree: SpanTree, root: Span): CriticalPathSegment[] {
  const top = fitSpanTree(tree, root);
  const backwards: CriticalPathSegment[] = [];
  const push = (spanId: string, startUs: number, end: number) => {
    if (startUs >= end) return;
    const last = backwards[backwards.length - 1];
    if (last && last.spanId === spanId && last.startUs === end) last.startUs = startUs;
    else backwards.push({ spanId, startUs, endUs: end });
  };

  let current: FittedSpan | undefined = top;
  let returningFrom: number | undefined;
  while (current) {
    const lfc = lastFinishingChild(current, returningFrom);
    const sectionEnd = returningFrom ?? current.endUs;
    if (lfc) {
      push(current.span.spanId, lfc.endUs, sectionEnd);
      current = lfc;
      returningFrom = undefined;
    } else {
      push(current.span.spanId, current.startUs, sectionEnd);
      returningFrom = current.startUs;
      current = current.parent ?? undefined;
    }
  }
  return backwards.reverse();
}

function lastFinishingChild(span: FittedSpan, before: number | undefined): FittedSpan | undefined {
  // Children are in end order and `before` only decreases between visits of one span,
  // so a child skipped (or already walked) once never qualifies again: one cursor per span.
  if (before !== undefined) {
    while (span.cursor < span.children.length && span.children[span.cursor].endUs > before) span.cursor++;
  }
  return span.children[span.cursor++];
}

/** Segments grouped by span id (each list in time order). */
export function segmentsBySpan(segments: readonly CriticalPathSegment[]): Map<string, Array<{ startUs: number; endUs: number }>> {
  const out = new Map<string, Array<{ startUs: number; endUs: number }>>();
  for (const s of segments) {
    let list = out.get(s.spanId);
    if (!list) out.set(s.spanId, (list = []));
    list.push({ startUs: s.startUs, endUs: s.endUs });
  }
  return out;
}
