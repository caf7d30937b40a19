import type { Span } from '../model';

/**
 * The parent/child index of one trace, shared by the trace analyses.
 *
 * Spans whose parent is not in the trace become roots (orphans); a repeated
 * span id keeps its first occurrence; spans caught in a parent cycle
 * (malformed input) are reachable from no root and are listed in `unreachable`.
 */
export interface SpanTree {
  byId: Map<string, Span>;
  /** Children per parent span id, by start time then span id. */
  children: Map<string, Span[]>;
  /** Spans without a parent in the trace, by start time then span id. */
  roots: Span[];
  /** Every reachable span once, parents before children (pre-order per root). */
  preorder: Span[];
  /** Spans no root reaches (parent cycles). */
  unreachable: Span[];
}

export function compareByStart(a: Span, b: Span): number {
  return a.startUs - b.startUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

export function endUs(span: Span): number {
  return span.startUs + Math.max(0, span.durationUs);
}

export function buildSpanTree(spans: readonly Span[]): SpanTree {
  const byId = new Map<string, Span>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);

  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of byId.values()) {
    const parentId = s.parentSpanId && s.parentSpanId !== s.spanId ? s.parentSpanId : '';
    if (!parentId || !byId.has(parentId)) {
      roots.push(s);
      continue;
    }
    let list = children.get(parentId);
    if (!list) children.set(parentId, (list = []));
    list.push(s);
  }
  for (const list of children.values()) list.sort(compareByStart);
  roots.sort(compareByStart);

  const preorder: Span[] = [];
  const seen = new Set<string>();
  // Iterative: a 10,000-deep chain must not blow the call stack.
  const stack: Span[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]);
  while (stack.length) {
    const span = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    preorder.push(span);
    const kids = children.get(span.spanId);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  const unreachable = preorder.length === byId.size ? [] : [...byId.values()].filter((s) => !seen.has(s.spanId));
  return { byId, children, roots, preorder, unreachable };
}

/**
 * The root that stands for the trace: a true root (no parent id at all) before
 * an orphan, then the earliest start, then the smallest span id.
 */
export function traceRoot(roots: readonly Span[]): Span | undefined {
  let best: Span | undefined;
  for (const r of roots) {
    if (!best) {
      best = r;
      continue;
    }
    const rTrue = r.parentSpanId === '';
    const bestTrue = best.parentSpanId === '';
    if (rTrue !== bestTrue) {
      if (rTrue) best = r;
      continue;
    }
    if (compareByStart(r, best) < 0) best = r;
  }
  return best;
}
