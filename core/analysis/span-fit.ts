import type { Span } from '../model';
import { sequentialOverlapToleranceUs, widestOverlapToleranceUs } from './clock-granularity';
import { endUs, type SpanTree } from './span-tree';

/** A span with the times a critical-path walk uses: fitted into its parent, sequential siblings made back-to-back. */
export interface FittedSpan {
  span: Span;
  parent: FittedSpan | null;
  startUs: number;
  endUs: number;
  /** Kept children, latest end first (ties: earlier start, then span id). */
  children: FittedSpan[];
  /** Walk state: index of the first child not yet ruled out; a walk only ever moves it forward. */
  cursor: number;
}

/**
 * How many later-starting siblings are examined per child when looking for
 * the call that followed it. Only siblings starting within the child's last
 * millisecond (or last 2 %) count, so real traces never get near this; it
 * keeps a hostile trace (thousands of siblings starting in one millisecond)
 * linear.
 */
const MAX_FOLLOWERS_EXAMINED = 64;

/**
 * Fits the tree under `root` for a critical-path walk, top-down and iteratively:
 *
 * 1. As Jaeger UI does, a child wholly outside its (already fitted) parent is
 *    dropped with its subtree (it cannot have held the parent up), and one
 *    that overlaps an edge is clipped to the parent. A callee that seems to
 *    start before its caller or end after it by clock granularity is thus
 *    clipped, not taken for work the caller did not wait for.
 * 2. Unlike Jaeger UI, a child that seems to run past the start of a later
 *    sibling by no more than clock granularity (see clock-granularity.ts),
 *    while that sibling ends after it, is taken to have ended when the
 *    sibling started: the two calls were sequential, and the stamps are
 *    rounded. Without this the strict last-finishing-child rule skips the
 *    earlier call and gives its whole duration to the parent.
 *
 * Every fitted node is also put in `into` when given (by span id). Runs in
 * O(n log n).
 */
export function fitSpanTree(tree: SpanTree, root: Span, into?: Map<string, FittedSpan>): FittedSpan {
  const top: FittedSpan = { span: root, parent: null, startUs: root.startUs, endUs: endUs(root), children: [], cursor: 0 };
  into?.set(root.spanId, top);
  const stack: FittedSpan[] = [top];
  while (stack.length) {
    const node = stack.pop()!;
    for (const child of tree.children.get(node.span.spanId) ?? []) {
      const start = child.startUs;
      const end = endUs(child);
      // Jaeger's rules: a child starting at or after the parent's end, or ending at or before its start, is dropped.
      if (start >= node.endUs || (start < node.startUs && end <= node.startUs)) continue;
      const fitted: FittedSpan = {
        span: child,
        parent: node,
        startUs: Math.max(start, node.startUs),
        endUs: Math.min(end, node.endUs),
        children: [],
        cursor: 0,
      };
      node.children.push(fitted);
      into?.set(child.spanId, fitted);
      stack.push(fitted);
    }
    // Before any child is popped: its end decides how its own children are clipped.
    endSequentialSiblingsBackToBack(node.children);
    // tree.children is in start order, so a stable sort keeps "earlier start first" among equal ends.
    node.children.sort((a, b) => b.endUs - a.endUs);
  }
  return top;
}

/**
 * `siblings` in start order (clipping keeps tree order a start order). Each
 * sibling that a later-starting, later-ending sibling overlaps by no more
 * than the tolerance is ended at that sibling's start; of several such
 * followers the earliest starting one counts. Decided on the fitted times
 * before any trimming, so the result does not depend on the visiting order.
 */
function endSequentialSiblingsBackToBack(siblings: FittedSpan[]): void {
  const n = siblings.length;
  if (n < 2) return;
  const starts = siblings.map((s) => s.startUs);
  const ends = siblings.map((s) => s.endUs);
  for (let i = 0; i < n; i++) {
    const earlier = siblings[i];
    const earlierUs = ends[i] - starts[i];
    let k = Math.max(i + 1, firstAtOrAfter(starts, ends[i] - widestOverlapToleranceUs(earlierUs)));
    for (let examined = 0; k < n && starts[k] < ends[i] && examined < MAX_FOLLOWERS_EXAMINED; k++, examined++) {
      if (starts[k] <= starts[i] || ends[k] <= ends[i]) continue;
      const later = siblings[k];
      if (ends[i] - starts[k] <= sequentialOverlapToleranceUs(earlier.span, earlierUs, later.span, ends[k] - starts[k])) {
        earlier.endUs = starts[k];
        break;
      }
    }
  }
}

/** Index of the first value ≥ `x` in an ascending array (its length when none is). */
function firstAtOrAfter(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
