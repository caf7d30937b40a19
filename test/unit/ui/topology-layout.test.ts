import type { Topology, TopologyEdge, TopologyNode } from '../../../ui/src/api';
import { ARROW, edgeHealth, edgePath, graphModel, health, keepInFrame, rankX, ranks, refigureModel, shapePath, type GraphEdge, type GraphNode } from '../../../ui/src/views/topologyLayout';

const node = (id: string, calls: number, kind: TopologyNode['kind'] = 'service'): TopologyNode => ({ id, kind, calls, errorRate: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
const edge = (source: string, target: string, calls: number, errors = 0): TopologyEdge => ({ source, target, kind: 'sync', calls, errors, p50Ms: 1, p95Ms: 2, p99Ms: 3 });

const topo: Topology = {
  nodes: [node('web', 400), node('api', 100), node('db', 100, 'database'), node('cache', 0, 'external')],
  edges: [edge('web', 'api', 600), edge('api', 'db', 150), edge('db', 'api', 1), edge('api', 'api', 9), edge('api', 'ghost', 5)],
};

describe('topology layout', () => {
  it('ranks nodes from the entry points breadth-first; cycles end and unreached nodes start at 0', () => {
    expect(Object.fromEntries(ranks(topo.nodes, topo.edges))).toEqual({ web: 0, cache: 0, api: 1, db: 2, ghost: 2 });
    // everything in a cycle: the first node is the entry
    expect(Object.fromEntries(ranks([node('a', 1), node('b', 1)], [edge('a', 'b', 1), edge('b', 'a', 1)]))).toEqual({ a: 0, b: 1 });
  });

  it('sizes services by calls and places new nodes by rank; drops self-calls and unknown ends; bends calls that go both ways', () => {
    const model = graphModel(topo, { width: 1000, height: 600, windowSeconds: 60 }, new Map(), () => 0.5);
    const byId = Object.fromEntries(model.nodes.map((n) => [n.id, n]));
    expect(byId.web.r).toBe(26);
    expect(byId.api.r).toBe(20);
    expect([byId.db.r, byId.cache.r]).toEqual([17, 17]);
    expect([byId.web.x, byId.api.x, byId.db.x, byId.web.y]).toEqual([60, 60 + 440, 940, 300]);
    expect(model.edges.map((e) => [e.source.id, e.target.id, e.curve])).toEqual([
      ['web', 'api', 0],
      ['api', 'db', 0.18],
      ['db', 'api', 0.18],
    ]);
    // the busiest edge gets the widest stroke
    expect(model.strokeWidth(model.edges[0])).toBe(9);
    expect(model.strokeWidth(model.edges[1])).toBeCloseTo(1.5 + 7.5 * 0.5);
    expect(rankX(model, byId.db)).toBe(910);
  });

  it('keeps remembered places and pins', () => {
    const remembered = new Map([
      ['web', { x: 11, y: 22, pinned: true }],
      ['api', { x: 33, y: 44, pinned: false }],
    ]);
    const model = graphModel(topo, { width: 1000, height: 600, windowSeconds: 60 }, remembered, () => 0.5);
    const [web, api] = model.nodes;
    expect([web.x, web.y, web.fx, web.fy]).toEqual([11, 22, 11, 22]);
    expect([api.x, api.y, api.fx]).toEqual([33, 44, undefined]);
  });

  it('refigures only the same graph: same nodes (ids, kinds, order) and drawn edges (ends, order), whatever its figures', () => {
    const model = () => graphModel(topo, { width: 1000, height: 600, windowSeconds: 60 }, new Map(), () => 0.5);
    const same = (t: Topology) => refigureModel(model(), t, 60);
    expect(same({ nodes: topo.nodes.map((n) => ({ ...n, calls: n.calls * 3, errorRate: 0.5 })), edges: topo.edges.map((e) => ({ ...e, calls: 1, p95Ms: 99 })) })).toBe(true);
    // self-calls and edges to unknown nodes are not drawn: they may come and go
    expect(same({ ...topo, edges: topo.edges.filter((e) => e.source !== e.target && e.target !== 'ghost') })).toBe(true);
    expect(same({ ...topo, edges: [...topo.edges, edge('web', 'nowhere', 3)] })).toBe(true);
    expect(same({ ...topo, nodes: [...topo.nodes, node('new', 1)] })).toBe(false);
    expect(same({ ...topo, nodes: topo.nodes.map((n) => (n.id === 'db' ? { ...n, kind: 'service' as const } : n)) })).toBe(false);
    expect(same({ ...topo, nodes: [...topo.nodes].reverse() })).toBe(false);
    expect(same({ ...topo, edges: topo.edges.slice(1) })).toBe(false);
    expect(same({ ...topo, edges: [...topo.edges, edge('web', 'cache', 3)] })).toBe(false);
    expect(same({ ...topo, edges: topo.edges.map((e, i) => (i === 1 ? { ...e, target: 'cache' } : e)) })).toBe(false);
  });

  it('refigures a model of the same graph in place: new sizes and data, the same places, as a new model of the new figures would have', () => {
    const model = graphModel(topo, { width: 1000, height: 600, windowSeconds: 60 }, new Map(), () => 0.5);
    const places = model.nodes.map((n) => [n.x, n.y]);
    const nodes = [...model.nodes];
    const refigured: Topology = {
      nodes: topo.nodes.map((n) => (n.id === 'api' ? { ...n, calls: 1600, errorRate: 0.2 } : n)),
      edges: topo.edges.map((e) => (e.source === 'db' ? { ...e, calls: 2400 } : e)),
    };
    expect(refigureModel(model, refigured, 60)).toBe(true);
    const fresh = graphModel(refigured, { width: 1000, height: 600, windowSeconds: 60 }, new Map(), () => 0.5);
    expect(model.nodes.every((n, i) => n === nodes[i])).toBe(true);
    expect(model.nodes.map((n) => [n.x, n.y])).toEqual(places);
    expect(model.nodes.map((n) => [n.r, n.data])).toEqual(fresh.nodes.map((n) => [n.r, n.data]));
    expect(model.nodes.find((n) => n.id === 'api')!.r).toBe(26);
    // the self-call and the edge to an unknown node stay out; each kept edge has its new figures
    expect(model.edges.map((e) => [e.source.id, e.target.id, e.data.calls, model.strokeWidth(e)])).toEqual(fresh.edges.map((e) => [e.source.id, e.target.id, e.data.calls, fresh.strokeWidth(e)]));
    expect(model.strokeWidth(model.edges[2])).toBe(9);
  });

  it('draws an edge from rim to just before the target rim, leaving room for the arrow head', () => {
    const a: GraphNode = { id: 'a', data: node('a', 1), r: 10, rank: 0, x: 0, y: 0 };
    const b: GraphNode = { id: 'b', data: node('b', 1), r: 20, rank: 1, x: 100, y: 0 };
    const straight: GraphEdge = { source: a, target: b, data: edge('a', 'b', 1), curve: 0 };
    expect(edgePath(straight)).toBe(`M12,0 L${100 - 24 - ARROW},0`);
    expect(edgePath({ ...straight, curve: 0.18 })).toBe(`M12,0 Q${(12 + 64) / 2},18 64,0`);
  });

  it('keeps a node inside the frame with room for its label', () => {
    const n: GraphNode = { id: 'a-rather-long-service-name', data: node('x', 1), r: 10, rank: 0, x: -50, y: 10_000 };
    keepInFrame(n, 800, 500);
    expect([n.x, n.y]).toEqual([4 + 22 * 3.6, 500 - 10 - 34]);
  });

  it('colours by error share or p95; nothing measured is none', () => {
    expect(health('errors', 0.05, null, 10)).toBe('bad');
    expect(health('errors', 0.01, null, 10)).toBe('warn');
    expect(health('p95', 0, 150, 10)).toBe('ok');
    expect(health('p95', 0, null, 10)).toBe('none');
    expect(health('errors', 0.5, 1, 0)).toBe('none');
    expect(edgeHealth('errors', edge('a', 'b', 10, 1))).toBe('bad');
    expect(shapePath('service', 10)).toBe('M10,0 A10,10 0 1,1 -10,0 A10,10 0 1,1 10,0 Z');
    expect(shapePath('queue', 10).match(/ M/g)).toHaveLength(3);
  });
});
