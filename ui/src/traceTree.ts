import type { Span } from './api';

/** A span placed in the trace tree. Pure data: no DOM here. */
export interface TreeNode {
  span: Span;
  depth: number;
  /** Position in the full pre-order (parent before children, siblings by start). */
  index: number;
  /** Number of descendants (not counting the node). */
  descendants: number;
  childCount: number;
  /** The parent id was given but no such span is in the trace. */
  orphan: boolean;
}

export interface TraceTree {
  /** All nodes in pre-order. */
  order: TreeNode[];
  startUs: number;
  endUs: number;
  services: string[];
  errorCount: number;
  root: TreeNode | undefined;
}

function byStart(a: Span, b: Span): number {
  return a.startUs - b.startUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

/**
 * Builds the pre-order of a trace with maps (O(n) plus the sibling sorts).
 * Spans whose parent is missing become roots; spans caught in a parent cycle
 * (malformed input) are attached as roots too, so every span shows exactly once.
 */
export function buildTree(spans: Span[]): TraceTree {
  const byId = new Map<string, Span>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const unique = byId.size === spans.length ? spans : [...byId.values()];

  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  const orphans = new Set<string>();
  let startUs = Infinity;
  let endUs = -Infinity;
  let errorCount = 0;
  const services = new Set<string>();
  for (const s of unique) {
    startUs = Math.min(startUs, s.startUs);
    endUs = Math.max(endUs, s.startUs + Math.max(0, s.durationUs));
    services.add(s.service);
    if (s.status?.code === 'error') errorCount++;
    const parent = s.parentSpanId && s.parentSpanId !== s.spanId ? byId.get(s.parentSpanId) : undefined;
    if (!parent) {
      roots.push(s);
      if (s.parentSpanId) orphans.add(s.spanId);
      continue;
    }
    let list = children.get(parent.spanId);
    if (!list) children.set(parent.spanId, (list = []));
    list.push(s);
  }
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const order: TreeNode[] = [];
  const visited = new Set<string>();
  const walk = (top: Span) => {
    // Iterative DFS: a 10,000-deep chain must not blow the call stack.
    const stack: Array<{ span: Span; depth: number }> = [{ span: top, depth: 0 }];
    const open: TreeNode[] = [];
    while (stack.length) {
      const { span, depth } = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      while (open.length > depth) closeNode(open.pop()!, order);
      const kids = children.get(span.spanId) ?? [];
      const node: TreeNode = { span, depth, index: order.length, descendants: 0, childCount: kids.length, orphan: orphans.has(span.spanId) };
      order.push(node);
      open.push(node);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
    }
    while (open.length) closeNode(open.pop()!, order);
  };
  for (const r of roots) walk(r);
  if (visited.size < unique.length) {
    for (const s of [...unique].sort(byStart)) if (!visited.has(s.spanId)) walk(s);
  }
  return {
    order,
    startUs: Number.isFinite(startUs) ? startUs : 0,
    endUs: Number.isFinite(endUs) ? endUs : 0,
    services: [...services].sort(),
    errorCount,
    root: order[0],
  };
}

function closeNode(node: TreeNode, order: TreeNode[]): void {
  node.descendants = order.length - node.index - 1;
}

/** The rows shown when the nodes in `collapsed` hide their subtrees. O(visible). */
export function visibleRows(order: TreeNode[], collapsed: Set<string>): TreeNode[] {
  if (collapsed.size === 0) return order;
  const out: TreeNode[] = [];
  for (let i = 0; i < order.length; ) {
    const n = order[i];
    out.push(n);
    i += collapsed.has(n.span.spanId) ? n.descendants + 1 : 1;
  }
  return out;
}
