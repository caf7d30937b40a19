import type { Span } from '../../../ui/src/api';
import { errorPositions, queryTerms, rankOf, stepTo, TraceFinder } from '../../../ui/src/traceFind';
import { buildTree } from '../../../ui/src/traceTree';

const span = (spanId: string, parentSpanId: string, startUs: number, over: Partial<Span> = {}): Span => ({
  traceId: 't'.repeat(32),
  spanId,
  parentSpanId,
  service: 'svc',
  name: 'op',
  kind: 'internal',
  startUs,
  durationUs: 10,
  status: { code: 'unset', message: '' },
  attributes: {},
  resource: {},
  events: [],
  links: [],
  scope: { name: '', version: '' },
  criticalPath: false,
  skewAdjustedUs: 0,
  ...over,
});

// tree order: root(0), a(1), a1(2), b(3), c(4)
const tree = buildTree([
  span('00000000000000c0', '000000000000000r', 30, { service: 'Payment', name: 'charge card', status: { code: 'error', message: 'declined' } }),
  span('000000000000000r', '', 0, { service: 'frontend', name: 'GET /checkout', resource: { 'host.name': 'web-1' } }),
  span('00000000000000a0', '000000000000000r', 10, { service: 'orders', name: 'reserve', attributes: { 'order.id': 'ORD-17', 'http.status_code': 500, tags: ['x', 'y'] } }),
  span('00000000000000a1', '00000000000000a0', 11, { service: 'payment', name: 'fraud check', status: { code: 'error', message: '' } }),
  span('00000000000000b0', '000000000000000r', 20, { service: 'stock', name: 'reserve', attributes: { 'order.id': 'ORD-170' } }),
]);
const finder = new TraceFinder(tree.order);
const ids = (positions: number[]) => positions.map((p) => tree.order[p].span.spanId.slice(-2));

describe('find in trace', () => {
  it('matches service, operation, span id, attribute keys, values and key=value, case-insensitively, in tree order', () => {
    expect(ids(finder.find('payment'))).toEqual(['a1', 'c0']);
    expect(ids(finder.find('RESERVE'))).toEqual(['a0', 'b0']);
    expect(ids(finder.find('00000000000000a'))).toEqual(['a0', 'a1']);
    expect(ids(finder.find('order.id'))).toEqual(['a0', 'b0']);
    expect(ids(finder.find('ord-17'))).toEqual(['a0', 'b0']);
    expect(ids(finder.find('order.id=ord-170'))).toEqual(['b0']);
    expect(ids(finder.find('http.status_code=500'))).toEqual(['a0']);
    expect(ids(finder.find('tags=["x","y"]'))).toEqual(['a0']);
    expect(ids(finder.find('host.name=web-1'))).toEqual(['0r']);
  });

  it('ANDs whitespace-separated terms; a blank query matches nothing', () => {
    expect(ids(finder.find('  reserve   stock '))).toEqual(['b0']);
    expect(ids(finder.find('reserve payment'))).toEqual([]);
    expect(finder.find('   ')).toEqual([]);
    expect(finder.find('')).toEqual([]);
  });

  it('bounds the query it reads', () => {
    expect(queryTerms('a '.repeat(100))).toHaveLength(20);
    expect(queryTerms('x'.repeat(10_000))[0]).toHaveLength(500);
  });

  it('lists error spans in tree order', () => {
    expect(ids(errorPositions(tree.order))).toEqual(['a1', 'c0']);
  });

  it('steps to the next / previous position from anywhere, wrapping around', () => {
    const ps = [2, 5, 9];
    expect(stepTo(ps, -1, 1)).toBe(2);
    expect(stepTo(ps, 2, 1)).toBe(5);
    expect(stepTo(ps, 3, 1)).toBe(5);
    expect(stepTo(ps, 9, 1)).toBe(2);
    expect(stepTo(ps, 20, 1)).toBe(2);
    expect(stepTo(ps, 5, -1)).toBe(2);
    expect(stepTo(ps, 6, -1)).toBe(5);
    expect(stepTo(ps, 2, -1)).toBe(9);
    expect(stepTo(ps, -1, -1)).toBe(9);
    expect(stepTo([], 0, 1)).toBeUndefined();
    expect(stepTo([4], 4, 1)).toBe(4);
    expect(stepTo([4], 4, -1)).toBe(4);
  });

  it('ranks a position among the matches (1-based), 0 when it is not one', () => {
    expect(rankOf([2, 5, 9], 2)).toBe(1);
    expect(rankOf([2, 5, 9], 9)).toBe(3);
    expect(rankOf([2, 5, 9], 4)).toBe(0);
    expect(rankOf([], 0)).toBe(0);
  });

  it('finds in a 100,000-span trace quickly enough to run per keystroke', () => {
    const spans: Span[] = [span('f'.repeat(16), '', 0)];
    for (let i = 1; i < 100_000; i++) spans.push(span(i.toString(16).padStart(16, '0'), 'f'.repeat(16), i, { service: `svc-${i % 50}`, attributes: { 'item.index': i, 'order.id': `ORD-${i}` } }));
    const big = buildTree(spans);
    const bigFinder = new TraceFinder(big.order);
    const t0 = performance.now();
    const found = bigFinder.find('order.id=ord-4242');
    const ms = performance.now() - t0;
    expect(found.map((p) => big.order[p].span.attributes['order.id']).sort()).toEqual(['ORD-4242', ...Array.from({ length: 10 }, (_, d) => `ORD-4242${d}`)].sort());
    expect(ms).toBeLessThan(500);
  });
});
