import { drag, forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, select, zoom, zoomIdentity, type Selection, type Simulation, type ZoomTransform } from 'd3';
import type { Topology, TopologyEdge, TopologyNode } from '../api';
import { formatDuration } from '../format';
import { shortLabel, visibleText } from '../safeText';
import {
  ARROW,
  edgeHealth,
  edgePath,
  graphModel,
  health,
  keepInFrame,
  LABEL_CHARS,
  MIN_SIZE,
  rankX,
  shapePath,
  type ColorMode,
  type GraphEdge,
  type GraphModel,
  type GraphNode,
  type RememberedPosition,
} from './topologyLayout';
import { placeLabels, type LabelSide } from './topologyLabels';

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
const remembered = new Map<string, RememberedPosition>();
/** Pan and zoom survive re-renders too (a live refresh redraws the map). */
let view: ZoomTransform = zoomIdentity;

/** Calls per second shown for a node: over the API's rate window when it sent one, else the window's average. */
function nodeRate(n: TopologyNode, windowSeconds: number): number {
  const rated = (n as TopologyNode & { ratePerSec?: number }).ratePerSec;
  return typeof rated === 'number' ? rated : n.calls / windowSeconds;
}

export const edgeId = (e: Pick<TopologyEdge, 'source' | 'target' | 'kind'>): string => `${e.source}→${e.target}:${e.kind}`;

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
type Group = Selection<SVGGElement, unknown, null, undefined>;
type NodeMarks = Selection<SVGGElement, GraphNode, SVGGElement, unknown>;
type EdgeMarks = Selection<SVGGElement, GraphEdge, SVGGElement, unknown>;
const isPinned = (n: GraphNode): boolean => n.fx !== undefined && n.fx !== null;

export function drawTopology(container: HTMLElement, topo: Topology, opts: TopologyGraphOptions): TopologyGraph {
  container.replaceChildren();
  const model = graphModel(
    topo,
    { width: Math.max(MIN_SIZE.width, container.clientWidth || 900), height: Math.max(MIN_SIZE.height, container.clientHeight || 560), windowSeconds: opts.windowSeconds },
    remembered,
  );
  let mode = opts.colorMode;
  const svg = select(container).append('svg').attr('class', 'topo-svg').attr('width', model.width).attr('height', model.height).attr('role', 'img').attr('aria-label', 'Service topology');
  drawArrowHeads(svg);
  const world = svg.append('g').attr('class', 'topo-world');
  const zoomer = zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.3, 4])
    .filter((event: Event) => (event.type === 'wheel' ? (event as WheelEvent).ctrlKey || (event as WheelEvent).metaKey : !(event as MouseEvent).button))
    .on('zoom', (event) => {
      view = event.transform;
      world.attr('transform', String(view));
    });
  svg
    .call(zoomer)
    .call(zoomer.transform, view)
    .on('dblclick.zoom', null)
    .on('click', (event: MouseEvent) => {
      if (event.target === svg.node()) opts.onBackground();
    });

  const edgeG = drawEdges(world, model, opts);
  const nodeG = drawNodes(world, model, opts, (n) => {
    remembered.set(n.id, { x: n.x ?? 0, y: n.y ?? 0, pinned: false });
    sim.alpha(0.3).restart();
  });
  const recolor = () => {
    nodeG.select('path.topo-shape').attr('class', (n) => `topo-shape health-${health(mode, n.data.errorRate, n.data.p95Ms, n.data.calls)}`);
    edgeG.each(function (e) {
      const hl = edgeHealth(mode, e.data);
      select(this).attr('data-health', hl);
      select(this).select('path.topo-edge-line').attr('class', `topo-edge-line health-${hl}`).attr('marker-end', `url(#topo-arrow-${hl})`);
    });
  };
  recolor();

  // Stable places: a node drawn before stays where it was; only new nodes are laid out, around the held ones.
  const held = model.nodes.filter((n) => remembered.has(n.id) && !isPinned(n));
  const fresh = model.nodes.some((n) => !remembered.has(n.id));
  for (const n of held) {
    n.fx = n.x;
    n.fy = n.y;
  }
  const render = () => {
    for (const n of model.nodes) keepInFrame(n, model.width, model.height);
    edgeG.selectAll<SVGPathElement, GraphEdge>('path').attr('d', edgePath);
    nodeG.attr('transform', (n) => `translate(${n.x},${n.y})`);
  };
  const settle = () => {
    for (const n of held) {
      n.fx = null;
      n.fy = null;
    }
    held.length = 0;
    for (const n of model.nodes) remembered.set(n.id, { x: n.x ?? 0, y: n.y ?? 0, pinned: isPinned(n) });
    placeNodeLabels(nodeG, model, opts.windowSeconds);
    svg.attr('data-settled', 'true');
  };
  const sim = simulate(model, render);
  sim.on('end', settle);
  if (!fresh) {
    // the same nodes as before: draw them where they were, no simulation, nothing moves
    sim.stop();
    render();
    settle();
  }
  nodeG.call(pinByDragging(sim));

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

/** An arrow head per health colour (and one for the selection). */
function drawArrowHeads(svg: Svg): void {
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
}

/** An edge per call relation: the line (width by rate), a wider invisible hit area, a title with its figures. */
function drawEdges(world: Group, model: GraphModel, opts: TopologyGraphOptions): EdgeMarks {
  const edgeG = world
    .append('g')
    .attr('class', 'topo-edges')
    .selectAll<SVGGElement, GraphEdge>('g')
    .data(model.edges)
    .join('g')
    .attr('class', (e) => `topo-edge ${e.data.kind === 'async' ? 'async' : 'sync'}`)
    .attr('data-source', (e) => e.data.source)
    .attr('data-target', (e) => e.data.target)
    .attr('data-kind', (e) => e.data.kind)
    .on('click', (event: MouseEvent, e) => {
      event.stopPropagation();
      opts.onEdge(e.data);
    });
  edgeG.append('path').attr('class', 'topo-edge-line').attr('stroke-width', (e) => model.strokeWidth(e));
  edgeG.append('path').attr('class', 'topo-edge-hit');
  edgeG
    .append('title')
    .text(
      (e) =>
        `${visibleText(e.data.source)} → ${visibleText(e.data.target)} (${e.data.kind})\n${e.data.calls} calls, ${e.data.errors} errors\np50 ${msText(e.data.p50Ms)} · p95 ${msText(e.data.p95Ms)} · p99 ${msText(e.data.p99Ms)}`,
    );
  return edgeG;
}

/** A node per service or peer: its outline by kind, a label and a sub-label under it; double-click unpins it. */
function drawNodes(world: Group, model: GraphModel, opts: TopologyGraphOptions, onUnpin: (n: GraphNode) => void): NodeMarks {
  const nodeG = world
    .append('g')
    .attr('class', 'topo-nodes')
    .selectAll<SVGGElement, GraphNode>('g')
    .data(model.nodes)
    .join('g')
    .attr('class', (n) => `topo-node kind-${n.data.kind}${isPinned(n) ? ' pinned' : ''}`)
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
      select(event.currentTarget as SVGGElement).classed('pinned', false);
      onUnpin(n);
    });
  nodeG.append('path').attr('class', 'topo-shape').attr('d', (n) => shapePath(String(n.data.kind), n.r));
  nodeG.append('text').attr('class', 'topo-label').text((n) => shortLabel(n.id, LABEL_CHARS));
  nodeG.append('text').attr('class', 'topo-sub').text((n) => subLabel(n, opts.windowSeconds));
  setLabelSides(nodeG, () => 'below');
  nodeG.append('title').text(
    (n) =>
      `${visibleText(n.id)} (${n.data.kind})\n${n.data.calls} calls · ${pct(n.data.errorRate)} errors\np50 ${msText(n.data.p50Ms)} · p95 ${msText(n.data.p95Ms)} · p99 ${msText(n.data.p99Ms)}\nDrag to pin, double-click to release.`,
  );
  return nodeG;
}

/** The figures under a node's name: rate and error share of a service, the kind of a peer. */
function subLabel(n: GraphNode, windowSeconds: number): string {
  return n.data.kind === 'service' ? `${rateText(nodeRate(n.data, windowSeconds))} · ${pct(n.data.errorRate)}` : String(n.data.kind);
}

/** Puts each label (name, then figures) on its side of the node. */
function setLabelSides(nodeG: NodeMarks, side: (n: GraphNode) => LabelSide): void {
  const x = (n: GraphNode) => ({ below: 0, above: 0, right: n.r + 6, left: -n.r - 6 })[side(n)];
  const anchor = (n: GraphNode) => ({ below: 'middle', above: 'middle', right: 'start', left: 'end' })[side(n)];
  const nameY = (n: GraphNode) => ({ below: n.r + 14, above: -n.r - 20, right: -2, left: -2 })[side(n)];
  nodeG.attr('data-label', (n) => side(n));
  nodeG.select<SVGTextElement>('text.topo-label').attr('x', x).attr('y', nameY).style('text-anchor', anchor);
  nodeG.select<SVGTextElement>('text.topo-sub').attr('x', x).attr('y', (n) => nameY(n) + 12).style('text-anchor', anchor);
}

/** Labels where no edge runs through them (topologyLabels.ts), once the nodes have their places. */
function placeNodeLabels(nodeG: NodeMarks, model: GraphModel, windowSeconds: number): void {
  const sides = placeLabels(model.nodes, model.edges, (n) => subLabel(n, windowSeconds), model);
  setLabelSides(nodeG, (n) => sides.get(n.id) ?? 'below');
}

/** Linked nodes pull together, all push apart, each is pulled to its rank's column and the middle. */
function simulate(model: GraphModel, ticked: () => void): Simulation<GraphNode, GraphEdge> {
  return forceSimulation<GraphNode>(model.nodes)
    .force(
      'link',
      forceLink<GraphNode, GraphEdge>(model.edges)
        .id((n) => n.id)
        .distance(140)
        .strength(0.4),
    )
    .force('charge', forceManyBody<GraphNode>().strength(-900))
    .force('collide', forceCollide<GraphNode>().radius((n) => n.r + 44))
    .force('x', forceX<GraphNode>((n) => rankX(model, n)).strength(0.5))
    .force('y', forceY<GraphNode>(model.height / 2).strength(0.04))
    .alphaDecay(0.04)
    .on('tick', ticked);
}

/** Dragging a node moves it and pins it where it is dropped. */
function pinByDragging(sim: Simulation<GraphNode, GraphEdge>) {
  // Only a real move wakes the simulation: a click (no move) leaves every node where it is.
  let moved = false;
  return drag<SVGGElement, GraphNode>()
    .clickDistance(4)
    .on('start', () => {
      moved = false;
    })
    .on('drag', (event, n) => {
      if (!moved) {
        moved = true;
        if (!event.active) sim.alphaTarget(0.2).restart();
      }
      n.fx = event.x;
      n.fy = event.y;
    })
    .on('end', function (event, n) {
      if (!moved) return;
      if (!event.active) sim.alphaTarget(0);
      // Pinned where dropped; double-click releases.
      select(this).classed('pinned', true);
      remembered.set(n.id, { x: n.fx ?? 0, y: n.fy ?? 0, pinned: true });
    });
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
