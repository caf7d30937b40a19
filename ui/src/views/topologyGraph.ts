import {
  drag,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  max,
  scaleSqrt,
  select,
  zoom,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3';
import type { Topology, TopologyEdge, TopologyNode } from '../api';
import { formatDuration } from '../format';
import { shortLabel, visibleText } from '../safeText';

const ARROW = 12;

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

export interface GraphNode extends SimulationNodeDatum {
  id: string;
  data: TopologyNode;
  r: number;
  rank: number;
}

export interface GraphEdge extends SimulationLinkDatum<GraphNode> {
  source: GraphNode;
  target: GraphNode;
  data: TopologyEdge;
  curve: number;
}

export interface TopologyGraph {
  setColorMode(mode: ColorMode): void;
  select(kind: 'node' | 'edge' | null, id?: string): void;
  stop(): void;
}

export interface TopologyGraphOptions {
  windowSeconds: number;
  colorMode: ColorMode;
  onNode(node: TopologyNode): void;
  onEdge(edge: TopologyEdge): void;
  onBackground(): void;
}

/** Positions survive re-renders (a new window, a colour toggle), so the map does not jump; pinned ones stay pinned. */
const remembered = new Map<string, { x: number; y: number; pinned: boolean }>();

export const edgeId = (e: Pick<TopologyEdge, 'source' | 'target' | 'kind'>): string => `${e.source}→${e.target}:${e.kind}`;

/** Depth from the entry points (nodes nobody calls), breadth-first so cycles terminate; used to lay calls out left to right. */
function ranks(nodes: TopologyNode[], edges: TopologyEdge[]): Map<string, number> {
  const incoming = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of edges) {
    if (e.source === e.target) continue;
    incoming.set(e.target, (incoming.get(e.target) ?? 0) + 1);
    out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
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

/** A node's outline, centred on 0,0: circle = service, cylinder = database, segmented box = queue, diamond = external. */
function shapePath(kind: string, r: number): string {
  switch (kind) {
    case 'database': {
      const a = r * 0.85;
      const b = r;
      const e = r * 0.3;
      return `M${-a},${-b + e} A${a},${e} 0 0,1 ${a},${-b + e} V${b - e} A${a},${e} 0 0,1 ${-a},${b - e} Z M${-a},${-b + e} A${a},${e} 0 0,0 ${a},${-b + e}`;
    }
    case 'queue': {
      const w = r * 1.4;
      const hh = r * 0.7;
      const seg = (w * 2) / 4;
      let d = `M${-w},${-hh} H${w} V${hh} H${-w} Z`;
      for (let i = 1; i < 4; i++) d += ` M${-w + seg * i},${-hh} V${hh}`;
      return d;
    }
    case 'external':
      return `M0,${-r * 1.1} L${r * 1.1},0 L0,${r * 1.1} L${-r * 1.1},0 Z`;
    default:
      return `M${r},0 A${r},${r} 0 1,1 ${-r},0 A${r},${r} 0 1,1 ${r},0 Z`;
  }
}

/** Characters of a node's label under it: SVG text has no ellipsis, so it is cut (the whole id is in the node's <title>). */
const LABEL_CHARS = 22;

export function drawTopology(container: HTMLElement, topo: Topology, opts: TopologyGraphOptions): TopologyGraph {
  container.replaceChildren();
  const width = Math.max(600, container.clientWidth || 900);
  const height = Math.max(420, container.clientHeight || 560);
  const rank = ranks(topo.nodes, topo.edges);
  const maxRank = Math.max(1, ...rank.values());
  const maxNodeCalls = max(topo.nodes, (n) => n.calls) ?? 1;
  const radius = scaleSqrt().domain([0, Math.max(1, maxNodeCalls)]).range([14, 26]);
  const nodes: GraphNode[] = topo.nodes.map((n) => {
    const r = n.kind === 'service' ? radius(Math.max(0, n.calls)) : 17;
    const prev = remembered.get(n.id);
    const rk = rank.get(n.id) ?? 0;
    const g: GraphNode = { id: n.id, data: n, r, rank: rk };
    if (prev) {
      g.x = prev.x;
      g.y = prev.y;
      if (prev.pinned) {
        g.fx = prev.x;
        g.fy = prev.y;
      }
    } else {
      g.x = 60 + (rk / maxRank) * (width - 120) + (Math.random() - 0.5) * 20;
      g.y = height / 2 + (Math.random() - 0.5) * height * 0.5;
    }
    return g;
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pairs = new Set(topo.edges.map((e) => `${e.source}→${e.target}`));
  const edges: GraphEdge[] = topo.edges
    .filter((e) => e.source !== e.target && byId.has(e.source) && byId.has(e.target))
    .map((e) => ({ source: byId.get(e.source)!, target: byId.get(e.target)!, data: e, curve: pairs.has(`${e.target}→${e.source}`) ? 0.18 : 0 }));

  const maxRate = (max(edges, (e) => e.data.calls) ?? 1) / opts.windowSeconds;
  const widthScale = scaleSqrt().domain([0, Math.max(maxRate, 1e-9)]).range([1.5, 9]);
  let mode = opts.colorMode;

  const svg = select(container).append('svg').attr('class', 'topo-svg').attr('width', width).attr('height', height).attr('role', 'img').attr('aria-label', 'Service topology');
  const defs = svg.append('defs');
  for (const hl of ['ok', 'warn', 'bad', 'none', 'sel']) {
    defs
      .append('marker')
      .attr('id', `topo-arrow-${hl}`)
      .attr('class', `topo-arrow health-${hl}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 0)
      .attr('refY', 5)
      .attr('markerWidth', ARROW)
      .attr('markerHeight', ARROW)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('orient', 'auto')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z');
  }
  const world = svg.append('g').attr('class', 'topo-world');
  svg
    .call(
      zoom<SVGSVGElement, unknown>()
        .scaleExtent([0.3, 4])
        .filter((event: Event) => (event.type === 'wheel' ? (event as WheelEvent).ctrlKey || (event as WheelEvent).metaKey : !(event as MouseEvent).button))
        .on('zoom', (event) => world.attr('transform', event.transform)),
    )
    .on('dblclick.zoom', null)
    .on('click', (event: MouseEvent) => {
      if (event.target === svg.node()) opts.onBackground();
    });

  const edgeG = world
    .append('g')
    .attr('class', 'topo-edges')
    .selectAll<SVGGElement, GraphEdge>('g')
    .data(edges)
    .join('g')
    .attr('class', (e) => `topo-edge ${e.data.kind === 'async' ? 'async' : 'sync'}`)
    .attr('data-source', (e) => e.data.source)
    .attr('data-target', (e) => e.data.target)
    .attr('data-kind', (e) => e.data.kind)
    .on('click', (event: MouseEvent, e) => {
      event.stopPropagation();
      opts.onEdge(e.data);
    });
  const edgeLine = edgeG
    .append('path')
    .attr('class', 'topo-edge-line')
    .attr('stroke-width', (e) => widthScale(e.data.calls / opts.windowSeconds));
  const edgeHit = edgeG.append('path').attr('class', 'topo-edge-hit');
  edgeG
    .append('title')
    .text(
      (e) =>
        `${visibleText(e.data.source)} → ${visibleText(e.data.target)} (${e.data.kind})\n${e.data.calls} calls, ${e.data.errors} errors\np50 ${msText(e.data.p50Ms)} · p95 ${msText(e.data.p95Ms)} · p99 ${msText(e.data.p99Ms)}`,
    );

  const nodeG = world
    .append('g')
    .attr('class', 'topo-nodes')
    .selectAll<SVGGElement, GraphNode>('g')
    .data(nodes)
    .join('g')
    .attr('class', (n) => `topo-node kind-${n.data.kind}${n.fx !== undefined && n.fx !== null ? ' pinned' : ''}`)
    .attr('data-id', (n) => n.id)
    .attr('data-kind', (n) => n.data.kind)
    .attr('tabindex', 0)
    .on('click', (event: MouseEvent, n) => {
      event.stopPropagation();
      opts.onNode(n.data);
    })
    .on('keydown', (event: KeyboardEvent, n) => {
      if (event.key === 'Enter') opts.onNode(n.data);
    })
    .on('dblclick', (event: MouseEvent, n) => {
      event.stopPropagation();
      n.fx = null;
      n.fy = null;
      remembered.set(n.id, { x: n.x ?? 0, y: n.y ?? 0, pinned: false });
      select(event.currentTarget as SVGGElement).classed('pinned', false);
      sim.alpha(0.3).restart();
    });
  const shape = nodeG.append('path').attr('class', 'topo-shape').attr('d', (n) => shapePath(String(n.data.kind), n.r));
  nodeG
    .append('text')
    .attr('class', 'topo-label')
    .attr('y', (n) => n.r + 14)
    .text((n) => shortLabel(n.id, LABEL_CHARS));
  nodeG
    .append('text')
    .attr('class', 'topo-sub')
    .attr('y', (n) => n.r + 26)
    .text((n) => (n.data.kind === 'service' ? `${rateText(n.data.calls / opts.windowSeconds)} · ${pct(n.data.errorRate)}` : String(n.data.kind)));
  nodeG.append('title').text(
    (n) =>
      `${visibleText(n.id)} (${n.data.kind})\n${n.data.calls} calls · ${pct(n.data.errorRate)} errors\np50 ${msText(n.data.p50Ms)} · p95 ${msText(n.data.p95Ms)} · p99 ${msText(n.data.p99Ms)}\nDrag to pin, double-click to release.`,
  );

  const recolor = () => {
    shape.attr('class', (n) => `topo-shape health-${health(mode, n.data.errorRate, n.data.p95Ms, n.data.calls)}`);
    edgeG.each(function (e) {
      const hl = health(mode, e.data.calls > 0 ? e.data.errors / e.data.calls : 0, e.data.p95Ms, e.data.calls);
      select(this).attr('data-health', hl);
      select(this).select('path.topo-edge-line').attr('class', `topo-edge-line health-${hl}`).attr('marker-end', `url(#topo-arrow-${hl})`);
    });
  };
  recolor();

  const sim: Simulation<GraphNode, GraphEdge> = forceSimulation<GraphNode>(nodes)
    .force(
      'link',
      forceLink<GraphNode, GraphEdge>(edges)
        .id((n) => n.id)
        .distance(140)
        .strength(0.4),
    )
    .force('charge', forceManyBody<GraphNode>().strength(-900))
    .force('collide', forceCollide<GraphNode>().radius((n) => n.r + 44))
    .force('x', forceX<GraphNode>((n) => 90 + (n.rank / maxRank) * (width - 180)).strength(0.5))
    .force('y', forceY<GraphNode>(height / 2).strength(0.04))
    .alphaDecay(0.04);

  const ticked = () => {
    for (const n of nodes) {
      // Keep room for the label under the node, which is wider than the node.
      const half = Math.max(n.r + 10, Math.min(90, 4 + shortLabel(n.id, LABEL_CHARS).length * 3.6));
      n.x = Math.max(half, Math.min(width - half, n.x ?? 0));
      n.y = Math.max(n.r + 10, Math.min(height - n.r - 34, n.y ?? 0));
    }
    const d = (e: GraphEdge) => {
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
      if (!e.curve) return `M${x1},${y1} L${x2},${y2}`;
      const cx = (x1 + x2) / 2 - uy * len * e.curve;
      const cy = (y1 + y2) / 2 + ux * len * e.curve;
      return `M${x1},${y1} Q${cx},${cy} ${x2},${y2}`;
    };
    edgeLine.attr('d', d);
    edgeHit.attr('d', d);
    nodeG.attr('transform', (n) => `translate(${n.x},${n.y})`);
  };
  sim.on('tick', ticked);
  sim.on('end', () => {
    for (const n of nodes) remembered.set(n.id, { x: n.x ?? 0, y: n.y ?? 0, pinned: n.fx !== undefined && n.fx !== null });
    svg.attr('data-settled', 'true');
  });

  nodeG.call(
    drag<SVGGElement, GraphNode>()
      .clickDistance(4)
      .on('start', (event, n) => {
        if (!event.active) sim.alphaTarget(0.2).restart();
        n.fx = n.x;
        n.fy = n.y;
      })
      .on('drag', (event, n) => {
        n.fx = event.x;
        n.fy = event.y;
      })
      .on('end', function (event, n) {
        if (!event.active) sim.alphaTarget(0);
        // Pinned where dropped; double-click releases.
        select(this).classed('pinned', true);
        remembered.set(n.id, { x: n.fx ?? 0, y: n.fy ?? 0, pinned: true });
      }),
  );

  return {
    setColorMode(m) {
      mode = m;
      recolor();
    },
    select(kind, id) {
      nodeG.classed('selected', (n) => kind === 'node' && n.id === id);
      edgeG.classed('selected', (e) => kind === 'edge' && edgeId(e.data) === id);
    },
    stop() {
      sim.stop();
    },
  };
}

/** Milliseconds (null: not measured) as a short duration. */
export function msText(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : formatDuration(v * 1000);
}

export function pct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  const p = rate * 100;
  return `${p === 0 ? 0 : p < 0.1 ? '<0.1' : Number(p.toFixed(p < 10 ? 1 : 0))}%`;
}

export function rateText(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0/s';
  if (perSec >= 1) return `${Number(perSec.toFixed(perSec >= 100 ? 0 : 1))}/s`;
  const perMin = perSec * 60;
  return perMin >= 1 ? `${Number(perMin.toFixed(1))}/min` : `${Number((perMin * 60).toFixed(1))}/h`;
}
