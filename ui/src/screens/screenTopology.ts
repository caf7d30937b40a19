import type { PanelData, RatedTopologyEdge } from '../../../core/wire';
import { svgNumber, wholeText } from '../numberText';
import { shortLabel } from '../safeText';
import { svgElement, updateAttrs } from './svgElements';
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

/** A panel's drawing, kept across refreshes: redrawn in place while the graph is the same (refigureModel). */
interface TopologyDrawing {
  svg: SVGSVGElement;
  model: GraphModel;
  edges: { line: SVGPathElement; flow: SVGPathElement }[];
  nodes: { g: SVGGElement; shape: SVGPathElement; label: SVGTextElement; title: SVGTitleElement }[];
}

const drawingsOf = new WeakMap<HTMLElement, TopologyDrawing>();

/**
 * The live topology of a wall-screen panel: the topology page's layout
 * (topologyLayout.ts), no force simulation, flow on edges by rate. While the
 * graph stays the same (nodes and edges; their figures change every push) its
 * model and elements are kept and only their figures, sizes and colours set
 * again: no ranks, no layout, no new elements (a screen runs for days, and
 * every function it runs on a push is compiled code kept in its heap:
 * docs/benchmarks.md). A new or gone node or edge, or a new panel size, draws it anew.
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
  const edges = model.edges.map(() => ({ line: svgElement('path', {}, svg), flow: svgElement('path', { class: 'topo-flow' }) }));
  const nodes = model.nodes.map((n) => {
    const g = svgElement('g', { transform: `translate(${svgNumber(n.x!)},${svgNumber(n.y!)})`, 'data-node': n.id }, svg);
    const shape = svgElement('path', {}, g);
    const label = svgElement('text', { 'text-anchor': 'middle' }, g);
    label.textContent = shortLabel(n.id, LABEL_CHARS);
    return { g, shape, label, title: svgElement('title', {}, g) };
  });
  const drawing = { svg, model, edges, nodes };
  drawingsOf.set(body, drawing);
  setFigures(drawing);
  body.replaceChildren(svg);
}

/** What changes with the figures: node sizes (and so where their labels sit), colours and tooltips, edge curves (they end at the rims), widths, colours and flow. */
function setFigures({ model, edges, nodes }: TopologyDrawing): void {
  model.edges.forEach((e, i) => {
    const { line, flow } = edges[i];
    const d = edgePath(e);
    updateAttrs(line, { d, class: `topo-edge health-${edgeHealth('errors', e.data)}`, 'stroke-width': model.strokeWidth(e).toFixed(1) });
    // graphModel keeps the answer's edge objects, which carry their rate
    const seconds = flowSeconds((e.data as RatedTopologyEdge).ratePerSec);
    if (seconds === null) flow.remove();
    else {
      updateAttrs(flow, { d, style: `animation-duration: ${seconds.toFixed(2)}s` });
      if (flow.previousSibling !== line) line.after(flow);
    }
  });
  model.nodes.forEach((n, i) => {
    const { g, shape, label, title } = nodes[i];
    updateAttrs(g, { class: `topo-node health-${health('errors', n.data.errorRate, n.data.p95Ms, n.data.calls)}` });
    updateAttrs(shape, { d: shapePath(n.data.kind, n.r) });
    updateAttrs(label, { y: svgNumber(n.r + 16) });
    const tip = `${n.id}: ${wholeText(n.data.calls)} calls, ${(n.data.errorRate * 100).toFixed(1)} % errors`;
    if (title.textContent !== tip) title.textContent = tip;
  });
}
