import type { Span } from '../model';

/** What the tree needs of a span: any span-shaped record (a stored span, a span as an API sends it) will do. */
export type TreeSpan = Pick<Span, 'spanId' | 'parentSpanId' | 'startUs' | 'durationUs'>;

/**
 * The parent/child index of one trace, shared by the trace analyses and the UI's waterfall.
 *
 * Spans whose parent is not in the trace become roots (orphans); a repeated
 * span id keeps its first occurrence; spans caught in a parent cycle
 * (malformed input) are reachable from no root and are listed in `unreachable`.
 * Pure (no Node API): the browser bundle includes this file.
 */
export interface SpanTree<S extends TreeSpan = Span> {
  byId: Map<string, S>;
  /** Children per parent span id, by start time then span id. */
  children: Map<string, S[]>;
  /** Spans without a parent in the trace, by start time then span id. */
  roots: S[];
  /** Every reachable span once, parents before children (pre-order per root). */
  preorder: S[];
  /** Spans no root reaches (parent cycles). */
  unreachable: S[];
}

export function compareByStart(a: TreeSpan, b: TreeSpan): number {
  return a.startUs - b.startUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

export function endUs(span: TreeSpan): number {
  return span.startUs + Math.max(0, span.durationUs);
}

export function buildSpanTree<S extends TreeSpan = Span>(spans: readonly S[]): SpanTree<S> {
  const byId = new Map<string, S>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);

  const children = new Map<string, S[]>();
  const roots: S[] = [];
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

  const preorder: S[] = [];
  const seen = new Set<string>();
  // Iterative: a 10,000-deep chain must not blow the call stack.
  const stack: S[] = [];
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
export function traceRoot<S extends TreeSpan>(roots: readonly S[]): S | undefined {
  let best: S | undefined;
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
