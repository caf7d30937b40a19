import { buildSpanTree, compareByStart, endUs } from '../../core/analysis/span-tree';
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

/**
 * The waterfall's rows: the server's span tree (core/analysis/span-tree.ts: parent index, sibling
 * order, orphans as roots) walked with depths and subtree sizes. Spans caught in a parent cycle
 * (malformed input) are walked as roots after the rest, earliest first, so every span shows exactly once.
 */
export function buildTree(spans: Span[]): TraceTree {
  const tree = buildSpanTree(spans);
  const order: TreeNode[] = [];
  const visited = new Set<string>();
  const walk = (top: Span, topIsOrphan: boolean) => {
    // Iterative DFS: a 10,000-deep chain must not blow the call stack.
    const stack: Array<{ span: Span; depth: number }> = [{ span: top, depth: 0 }];
    const open: TreeNode[] = [];
    while (stack.length) {
      const { span, depth } = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      while (open.length > depth) closeNode(open.pop()!, order);
      const kids = tree.children.get(span.spanId) ?? [];
      const node: TreeNode = { span, depth, index: order.length, descendants: 0, childCount: kids.length, orphan: span === top && topIsOrphan };
      order.push(node);
      open.push(node);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
    }
    while (open.length) closeNode(open.pop()!, order);
  };
  // A root with a parent id: its parent is not in the trace (or is itself).
  for (const r of tree.roots) walk(r, Boolean(r.parentSpanId));
  for (const s of [...tree.unreachable].sort(compareByStart)) walk(s, false);

  let startUs = Infinity;
  let end = -Infinity;
  let errorCount = 0;
  const services = new Set<string>();
  for (const s of tree.byId.values()) {
    startUs = Math.min(startUs, s.startUs);
    end = Math.max(end, endUs(s));
    services.add(s.service);
    if (s.status?.code === 'error') errorCount++;
  }
  return {
    order,
    startUs: Number.isFinite(startUs) ? startUs : 0,
    endUs: Number.isFinite(end) ? end : 0,
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
