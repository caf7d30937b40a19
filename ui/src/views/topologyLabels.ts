import { shortLabel } from '../safeText';
import { ARROW, edgeGeometry, LABEL_CHARS, type GraphEdge, type GraphNode } from './topologyLayout';

/**
 * Where a node's two-line label (name, figures) goes so that no edge runs
 * through it: under the node unless something is in the way there, else
 * above, right or left, whichever box has the fewest things in the way (ties
 * in that order). In the way, heaviest first: the box reaching out of the
 * frame, an edge crossing it, another node, a label placed before. Pure
 * geometry on the laid-out model; topologyGraph.ts draws it.
 */

export type LabelSide = 'below' | 'above' | 'right' | 'left';
const SIDES: readonly LabelSide[] = ['below', 'above', 'right', 'left'];

/** Box of the label relative to the node's centre. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Text widths are estimated (no DOM): ~7 px a character of the 12 px name, ~6 px of the 10.5 px figures. */
const NAME_CHAR_PX = 7;
const SUB_CHAR_PX = 6;
export const LABEL_HEIGHT = 28;
const GAP = 4;

export function labelWidth(node: GraphNode, sub: string): number {
  return Math.max(shortLabel(node.id, LABEL_CHARS).length * NAME_CHAR_PX, sub.length * SUB_CHAR_PX) + 4;
}

export function labelBox(node: GraphNode, side: LabelSide, width: number): Box {
  switch (side) {
    case 'below':
      return { x: -width / 2, y: node.r + GAP, width, height: LABEL_HEIGHT };
    case 'above':
      return { x: -width / 2, y: -node.r - GAP - LABEL_HEIGHT, width, height: LABEL_HEIGHT };
    case 'right':
      return { x: node.r + GAP, y: -LABEL_HEIGHT / 2, width, height: LABEL_HEIGHT };
    case 'left':
      return { x: -node.r - GAP - width, y: -LABEL_HEIGHT / 2, width, height: LABEL_HEIGHT };
  }
}

/** Points along the drawn edge, its arrow head included. */
export function edgeSamples(e: GraphEdge, count = 24): { x: number; y: number }[] {
  const g = edgeGeometry(e);
  const tx = e.target.x ?? 0;
  const ty = e.target.y ?? 0;
  const points: { x: number; y: number }[] = [];
  for (let i = 0; i <= count; i++) {
    const t = i / count;
    if (g.control) {
      const a = (1 - t) * (1 - t);
      const b = 2 * (1 - t) * t;
      const c = t * t;
      points.push({ x: a * g.x1 + b * g.control.x + c * g.x2, y: a * g.y1 + b * g.control.y + c * g.y2 });
    } else {
      points.push({ x: g.x1 + (g.x2 - g.x1) * t, y: g.y1 + (g.y2 - g.y1) * t });
    }
  }
  // the arrow head, from the line's end towards the target's rim
  const len = Math.hypot(tx - g.x2, ty - g.y2) || 1;
  for (let k = 1; k <= 3; k++) points.push({ x: g.x2 + ((tx - g.x2) / len) * (ARROW * k) / 3, y: g.y2 + ((ty - g.y2) / len) * (ARROW * k) / 3 });
  return points;
}

/** A box in map coordinates. */
type Rect = { x0: number; y0: number; x1: number; y1: number };

const rectOf = (box: Box, at: { x: number; y: number }): Rect => ({ x0: at.x + box.x, y0: at.y + box.y, x1: at.x + box.x + box.width, y1: at.y + box.y + box.height });
const overlaps = (a: Rect, b: Rect) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const holds = (r: Rect, p: { x: number; y: number }) => p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1;

/** A label cut off by the frame is unreadable; one over an edge still reads (white halo): the frame weighs most, then edges. */
const OUT_OF_FRAME_WEIGHT = 10_000;
const EDGE_WEIGHT = 100;

/** The side for each node's label, by node id; `frame`: the map's size, labels leaving it count as in the way. */
export function placeLabels(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  subText: (n: GraphNode) => string,
  frame?: { width: number; height: number },
): Map<string, LabelSide> {
  const samples = edges.map((e) => edgeSamples(e));
  const nodeRects = nodes.map((n) => ({ id: n.id, rect: { x0: (n.x ?? 0) - n.r, y0: (n.y ?? 0) - n.r, x1: (n.x ?? 0) + n.r, y1: (n.y ?? 0) + n.r } }));
  const placed: Rect[] = [];
  const sides = new Map<string, LabelSide>();
  for (const n of nodes) {
    const at = { x: n.x ?? 0, y: n.y ?? 0 };
    const width = labelWidth(n, subText(n));
    let best: LabelSide = 'below';
    let bestRect: Rect | undefined;
    let fewest = Infinity;
    for (const side of SIDES) {
      const rect = rectOf(labelBox(n, side, width), at);
      let cost = EDGE_WEIGHT * samples.reduce((k, pts) => k + (pts.some((p) => holds(rect, p)) ? 1 : 0), 0);
      if (frame && (rect.x0 < 0 || rect.y0 < 0 || rect.x1 > frame.width || rect.y1 > frame.height)) cost += OUT_OF_FRAME_WEIGHT;
      cost += nodeRects.filter((o) => o.id !== n.id && overlaps(rect, o.rect)).length * 5;
      cost += placed.filter((r) => overlaps(rect, r)).length;
      if (cost < fewest) {
        fewest = cost;
        best = side;
        bestRect = rect;
        if (cost === 0) break;
      }
    }
    sides.set(n.id, best);
    if (bestRect) placed.push(bestRect);
  }
  return sides;
}
