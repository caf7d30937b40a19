import type { Anomaly, SeriesMetric, SeriesRef } from '../../../../core/anomaly';
import { seriesId } from '../../../../core/analysis/anomaly-series';
import { accusedService, hopsFrom, incidentSubgraph, rankIncidentCauses } from '../../../../core/analysis/incident-root-cause';
import type { RootCauseCandidate } from '../../../../core/analysis/root-cause';
import type { Topology, TopologyNodeKind } from '../../../../core/topology';

// frontend → checkout → payment → postgres (database); checkout → inventory; frontend → search
const node = (id: string, kind: TopologyNodeKind = 'service') => ({ id, kind, calls: 100, errorRate: 0, p50Ms: 10, p95Ms: 20, p99Ms: 30 });
const edge = (source: string, target: string) => ({ source, target, kind: 'sync' as const, calls: 100, errors: 0, p50Ms: 10, p95Ms: 20, p99Ms: 30 });
const shop: Topology = {
  nodes: [node('frontend'), node('checkout'), node('payment'), node('inventory'), node('search'), node('postgres', 'database')],
  edges: [edge('frontend', 'checkout'), edge('checkout', 'payment'), edge('payment', 'postgres'), edge('checkout', 'inventory'), edge('frontend', 'search')],
};
const service = (name: string): SeriesRef => ({ kind: 'service', service: name });
const anomaly = (series: SeriesRef, metric: SeriesMetric, score: number, value = 100, center = 10): Anomaly => ({
  seriesId: seriesId(series),
  series,
  metric,
  value,
  baseline: { method: 'recent', center, scale: 2, samples: 6 },
  score,
  calls: 100,
  errors: 0,
});
const candidate = (service: string, operation: string, score: number, originErrors = 0): RootCauseCandidate => ({
  service,
  operation,
  score,
  evidence: { criticalSelfUs: score, queueWaitUs: 0, excessUs: 0, baselineP50Ms: null, slowestSpanUs: score, originErrors },
});
const noLogs = new Map<string, { now: number; before: number }>();
const ranked = (causes: ReturnType<typeof rankIncidentCauses>) => causes.map((c) => c.service);

describe('root-cause ranking of an incident', () => {
  it('puts the deepest latency anomaly first: a callee\'s anomaly explains its callers\' (even a stronger one)', () => {
    const causes = rankIncidentCauses({
      focus: service('frontend'),
      topology: shop,
      anomalies: [anomaly(service('frontend'), 'latency_p95_ms', 30), anomaly(service('checkout'), 'latency_p95_ms', 25), anomaly(service('payment'), 'latency_p95_ms', 12)],
      orders: [],
      errorLogs: noLogs,
    });
    // the explained ones count a quarter, still in the order of their own scores
    expect(ranked(causes)).toEqual(['payment', 'frontend', 'checkout']);
    const [payment, frontend, checkout] = causes;
    expect(payment.evidence.anomalies).toEqual([expect.objectContaining({ metric: 'latency_p95_ms', score: 12, explained: false })]);
    expect(payment.evidence.explainedBy).toEqual([]);
    expect(checkout.evidence.explainedBy).toEqual(['payment']);
    expect(frontend.evidence.explainedBy).toEqual(['checkout', 'payment']);
    expect(frontend.evidence.anomalies[0].explained).toBe(true);
    // distance from the alert's series in the topology
    expect([payment.evidence.distance, checkout.evidence.distance, frontend.evidence.distance]).toEqual([2, 1, 0]);
  });

  it('does not let an anomaly of another metric explain one: an error burst at checkout stays checkout\'s under a slow payment', () => {
    const causes = rankIncidentCauses({
      focus: service('checkout'),
      topology: shop,
      anomalies: [anomaly(service('checkout'), 'error_rate', 20), anomaly(service('payment'), 'latency_p95_ms', 5)],
      orders: [],
      errorLogs: noLogs,
    });
    expect(ranked(causes)[0]).toBe('checkout');
    expect(causes[0].evidence.explainedBy).toEqual([]);
  });

  it('explains a call-rate drop by one of a caller (upstream), not of a callee', () => {
    const causes = rankIncidentCauses({
      focus: service('payment'),
      topology: shop,
      anomalies: [anomaly(service('payment'), 'rate_per_sec', 15, 0.1, 2), anomaly(service('frontend'), 'rate_per_sec', 10, 0.2, 3)],
      orders: [],
      errorLogs: noLogs,
    });
    expect(ranked(causes)).toEqual(['frontend', 'payment']);
    expect(causes[1].evidence.explainedBy).toEqual(['frontend']);
  });

  it('accuses the calling service of an edge to a database, and the target of an edge between services', () => {
    const services = new Set(['frontend', 'checkout', 'payment', 'inventory', 'search']);
    expect(accusedService({ kind: 'edge', source: 'payment', target: 'postgres', edgeKind: 'sync' }, services)).toBe('payment');
    expect(accusedService({ kind: 'edge', source: 'checkout', target: 'payment', edgeKind: 'sync' }, services)).toBe('payment');
    expect(accusedService({ kind: 'operation', service: 'payment', operation: 'charge' }, services)).toBe('payment');
  });

  it('lets the affected orders\' own rankings outweigh a louder anomaly, and names the operation they named', () => {
    const orders = [
      [candidate('inventory', 'reserve', 900_000), candidate('checkout', 'POST /order', 50_000)],
      [candidate('inventory', 'reserve', 700_000), candidate('checkout', 'POST /order', 100_000)],
      [candidate('checkout', 'POST /order', 500_000), candidate('inventory', 'reserve', 400_000)],
    ];
    const causes = rankIncidentCauses({
      focus: service('checkout'),
      topology: shop,
      anomalies: [anomaly(service('checkout'), 'latency_p95_ms', 40), anomaly({ kind: 'operation', service: 'checkout', operation: 'GET /cart' }, 'latency_p95_ms', 40)],
      orders,
      errorLogs: noLogs,
    });
    expect(ranked(causes)[0]).toBe('inventory');
    expect(causes[0]).toMatchObject({ operation: 'reserve', evidence: { ordersRankedFirst: 2, ordersRanked: 3 } });
    expect(causes[0].evidence.orderShare).toBeGreaterThan(0.6);
    // checkout's operation comes from the orders, not from its louder anomaly of another operation
    expect(causes[1]).toMatchObject({ service: 'checkout', operation: 'POST /order' });
    const shares = causes.reduce((n, c) => n + c.evidence.orderShare, 0);
    expect(shares).toBeCloseTo(1, 3);
  });

  it('counts where errors started in the affected orders as evidence', () => {
    const causes = rankIncidentCauses({
      focus: service('frontend'),
      topology: shop,
      anomalies: [],
      orders: [[candidate('payment', 'charge', 1_000_000, 1)], [candidate('payment', 'charge', 1_000_000, 2)]],
      errorLogs: noLogs,
    });
    expect(causes[0]).toMatchObject({ service: 'payment', evidence: { originErrors: 3, ordersRankedFirst: 2, orderShare: 1 } });
  });

  it('breaks a tie of anomalies by the rise of warning and error logs, relative to the largest rise', () => {
    const logs = new Map([
      ['search', { now: 400, before: 10 }],
      ['inventory', { now: 50, before: 45 }],
    ]);
    const causes = rankIncidentCauses({
      focus: null,
      topology: shop,
      anomalies: [anomaly(service('inventory'), 'error_rate', 10), anomaly(service('search'), 'error_rate', 10)],
      orders: [],
      errorLogs: logs,
    });
    expect(ranked(causes)).toEqual(['search', 'inventory']);
    expect(causes[0].evidence.errorLogs).toEqual({ now: 400, before: 10 });
    expect(causes[0].evidence.distance).toBeNull();
    // the log rise alone makes a candidate (weight 0.25 without orders)
    const logsOnly = rankIncidentCauses({ focus: null, topology: shop, anomalies: [], orders: [], errorLogs: logs });
    expect(logsOnly.map((c) => [c.service, c.score])).toEqual([
      ['search', 0.25],
      ['inventory', expect.closeTo(0.25 * (5 / 390), 4)],
    ]);
  });

  it('answers nothing for no evidence, and at most 10 candidates', () => {
    expect(rankIncidentCauses({ focus: service('frontend'), topology: shop, anomalies: [], orders: [], errorLogs: noLogs })).toEqual([]);
    const many = Array.from({ length: 30 }, (_, i) => anomaly(service(`svc-${String(i).padStart(2, '0')}`), 'error_rate', 5 + i));
    const causes = rankIncidentCauses({ focus: null, topology: { nodes: [], edges: [] }, anomalies: many, orders: [], errorLogs: noLogs });
    expect(causes).toHaveLength(10);
    expect(causes[0].service).toBe('svc-29');
  });

  it('survives a cycle in the topology', () => {
    const cyclic: Topology = { nodes: [node('a'), node('b')], edges: [edge('a', 'b'), edge('b', 'a')] };
    const causes = rankIncidentCauses({ focus: service('a'), topology: cyclic, anomalies: [anomaly(service('a'), 'latency_p95_ms', 10), anomaly(service('b'), 'latency_p95_ms', 9)], orders: [], errorLogs: noLogs });
    expect(ranked(causes).sort()).toEqual(['a', 'b']);
    expect(hopsFrom(cyclic, ['a']).get('b')).toBe(1);
  });
});

describe('the topology around an incident', () => {
  it('keeps the nodes within one hop of the alert\'s series and marks the series', () => {
    const sub = incidentSubgraph(shop, service('checkout'));
    expect(sub.nodes.map((n) => [n.id, n.focus]).sort()).toEqual([
      ['checkout', true],
      ['frontend', false],
      ['inventory', false],
      ['payment', false],
    ]);
    expect(sub.edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(['checkout>inventory', 'checkout>payment', 'frontend>checkout']);
    const onEdge = incidentSubgraph(shop, { kind: 'edge', source: 'payment', target: 'postgres', edgeKind: 'sync' });
    expect(onEdge.edges.filter((e) => e.focus).map((e) => `${e.source}>${e.target}`)).toEqual(['payment>postgres']);
    expect(onEdge.nodes.filter((n) => n.focus).map((n) => n.id).sort()).toEqual(['payment', 'postgres']);
  });

  it('is empty without a series', () => {
    expect(incidentSubgraph(shop, null)).toEqual({ nodes: [], edges: [] });
  });
});
