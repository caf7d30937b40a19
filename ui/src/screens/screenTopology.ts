import type { PanelData, RatedTopologyEdge } from '../../../core/wire';
import { svgNumber, wholeText } from '../numberText';
import { shortLabel } from '../safeText';
import { svgElement } from './svgElements';
import { edgeHealth, edgePath, graphModel, health, keepInFrame, LABEL_CHARS, ranks, refigureModel, shapePath, type GraphModel, type RememberedPosition } from '../views/topologyLayout';

type TopologyData = Extract<PanelData, { kind: 'topology' }>;

/** Where each node of a panel stands: kept across refreshes, so an unchanged graph never moves and a new node never moves the others. */
const placesOf = new WeakMap<HTMLElement, Map<string, RememberedPosition>>();

/** A flow dash's trip time along an edge: faster with more calls per second (square root), 0.6 s .. 8 s; none without calls. */
export function flowSeconds(ratePerSec: number): number | null {
  if (!(ratePerSec > 0)) return null;
  return Math.min(8, Math.max(0.6, 4 / Math.sqrt(ratePerSec)));
}

/** First places: one column per rank from the entry points, nodes of a column spread evenly, by id. */
function firstPlaces(data: TopologyData, width: number, height: number): Map<string, RememberedPosition> {
  const rank = ranks(data.nodes, data.edges);
  const maxRank = Math.max(1, ...rank.values());
  const columns = new Map<number, string[]>();
  for (const n of [...data.nodes].sort((a, b) => (a.id < b.id ? -1 : 1))) columns.set(rank.get(n.id) ?? 0, [...(columns.get(rank.get(n.id) ?? 0) ?? []), n.id]);
  const places = new Map<string, RememberedPosition>();
  for (const [r, ids] of columns) {
    ids.forEach((id, i) => places.set(id, { x: 70 + (r / maxRank) * (width - 140), y: ((i + 1) / (ids.length + 1)) * (height - 30), pinned: true }));
  }
  return places;
}

/** Places kept for nodes not in the current graph (one that comes back finds its place); past this, they are forgotten. */
export const MAX_GONE_PLACES = 200;

/** A screen runs for weeks: places of nodes gone from the graph are dropped, oldest first, beyond MAX_GONE_PLACES. */
export function forgetGone(places: Map<string, RememberedPosition>, present: ReadonlySet<string>): void {
  let gone = places.size - present.size;
  if (gone <= MAX_GONE_PLACES) return;
  // a Map iterates in insertion order: the first gone ones are the oldest
  for (const id of places.keys()) {
    if (gone <= MAX_GONE_PLACES) break;
    if (present.has(id)) continue;
    places.delete(id);
    gone--;
  }
}

/** A node's elements and what they show, so a push sets only what changed. */
interface DrawnNode {
  g: SVGGElement;
  label: SVGTextElement;
  title: SVGTitleElement;
  /** The outline's scale and the label's offset (SVG transforms set as numbers: no text per push). */
  scale: SVGTransform;
  below: SVGTransform;
  health: string;
  /** The radius drawn, in tenths of a pixel (-1: none yet). */
  r10: number;
}

/** An edge's elements and what they show. */
interface DrawnEdge {
  line: SVGPathElement;
  flow: SVGPathElement;
  health: string;
  /** Its ends' radii drawn (tenths of a pixel, source × 10,000 + target), width (tenths), flow trip (hundredths of a second, -1: none). */
  ends: number;
  width10: number;
  flow100: number;
}

/** A panel's drawing, kept across refreshes: redrawn in place while the graph is the same (refigureModel). */
interface TopologyDrawing {
  svg: SVGSVGElement;
  model: GraphModel;
  edges: DrawnEdge[];
  nodes: DrawnNode[];
}

/** Node outlines are drawn at this radius and scaled to the node's (their stroke does not scale: screenStyles.ts). */
const OUTLINE_R = 100;

const drawingsOf = new WeakMap<HTMLElement, TopologyDrawing>();

/** A node's tooltip from its figures now: written when the pointer comes onto it, not on every push (a wall screen is rarely pointed at). */
function tooltip(n: GraphModel['nodes'][number]): string {
  return `${n.id}: ${wholeText(n.data.calls)} calls, ${(n.data.errorRate * 100).toFixed(1)} % errors`;
}

/**
 * The live topology of a wall-screen panel: the topology page's layout
 * (topologyLayout.ts), no force simulation, flow on edges by rate. While the
 * graph stays the same (nodes and edges; their figures change every push) its
 * model and elements are kept and only the figures that changed what is
 * drawn are set again: no ranks, no layout, no new elements (a screen runs
 * for days, and every function it runs on a push is compiled code kept in its
 * heap: docs/benchmarks.md). A new or gone node or edge, or a new panel size, draws it anew.
 */
export function drawTopology(body: HTMLElement, data: TopologyData): void {
  const width = Math.max(300, Math.round(body.clientWidth));
  const height = Math.max(200, Math.round(body.clientHeight));
  const windowSeconds = Math.max(1, data.rate.seconds);
  const kept = drawingsOf.get(body);
  if (kept && kept.svg.parentNode === body && kept.model.width === width && kept.model.height === height && refigureModel(kept.model, data, windowSeconds)) {
    setFigures(kept);
    return;
  }
  let places = placesOf.get(body);
  if (!places) placesOf.set(body, (places = firstPlaces(data, width, height)));
  let seed = 1;
  const model = graphModel(data, { width, height, windowSeconds }, places, () => ((seed = (seed * 16807) % 2147483647) / 2147483647));
  for (const n of model.nodes) {
    if (places.has(n.id)) continue;
    keepInFrame(n, width, height);
    places.set(n.id, { x: n.x!, y: n.y!, pinned: true });
  }
  forgetGone(places, new Set(model.nodes.map((n) => n.id)));
  const svg = svgElement('svg', { class: 'screen-topology', viewBox: `0 0 ${svgNumber(width)} ${svgNumber(height)}`, role: 'img', 'aria-label': 'Live topology' });
  const edges = model.edges.map(() => ({ line: svgElement('path', {}, svg), flow: svgElement('path', { class: 'topo-flow' }), health: '', ends: -1, width10: -1, flow100: -1 }));
  const transform = (el: SVGGraphicsElement) => el.transform.baseVal.appendItem(svg.createSVGTransform());
  const nodes = model.nodes.map((n) => {
    const g = svgElement('g', { transform: `translate(${svgNumber(n.x!)},${svgNumber(n.y!)})`, 'data-node': n.id }, svg);
    const shape = svgElement('path', { d: shapePath(n.data.kind, OUTLINE_R) }, g);
    const label = svgElement('text', { 'text-anchor': 'middle' }, g);
    label.textContent = shortLabel(n.id, LABEL_CHARS);
    return { g, label, title: svgElement('title', {}, g), scale: transform(shape), below: transform(label), health: '', r10: -1 };
  });
  const drawing = { svg, model, edges, nodes };
  nodes.forEach(({ g, title }, i) => g.addEventListener('pointerenter', () => (title.textContent = tooltip(drawing.model.nodes[i]))));
  drawingsOf.set(body, drawing);
  setFigures(drawing);
  body.replaceChildren(svg);
}

/**
 * What changes with the figures: node sizes (and so where their labels sit
 * and where edges end), colours, edge widths and flow. Each is compared as a
 * number in the units it is drawn in and set only when it changed, so an
 * ordinary push (the same picture, a few more calls) builds no text; what a
 * change sets is in the small functions below, which a push seldom calls.
 */
function setFigures({ model, edges, nodes }: TopologyDrawing): void {
  for (let i = 0; i < model.nodes.length; i++) {
    const n = model.nodes[i];
    const drawn = nodes[i];
    const h = health('errors', n.data.errorRate, n.data.p95Ms, n.data.calls);
    if (h !== drawn.health) setHealth(drawn, drawn.g, 'topo-node', h);
    const r10 = Math.round(n.r * 10);
    if (r10 !== drawn.r10) setNodeSize(drawn, r10);
  }
  for (let i = 0; i < model.edges.length; i++) {
    const e = model.edges[i];
    const drawn = edges[i];
    const h = edgeHealth('errors', e.data);
    if (h !== drawn.health) setHealth(drawn, drawn.line, 'topo-edge', h);
    const ends = Math.round(e.source.r * 10) * 10_000 + Math.round(e.target.r * 10);
    if (ends !== drawn.ends) setEdgeEnds(drawn, e, ends);
    const width10 = Math.round(model.strokeWidth(e) * 10);
    if (width10 !== drawn.width10) setEdgeWidth(drawn, width10);
    // graphModel keeps the answer's edge objects, which carry their rate
    const seconds = flowSeconds((e.data as RatedTopologyEdge).ratePerSec);
    const flow100 = seconds === null ? -1 : Math.round(seconds * 100);
    if (flow100 !== drawn.flow100) setFlow(drawn, flow100);
  }
}

function setHealth(drawn: { health: string }, el: Element, cls: string, health: string): void {
  drawn.health = health;
  el.setAttribute('class', `${cls} health-${health}`);
}

function setNodeSize(drawn: DrawnNode, r10: number): void {
  drawn.r10 = r10;
  drawn.scale.setScale(r10 / 10 / OUTLINE_R, r10 / 10 / OUTLINE_R);
  drawn.below.setTranslate(0, r10 / 10 + 16);
}

function setEdgeEnds(drawn: DrawnEdge, e: GraphModel['edges'][number], ends: number): void {
  drawn.ends = ends;
  const d = edgePath(e);
  drawn.line.setAttribute('d', d);
  drawn.flow.setAttribute('d', d);
}

function setEdgeWidth(drawn: DrawnEdge, width10: number): void {
  drawn.width10 = width10;
  drawn.line.setAttribute('stroke-width', (width10 / 10).toFixed(1));
}

function setFlow(drawn: DrawnEdge, flow100: number): void {
  drawn.flow100 = flow100;
  if (flow100 < 0) drawn.flow.remove();
  else {
    drawn.flow.setAttribute('style', `animation-duration: ${(flow100 / 100).toFixed(2)}s`);
    if (drawn.flow.previousSibling !== drawn.line) drawn.line.after(drawn.flow);
  }
}
