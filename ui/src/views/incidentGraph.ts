import { select } from 'd3';
import type { IncidentSubgraph } from '../../../core/wire';
import { h } from '../dom';
import { shortLabel } from '../safeText';
import { LABEL_CHARS, ranks } from './topologyLayout';

const HEIGHT = 240;
const NODE = { width: 150, height: 30 };

/**
 * The topology around an incident (D3): one column per rank from the entry
 * points (topologyLayout's ranks), the alert's series highlighted, the first
 * candidate causes numbered. Names are text (D3 `text()`), cut to LABEL_CHARS
 * with the whole name in the tooltip.
 */
export function drawIncidentGraph(container: HTMLElement, graph: IncidentSubgraph, causeRank: ReadonlyMap<string, number>): void {
  container.replaceChildren();
  if (!graph.nodes.length) {
    container.appendChild(h('p', { class: 'muted' }, 'No topology around this incident in its window.'));
    return;
  }
  const rank = ranks(graph.nodes, graph.edges);
  const maxRank = Math.max(0, ...rank.values());
  const columns = new Map<number, string[]>();
  for (const n of [...graph.nodes].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const r = rank.get(n.id) ?? 0;
    columns.set(r, [...(columns.get(r) ?? []), n.id]);
  }
  const tallest = Math.max(...[...columns.values()].map((c) => c.length));
  const width = Math.max(360, container.clientWidth || 640);
  const height = Math.max(HEIGHT, tallest * (NODE.height + 16) + 20);
  const place = new Map<string, { x: number; y: number }>();
  for (const [r, ids] of columns) {
    ids.forEach((id, i) => place.set(id, { x: NODE.width / 2 + 10 + (maxRank ? (r / maxRank) * (width - NODE.width - 20) : (width - NODE.width - 20) / 2), y: ((i + 1) / (ids.length + 1)) * height }));
  }
  const svg = select(container).append('svg').attr('class', 'incident-graph').attr('width', width).attr('height', height);
  svg
    .append('defs')
    .append('marker')
    .attr('id', 'incident-arrow')
    .attr('viewBox', '0 0 10 10')
    .attr('refX', 10)
    .attr('refY', 5)
    .attr('markerWidth', 7)
    .attr('markerHeight', 7)
    .attr('orient', 'auto')
    .append('path')
    .attr('d', 'M0,0L10,5L0,10z');
  svg
    .selectAll('line.incident-edge')
    .data(graph.edges.filter((e) => place.has(e.source) && place.has(e.target) && e.source !== e.target))
    .join('line')
    .attr('class', (e) => `incident-edge${e.focus ? ' focus' : ''}${e.errors > 0 ? ' failing' : ''}`)
    .attr('x1', (e) => place.get(e.source)!.x + NODE.width / 2)
    .attr('y1', (e) => place.get(e.source)!.y)
    .attr('x2', (e) => place.get(e.target)!.x - NODE.width / 2)
    .attr('y2', (e) => place.get(e.target)!.y)
    .attr('marker-end', 'url(#incident-arrow)')
    .append('title')
    .text((e) => `${e.source} → ${e.target}: ${e.calls} calls, ${e.errors} errors, p95 ${e.p95Ms ?? '–'} ms`);
  const nodes = svg
    .selectAll('g.incident-node')
    .data(graph.nodes)
    .join('g')
    .attr('class', (n) => `incident-node kind-${n.kind}${n.focus ? ' focus' : ''}${causeRank.has(n.id) ? ' cause' : ''}`)
    .attr('data-node', (n) => n.id)
    .attr('transform', (n) => `translate(${place.get(n.id)!.x - NODE.width / 2},${place.get(n.id)!.y - NODE.height / 2})`);
  nodes.append('title').text((n) => `${n.id} (${n.kind}): ${n.calls} calls, error rate ${Math.round(n.errorRate * 1000) / 10} %, p95 ${n.p95Ms ?? '–'} ms`);
  nodes.append('rect').attr('width', NODE.width).attr('height', NODE.height).attr('rx', 6);
  nodes
    .append('text')
    .attr('x', 8)
    .attr('y', NODE.height / 2 + 4)
    .text((n) => (causeRank.has(n.id) ? `#${causeRank.get(n.id)} ` : '') + shortLabel(n.id, LABEL_CHARS - 2));
}
