import type { PanelData, RatedTopologyEdge } from '../../../core/wire';
import { svgNumber, wholeText } from '../numberText';
import { shortLabel } from '../safeText';
import { svgElement } from './svgElements';
import { edgeHealth, edgePath, graphModel, health, keepInFrame, LABEL_CHARS, ranks, shapePath, type RememberedPosition } from '../views/topologyLayout';

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

/** The live topology of a wall-screen panel: the topology page's layout (topologyLayout.ts), no force simulation, flow on edges by rate. */
export function drawTopology(body: HTMLElement, data: TopologyData): void {
  const width = Math.max(300, Math.round(body.clientWidth));
  const height = Math.max(200, Math.round(body.clientHeight));
  let places = placesOf.get(body);
  if (!places) placesOf.set(body, (places = firstPlaces(data, width, height)));
  let seed = 1;
  const model = graphModel(data, { width, height, windowSeconds: Math.max(1, data.rate.seconds) }, places, () => ((seed = (seed * 16807) % 2147483647) / 2147483647));
  for (const n of model.nodes) {
    if (places.has(n.id)) continue;
    keepInFrame(n, width, height);
    places.set(n.id, { x: n.x!, y: n.y!, pinned: true });
  }
  forgetGone(places, new Set(model.nodes.map((n) => n.id)));
  const svg = svgElement('svg', { class: 'screen-topology', viewBox: `0 0 ${svgNumber(width)} ${svgNumber(height)}`, role: 'img', 'aria-label': 'Live topology' });
  for (const e of model.edges) {
    const d = edgePath(e);
    svg.appendChild(svgElement('path', { d, class: `topo-edge health-${edgeHealth('errors', e.data)}`, 'stroke-width': model.strokeWidth(e).toFixed(1) }));
    // graphModel keeps the answer's edge objects, which carry their rate
    const seconds = flowSeconds((e.data as RatedTopologyEdge).ratePerSec);
    if (seconds !== null) svg.appendChild(svgElement('path', { d, class: 'topo-flow', style: `animation-duration: ${seconds.toFixed(2)}s` }));
  }
  for (const n of model.nodes) {
    const g = svgElement('g', { class: `topo-node health-${health('errors', n.data.errorRate, n.data.p95Ms, n.data.calls)}`, transform: `translate(${svgNumber(n.x!)},${svgNumber(n.y!)})`, 'data-node': n.id });
    g.appendChild(svgElement('path', { d: shapePath(n.data.kind, n.r) }));
    const label = svgElement('text', { y: svgNumber(n.r + 16), 'text-anchor': 'middle' });
    label.textContent = shortLabel(n.id, LABEL_CHARS);
    g.appendChild(label);
    const title = svgElement('title');
    title.textContent = `${n.id}: ${wholeText(n.data.calls)} calls, ${(n.data.errorRate * 100).toFixed(1)} % errors`;
    g.appendChild(title);
    svg.appendChild(g);
  }
  body.replaceChildren(svg);
}
