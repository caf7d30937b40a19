import type { Topology, TopologyEdge, TopologyNode } from '../api';
import { svgNumber } from '../numberText';
import { shortLabel } from '../safeText';

/**
 * Pure layout of the topology map (no DOM, no D3): node sizes, ranks from the
 * entry points, first positions, edge widths and curves, node outlines, edge
 * paths, and the frame nodes are kept inside. topologyGraph.ts draws it.
 */

export type ColorMode = 'errors' | 'p95';
export type Health = 'ok' | 'warn' | 'bad' | 'none';

/** Thresholds for the colours; shown in the legend. */
export const THRESHOLDS = {
  errors: { warn: 0.01, bad: 0.05 },
  p95: { warn: 200, bad: 1000 },
};

export function health(mode: ColorMode, errorRate: number | null, p95Ms: number | null, calls: number): Health {
  if (!(calls > 0)) return 'none';
  const v = mode === 'errors' ? errorRate : p95Ms;
  const t = THRESHOLDS[mode];
  if (v === null || !Number.isFinite(v)) return 'none';
  return v >= t.bad ? 'bad' : v >= t.warn ? 'warn' : 'ok';
}

/** An edge's health: its error share and p95 against the same thresholds as a node's. */
export function edgeHealth(mode: ColorMode, edge: TopologyEdge): Health {
  return health(mode, edge.calls > 0 ? edge.errors / edge.calls : 0, edge.p95Ms, edge.calls);
}

/** Size of an arrow head, in pixels. */
export const ARROW = 12;
/** Characters of a node's label under it: SVG text has no ellipsis, so it is cut (the whole id is in the node's <title>). */
export const LABEL_CHARS = 22;
export const MIN_SIZE = { width: 600, height: 420 };

/** A node as the force simulation moves it (the fields d3's SimulationNodeDatum has). */
export interface GraphNode {
  id: string;
  data: TopologyNode;
  r: number;
  rank: number;
  x?: number;
  y?: number;
  fx?: number | null;
  fy?: number | null;
  vx?: number;
  vy?: number;
  index?: number;
}

export interface GraphEdge {
  source: GraphNode;
  target: GraphNode;
  data: TopologyEdge;
  /** Bend of the curve as a share of its length: calls both ways are drawn as two arcs. */
  curve: number;
  index?: number;
}

export interface RememberedPosition {
  x: number;
  y: number;
  pinned: boolean;
}

export interface GraphModel {
  width: number;
  height: number;
  maxRank: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Stroke width of each edge: by calls per second, square root scale. */
  strokeWidth(edge: GraphEdge): number;
}

/** Depth from the entry points (nodes nobody calls), breadth-first so cycles terminate; used to lay calls out left to right. */
export function ranks(nodes: readonly TopologyNode[], edges: readonly TopologyEdge[]): Map<string, number> {
  const incoming = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of edges) {
    if (e.source === e.target) continue;
    incoming.set(e.target, (incoming.get(e.target) ?? 0) + 1);
    const targets = out.get(e.source);
    if (targets) targets.push(e.target);
    else out.set(e.source, [e.target]);
  }
  const rank = new Map<string, number>();
  let frontier = nodes.filter((n) => !incoming.get(n.id)).map((n) => n.id);
  if (!frontier.length && nodes.length) frontier = [nodes[0].id];
  for (const id of frontier) rank.set(id, 0);
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier)
      for (const t of out.get(id) ?? []) {
        if (rank.has(t)) continue;
        rank.set(t, rank.get(id)! + 1);
        next.push(t);
      }
    frontier = next;
  }
  for (const n of nodes) if (!rank.has(n.id)) rank.set(n.id, 0);
  return rank;
}

/** d3's scaleSqrt over [0, domainMax] → [from, to], unclamped. */
function sqrtScale(domainMax: number, from: number, to: number): (v: number) => number {
  const top = Math.sqrt(domainMax);
  return (v) => from + (to - from) * (Math.sqrt(v) / top);
}

/**
 * Nodes (services sized by calls, others fixed) at their remembered place or,
 * new, left to right by rank with a little jitter; edges without self-calls or
 * unknown ends, bent when calls go both ways.
 */
export function graphModel(
  topo: Topology,
  frame: { width: number; height: number; windowSeconds: number },
  remembered: ReadonlyMap<string, RememberedPosition>,
  random: () => number = Math.random,
): GraphModel {
  const { width, height } = frame;
  const rank = ranks(topo.nodes, topo.edges);
  const maxRank = Math.max(1, ...rank.values());
  const nodes: GraphNode[] = topo.nodes.map((n) => {
    const g: GraphNode = { id: n.id, data: n, r: 0, rank: rank.get(n.id) ?? 0 };
    const prev = remembered.get(n.id);
    if (prev) {
      g.x = prev.x;
      g.y = prev.y;
      if (prev.pinned) {
        g.fx = prev.x;
        g.fy = prev.y;
      }
    } else {
      g.x = 60 + (g.rank / maxRank) * (width - 120) + (random() - 0.5) * 20;
      g.y = height / 2 + (random() - 0.5) * height * 0.5;
    }
    return g;
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pairs = new Set(topo.edges.map((e) => `${e.source}→${e.target}`));
  const edges: GraphEdge[] = topo.edges
    .filter((e) => e.source !== e.target && byId.has(e.source) && byId.has(e.target))
    .map((e) => ({ source: byId.get(e.source)!, target: byId.get(e.target)!, data: e, curve: pairs.has(`${e.target}→${e.source}`) ? 0.18 : 0 }));
  const model: GraphModel = { width, height, maxRank, nodes, edges, strokeWidth: () => 0 };
  sizeModel(model, frame.windowSeconds);
  return model;
}

/** Node radii (services by calls, square root scale, others fixed) and edge widths (by calls per second) from the nodes' and edges' data. */
function sizeModel(model: GraphModel, windowSeconds: number): void {
  // plain loops, no arrays: a wall screen sizes its topology on every push (docs/benchmarks.md)
  let maxCalls = 1;
  for (const n of model.nodes) if (n.data.calls > maxCalls) maxCalls = n.data.calls;
  let maxEdgeCalls = 0;
  for (const e of model.edges) if (e.data.calls > maxEdgeCalls) maxEdgeCalls = e.data.calls;
  // services 14..26 px by the square root of their calls (sqrtScale, written out: no function made per push)
  const rootMax = Math.sqrt(maxCalls);
  for (const n of model.nodes) n.r = n.data.kind === 'service' ? 14 + 12 * (Math.sqrt(Math.max(0, n.data.calls)) / rootMax) : 17;
  const maxRate = maxEdgeCalls / windowSeconds;
  const widthScale = sqrtScale(Math.max(maxRate, 1e-9), 1.5, 9);
  model.strokeWidth = (e) => widthScale(e.data.calls / windowSeconds);
}

/**
 * The model of `topo` when it is the graph `model` was made from (the same
 * nodes, kinds and order, the same drawn edges in the same order; their
 * figures change): its nodes and edges get the new figures and sizes, in
 * place, and it answers true. No ranks, no places: nothing moves. False when
 * the graph changed (then the model is half updated: make a new one).
 */
export function refigureModel(model: GraphModel, topo: Topology, windowSeconds: number): boolean {
  if (topo.nodes.length !== model.nodes.length) return false;
  for (let i = 0; i < topo.nodes.length; i++) {
    const n = model.nodes[i];
    if (n.id !== topo.nodes[i].id || n.data.kind !== topo.nodes[i].kind) return false;
    n.data = topo.nodes[i];
  }
  // the model's edges are the answer's in order, less self-calls and edges to unknown nodes
  let k = 0;
  for (const e of topo.edges) {
    if (e.source === e.target) continue;
    const kept = model.edges[k];
    if (kept && kept.source.id === e.source && kept.target.id === e.target) {
      kept.data = e;
      k++;
    } else if (model.nodes.some((n) => n.id === e.source) && model.nodes.some((n) => n.id === e.target)) return false;
  }
  if (k !== model.edges.length) return false;
  sizeModel(model, windowSeconds);
  return true;
}

/** Where the x force pulls a node: its rank's column. */
export function rankX(model: Pick<GraphModel, 'width' | 'maxRank'>, node: GraphNode): number {
  return 90 + (node.rank / model.maxRank) * (model.width - 180);
}

/** Keeps a node inside the frame with room for its label, which is wider than the node, under it. */
export function keepInFrame(node: GraphNode, width: number, height: number): void {
  const half = Math.max(node.r + 10, Math.min(90, 4 + shortLabel(node.id, LABEL_CHARS).length * 3.6));
  node.x = Math.max(half, Math.min(width - half, node.x ?? 0));
  node.y = Math.max(node.r + 10, Math.min(height - node.r - 34, node.y ?? 0));
}

/** An edge's curve: from the rim of its source to just before its target's rim (the arrow head fills the rest); control point when `curve` bends it. */
export interface EdgeGeometry {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  control?: { x: number; y: number };
}

export function edgeGeometry(e: GraphEdge): EdgeGeometry {
  const sx = e.source.x ?? 0;
  const sy = e.source.y ?? 0;
  const tx = e.target.x ?? 0;
  const ty = e.target.y ?? 0;
  const dx = tx - sx;
  const dy = ty - sy;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const x1 = sx + ux * (e.source.r + 2);
  const y1 = sy + uy * (e.source.r + 2);
  // The arrowhead starts where the line ends, so a wide line never covers it.
  const x2 = tx - ux * (e.target.r + 4 + ARROW);
  const y2 = ty - uy * (e.target.r + 4 + ARROW);
  if (!e.curve) return { x1, y1, x2, y2 };
  return { x1, y1, x2, y2, control: { x: (x1 + x2) / 2 - uy * len * e.curve, y: (y1 + y2) / 2 + ux * len * e.curve } };
}

/** A point of a path: coordinates to one decimal (numberText.ts). */
const point = (x: number, y: number) => `${svgNumber(x)},${svgNumber(y)}`;

/** The SVG path of edgeGeometry. */
export function edgePath(e: GraphEdge): string {
  const g = edgeGeometry(e);
  return g.control ? `M${point(g.x1, g.y1)} Q${point(g.control.x, g.control.y)} ${point(g.x2, g.y2)}` : `M${point(g.x1, g.y1)} L${point(g.x2, g.y2)}`;
}

/** A node's outline, centred on 0,0: circle = service, cylinder = database, segmented box = queue, diamond = external. */
export function shapePath(kind: string, r: number): string {
  const n = svgNumber;
  switch (kind) {
    case 'database': {
      const a = r * 0.85;
      const b = r;
      const e = r * 0.3;
      return `M${point(-a, -b + e)} A${point(a, e)} 0 0,1 ${point(a, -b + e)} V${n(b - e)} A${point(a, e)} 0 0,1 ${point(-a, b - e)} Z M${point(-a, -b + e)} A${point(a, e)} 0 0,0 ${point(a, -b + e)}`;
    }
    case 'queue': {
      const w = r * 1.4;
      const hh = r * 0.7;
      const seg = (w * 2) / 4;
      let d = `M${point(-w, -hh)} H${n(w)} V${n(hh)} H${n(-w)} Z`;
      for (let i = 1; i < 4; i++) d += ` M${point(-w + seg * i, -hh)} V${n(hh)}`;
      return d;
    }
    case 'external':
      return `M${point(0, -r * 1.1)} L${point(r * 1.1, 0)} L${point(0, r * 1.1)} L${point(-r * 1.1, 0)} Z`;
    default:
      return `M${point(r, 0)} A${point(r, r)} 0 1,1 ${point(-r, 0)} A${point(r, r)} 0 1,1 ${point(r, 0)} Z`;
  }
}
