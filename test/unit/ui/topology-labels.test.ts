import { edgeSamples, labelBox, labelWidth, placeLabels } from '../../../ui/src/views/topologyLabels';
import type { GraphEdge, GraphNode } from '../../../ui/src/views/topologyLayout';

const node = (id: string, x: number, y: number, r = 20): GraphNode => ({
  id,
  x,
  y,
  r,
  rank: 0,
  data: { id, kind: 'service', calls: 1, errorRate: 0, p50Ms: null, p95Ms: null, p99Ms: null },
});
const edge = (source: GraphNode, target: GraphNode, curve = 0): GraphEdge => ({
  source,
  target,
  curve,
  data: { source: source.id, target: target.id, kind: 'sync', calls: 1, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null },
});
const sub = () => '1.2/s · 0%';

describe('label placement', () => {
  it('keeps the label under a node when no edge runs there', () => {
    const a = node('a', 100, 200);
    const b = node('b', 400, 200);
    expect(placeLabels([a, b], [edge(a, b)], sub)).toEqual(new Map([['a', 'below'], ['b', 'below']]));
  });

  it('moves it when an edge leaves downwards: above, else to a side', () => {
    const a = node('a', 200, 100);
    const down = node('down', 200, 400);
    const sides = placeLabels([a, down], [edge(a, down)], sub);
    expect(sides.get('a')).not.toBe('below');
    // the edge arrives at `down` from above: its label stays under it
    expect(sides.get('down')).toBe('below');
  });

  it('finds a side no edge crosses when edges come from above and below', () => {
    const mid = node('mid', 300, 300);
    const up = node('up', 300, 50);
    const low = node('low', 300, 550);
    const side = placeLabels([mid, up, low], [edge(up, mid), edge(mid, low)], sub).get('mid');
    expect(['left', 'right']).toContain(side);
  });

  it('chooses a box that no sampled point of any edge falls in', () => {
    const hub = node('hub', 300, 300);
    const others = [node('n', 300, 80), node('s', 300, 520), node('e', 560, 300), node('ne', 520, 90)];
    const edges = others.map((o) => edge(hub, o));
    const sides = placeLabels([hub, ...others], edges, sub);
    const width = labelWidth(hub, sub());
    const box = labelBox(hub, sides.get('hub')!, width);
    for (const e of edges) {
      for (const p of edgeSamples(e)) {
        const inside = p.x >= 300 + box.x && p.x <= 300 + box.x + box.width && p.y >= 300 + box.y && p.y <= 300 + box.y + box.height;
        expect(inside).toBe(false);
      }
    }
    expect(sides.get('hub')).toBe('left');
  });

  it('keeps a label inside the frame when another side is free', () => {
    const edgeNode = node('at-the-left-edge', 70, 300);
    const right = node('r', 330, 300);
    // an edge to the right rules out "right"; below and above are free but the label is wider than the room to the left
    const sides = placeLabels([edgeNode, right], [edge(edgeNode, right)], sub, { width: 600, height: 600 });
    expect(['below', 'above']).toContain(sides.get('at-the-left-edge'));
    const nearBottom = node('low', 300, 590);
    expect(placeLabels([nearBottom], [], sub, { width: 600, height: 600 }).get('low')).toBe('above');
  });

  it('avoids a label placed before and other nodes', () => {
    const a = node('alpha-service', 300, 300);
    const b = node('beta-service', 300, 345, 10);
    // b sits just under a: a's label below would cover b, so it goes above
    expect(placeLabels([a, b], [], sub).get('alpha-service')).toBe('above');
  });
});
