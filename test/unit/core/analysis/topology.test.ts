import { assembleServiceStats, assembleTopology, minuteRange } from '../../../../core/analysis/topology-assemble';
import { deriveTopology, factsOf, spanKey } from '../../../../core/analysis/topology-derive';
import { bucketOf, bucketValueUs, HISTOGRAM_BUCKETS, quantilesMs } from '../../../../core/analysis/topology-histogram';
import type { Span } from '../../../../core/model';
import { parseStep } from '../../../../query-api/services/topology-service';

const T = 1_800_000_000_000_000; // a whole minute, in µs
let seq = 0;
function span(o: Partial<Span>): Span {
  return {
    traceId: 't1',
    spanId: `s${++seq}`,
    parentSpanId: '',
    service: 'a',
    name: 'op',
    kind: 'internal',
    startUs: T + 5_000_000,
    durationUs: 1000,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: {},
    events: [],
    links: [],
    scope: { name: '', version: '' },
    ...o,
  };
}

describe('edge derivation rules', () => {
  const parentClient = span({ spanId: 'p', service: 'front', kind: 'client', attributes: { 'server.address': 'orders.lb' } });
  const parentInternal = span({ spanId: 'q', service: 'orders', kind: 'internal' });
  const cases: { name: string; span: Span; edge?: [string, string, string, string, string, string]; alias?: [string, string]; waits?: boolean; entry: boolean }[] = [
    { name: 'server child of another service → sync', span: span({ kind: 'server', service: 'orders', parentSpanId: 'p' }), edge: ['front', 'service', 'orders', 'service', 'sync', 'server'], alias: ['orders.lb', 'orders'], entry: true },
    { name: 'server child of the same service → no edge', span: span({ kind: 'server', service: 'orders', parentSpanId: 'q' }), entry: true },
    { name: 'server with unknown parent waits', span: span({ kind: 'server', service: 'orders', parentSpanId: 'zz' }), waits: true, entry: true },
    { name: 'root server → entry only', span: span({ kind: 'server', service: 'orders' }), entry: true },
    { name: 'consumer without destination, parent elsewhere → async', span: span({ kind: 'consumer', service: 'billing', parentSpanId: 'q' }), edge: ['orders', 'service', 'billing', 'service', 'async', 'consumer'], entry: true },
    { name: 'consumer with destination → queue edge only', span: span({ kind: 'consumer', service: 'billing', parentSpanId: 'q', attributes: { 'messaging.destination.name': 'orders' } }), edge: ['orders', 'queue', 'billing', 'service', 'async', 'consumer'], entry: true },
    { name: 'producer with destination → queue', span: span({ kind: 'producer', service: 'orders', parentSpanId: 'q', attributes: { 'messaging.destination.name': 'orders' } }), edge: ['orders', 'service', 'orders', 'queue', 'async', 'producer'], entry: false },
    { name: 'producer without destination → nothing', span: span({ kind: 'producer', service: 'orders', parentSpanId: 'q' }), entry: false },
    { name: 'db client → database "system name"', span: span({ kind: 'client', service: 'orders', parentSpanId: 'q', attributes: { 'db.system': 'postgresql', 'db.name': 'orders', 'server.address': 'pg1', 'peer.service': 'pg' } }), edge: ['orders', 'service', 'postgresql orders', 'database', 'sync', 'client'], entry: false },
    { name: 'db client without a name → the system', span: span({ kind: 'client', service: 'orders', parentSpanId: 'q', attributes: { 'db.system': 'redis' } }), edge: ['orders', 'service', 'redis', 'database', 'sync', 'client'], entry: false },
    { name: 'db client falls back to server.address', span: span({ kind: 'client', service: 'orders', parentSpanId: 'q', attributes: { 'db.system': 'redis', 'server.address': 'cache-1' } }), edge: ['orders', 'service', 'redis cache-1', 'database', 'sync', 'client'], entry: false },
    { name: 'client with peer.service → external', span: span({ kind: 'client', service: 'orders', parentSpanId: 'q', attributes: { 'peer.service': 'psp', 'server.address': 'api.psp.com' } }), edge: ['orders', 'service', 'psp', 'external', 'sync', 'client'], entry: false },
    { name: 'client with server.address only → external', span: span({ kind: 'client', service: 'orders', parentSpanId: 'q', attributes: { 'server.address': 'api.psp.com' } }), edge: ['orders', 'service', 'api.psp.com', 'external', 'sync', 'client'], entry: false },
    { name: 'client without peer → nothing', span: span({ kind: 'client', service: 'orders', parentSpanId: 'q' }), entry: false },
    { name: 'internal root → entry only', span: span({ kind: 'internal', service: 'cron' }), entry: true },
  ];
  const known = new Map([parentClient, parentInternal].map((s) => [spanKey(s.traceId, s.spanId), factsOf(s)]));
  it.each(cases)('$name', (c) => {
    const d = deriveTopology({ spans: [c.span], lookup: (t, s) => known.get(spanKey(t, s)), waitingChildren: [] });
    expect(d.edges.map((e) => [e.source, e.sourceKind, e.target, e.targetKind, e.kind, e.side])).toEqual(c.edge ? [c.edge] : []);
    expect(d.aliases.map((a) => [a.peer, a.service])).toEqual(c.alias ? [c.alias] : []);
    expect(d.waiting.length > 0).toBe(!!c.waits);
    expect(d.operations.length > 0).toBe(c.entry);
    for (const e of d.edges) expect(e).toMatchObject({ minute: T, durationUs: 1000, error: false, spanId: c.span.spanId });
  });

  it('measures a queue → consumer edge from the message\'s arrival in the queue (messaging.message.queue_time_ms) to the end of its processing', () => {
    const consumer = (queueTime: unknown) =>
      span({ kind: 'consumer', service: 'billing', attributes: { 'messaging.destination.name': 'orders', ...(queueTime === undefined ? {} : { 'messaging.message.queue_time_ms': queueTime as number }) } });
    const edgeUs = (s: Span) => deriveTopology({ spans: [s], lookup: () => undefined, waitingChildren: [] }).edges.map((e) => e.durationUs);
    expect(edgeUs(consumer(2500))).toEqual([2_501_000]);
    expect(edgeUs(consumer('12.5'))).toEqual([13_500]);
    // no wait said, or a value not to believe: the processing only
    for (const bad of [undefined, -1, 'soon', '', Number.NaN, 90_000_000_000]) expect(edgeUs(consumer(bad))).toEqual([1000]);
    // the consumer's own operation keeps its processing time; a producer's edge ignores the attribute
    expect(deriveTopology({ spans: [consumer(2500)], lookup: () => undefined, waitingChildren: [] }).operations.map((o) => o.durationUs)).toEqual([1000]);
    const producer = span({ kind: 'producer', service: 'orders', attributes: { 'messaging.destination.name': 'orders', 'messaging.message.queue_time_ms': 2500 } });
    expect(edgeUs(producer)).toEqual([1000]);
  });

  it('a waiting child becomes an edge when its parent arrives', () => {
    const child = span({ kind: 'server', service: 'orders', parentSpanId: 'late' });
    const first = deriveTopology({ spans: [child], lookup: () => undefined, waitingChildren: [] });
    expect(first.edges).toEqual([]);
    const parent = span({ spanId: 'late', service: 'front', kind: 'client', attributes: { 'peer.service': 'orders' } });
    const second = deriveTopology({ spans: [parent], lookup: (t, s) => (s === 'late' ? factsOf(parent) : undefined), waitingChildren: first.waiting });
    // the parent's own external edge (peer 'orders') is dropped when reading, 'orders' being a service
    expect(second.edges.map((e) => [e.source, e.target, e.targetKind, e.spanId])).toEqual([
      ['front', 'orders', 'external', parent.spanId],
      ['front', 'orders', 'service', child.spanId],
    ]);
    expect(second.aliases).toEqual([]);
  });
});

describe('latency histogram', () => {
  it.each([1, 7, 100, 999, 30_000, 2_500_000, 60_000_000])('puts %i µs in a bucket whose value is within 25%%', (us) => {
    const v = bucketValueUs(bucketOf(us));
    expect(v / us).toBeGreaterThan(0.75);
    expect(v / us).toBeLessThan(1.25);
  });
  it('clamps very long and non-positive durations', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(1e15)).toBe(HISTOGRAM_BUCKETS - 1);
  });
  it('quantiles by rank; null when empty', () => {
    const h = new Map<number, number>();
    for (let i = 1; i <= 100; i++) h.set(bucketOf(i * 1000), (h.get(bucketOf(i * 1000)) ?? 0) + 1);
    const [p50, p95, p99] = quantilesMs(h, [0.5, 0.95, 0.99]) as number[];
    expect(p50).toBeGreaterThan(50 / 1.3);
    expect(p50).toBeLessThan(50 * 1.3);
    expect(p95).toBeGreaterThan(95 / 1.3);
    expect(p99).toBeLessThan(99 * 1.3);
    expect(quantilesMs(new Map(), [0.5])).toEqual([null]);
  });
});

describe('assembling answers', () => {
  it('drops externals that are instrumented services or their aliases, and keeps ids unique across kinds', () => {
    const row = (source: string, target: string, targetKind: any, calls = 1) => ({ source, sourceKind: 'service' as const, target, targetKind, kind: 'sync' as const, bucket: 10, calls, errors: 0 });
    const t = assembleTopology(
      [row('a', 'b', 'external'), row('a', 'b.lb', 'external'), row('a', 'psp', 'external', 3), row('a', 'a', 'queue', 2)],
      [{ service: 'a', bucket: 10, calls: 5, errors: 1 }],
      { services: new Set(['a', 'b']), aliasPeers: new Set(['b.lb']) },
    );
    expect(t.nodes.map((n) => [n.id, n.kind, n.calls])).toEqual([
      ['a', 'service', 5],
      ['a (queue)', 'queue', 2],
      ['psp', 'external', 3],
    ]);
    expect(t.edges.map((e) => [e.source, e.target])).toEqual([
      ['a', 'a (queue)'],
      ['a', 'psp'],
    ]);
    expect(t.nodes[0].errorRate).toBeCloseTo(0.2);
  });

  it('service stats: zero-filled points aligned to the step', () => {
    const MIN = 60_000_000;
    const s = assembleServiceStats('a', minuteRange({ startUs: T + 30_000_000, endUs: T + 3 * MIN }), 2 * MIN, [
      { minute: T, operation: 'x', bucket: 10, calls: 2, errors: 1 },
      { minute: T + 3 * MIN, operation: 'y', bucket: 10, calls: 1, errors: 0 },
    ]);
    const first = Math.floor(T / (2 * MIN)) * 2 * MIN;
    // T is an even minute (1_800_000_000 s = 30,000,000 min), so both rows fall in separate 2-minute steps
    expect(first).toBe(T);
    expect(s.series.map((p) => [p.tUs - first, p.calls, p.errors])).toEqual([
      [0, 2, 1],
      [2 * MIN, 1, 0],
    ]);
    expect(s.operations.map((o) => o.name)).toEqual(['x', 'y']);
  });

  it.each([
    ['60s', 60_000_000],
    ['5m', 300_000_000],
    ['1h', 3_600_000_000],
    ['120', 120_000_000],
  ])('parses step %s', (raw, us) => expect(parseStep(raw)).toBe(us));
  it.each(['', 'fast', '-5m', '0'])('refuses step %j', (raw) => expect(() => parseStep(raw)).toThrow(/step/));
});
