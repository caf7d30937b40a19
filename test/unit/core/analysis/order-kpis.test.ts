import { orderFacts, orderMeasure, orderSeries, quantile, slowestOrders, stageFunnel, type OrderFact } from '../../../../core/analysis/order-kpis';
import type { TraceSummary } from '../../../../core/model';

const M = 60_000_000;
const T = 1_800_000_000 * 1e6 - ((1_800_000_000 * 1e6) % M); // a whole minute

function summary(traceId: string, rootService: string, rootName: string, startUs: number, durationUs: number, errorCount = 0): TraceSummary {
  return { traceId, rootService, rootName, startUs, durationUs, spanCount: 3, errorCount, services: [rootService] };
}

function fact(value: string, startUs: number, durationMs: number, failed = false, stages: OrderFact['stages'] = []): OrderFact {
  return { value, startUs, endUs: startUs + durationMs * 1000, traceIds: [`${value}-trace`], failed, stages };
}

describe('order KPIs from chain summaries', () => {
  it('an order is failed when any of its traces has an error, and has one stage per kind of entry trace (or per CHAIN_STAGES rule)', () => {
    const summaries = new Map(
      [
        summary('a1', 'order-api', 'POST /orders', T, 50_000),
        summary('a2', 'fulfilment', 'process', T + 60_000, 20_000),
        summary('a3', 'fulfilment', 'process', T + 90_000, 30_000, 1),
        summary('b1', 'order-api', 'POST /orders', T + 5_000, 40_000),
      ].map((s) => [s.traceId, s]),
    );
    const keys = [
      { value: 'A', traceIds: ['a1', 'a2', 'a3', 'unknown'], startUs: T, endUs: T + 120_000 },
      { value: 'B', traceIds: ['b1'], startUs: T + 5_000, endUs: T + 45_000 },
    ];
    const [a, b] = orderFacts(keys, summaries, []);
    expect(a).toEqual({
      value: 'A',
      startUs: T,
      endUs: T + 120_000,
      traceIds: ['a1', 'a2', 'a3', 'unknown'],
      failed: true,
      stages: [
        { name: 'order-api: POST /orders', startUs: T, endUs: T + 50_000 },
        { name: 'fulfilment: process', startUs: T + 60_000, endUs: T + 120_000 },
      ],
    });
    expect(b.failed).toBe(false);
    const [ruled] = orderFacts(keys, summaries, [{ stage: 'intake', service: 'order-api' }]);
    expect(ruled.stages.map((s) => s.name)).toEqual(['intake', 'fulfilment: process']);
  });

  it.each<[number[], number, number | null]>([
    [[], 0.5, null],
    [[7], 0.99, 7],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4], 0.95, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.95, 95],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.99, 99],
  ])('nearest-rank quantile of %j at %s is %s', (sorted, q, expected) => {
    expect(quantile(sorted, q)).toBe(expected);
  });

  it('per minute: orders first seen in it, failed ones and latency quantiles; empty minutes are zero with null latency', () => {
    const facts = [fact('A', T + 1, 100), fact('B', T + 30e6, 300, true), fact('C', T + 2 * M + 5, 2000), fact('early', T - 1, 1)];
    expect(orderSeries(facts, { startUs: T, endUs: T + 2 * M + 10 })).toEqual([
      { tUs: T, orders: 2, failed: 1, p50Ms: 100, p95Ms: 300, p99Ms: 300 },
      { tUs: T + M, orders: 0, failed: 0, p50Ms: null, p95Ms: null, p99Ms: null },
      { tUs: T + 2 * M, orders: 1, failed: 0, p50Ms: 2000, p95Ms: 2000, p99Ms: 2000 },
    ]);
  });

  it('measures over the rate window only: orders per minute, success rate, end-to-end quantiles', () => {
    const rate = { startUs: T, endUs: T + 5 * M, seconds: 300 };
    const facts = [fact('old', T - 1, 9_999), ...[100, 200, 300, 400].map((ms, i) => fact(`O${i}`, T + i * M, ms, i === 3)), fact('now', T + 5 * M, 9_999)];
    expect(orderMeasure(facts, 'ordersPerMinute', rate)).toBeCloseTo(4 / 5);
    expect(orderMeasure(facts, 'successRate', rate)).toBe(0.75);
    expect(orderMeasure(facts, 'p50Ms', rate)).toBe(200);
    expect(orderMeasure(facts, 'p95Ms', rate)).toBe(400);
    expect(orderMeasure([], 'successRate', rate)).toBeNull();
    expect(orderMeasure([], 'ordersPerMinute', rate)).toBe(0);
  });

  it('the funnel: configured stages first, then by median start; drop-off from the stage before; the slowest by p95', () => {
    const st = (name: string, start: number, ms: number) => ({ name, startUs: T + start, endUs: T + start + ms * 1000 });
    const facts = [
      fact('A', T, 0, false, [st('intake', 0, 50), st('pack', 1e6, 900), st('ship', 3e6, 100)]),
      fact('B', T, 0, false, [st('intake', 0, 60), st('pack', 1e6, 700)]),
      fact('C', T, 0, true, [st('intake', 0, 40)]),
    ];
    expect(stageFunnel(facts, [])).toEqual({
      orders: 3,
      stages: [
        { name: 'intake', orders: 3, dropOff: 0, p95Ms: 60 },
        { name: 'pack', orders: 2, dropOff: 1, p95Ms: 900 },
        { name: 'ship', orders: 1, dropOff: 1, p95Ms: 100 },
      ],
      slowestStage: 'pack',
    });
    // a configured order wins over the start times
    expect(stageFunnel(facts, [{ stage: 'ship', service: 'x' }]).stages.map((s) => s.name)).toEqual(['ship', 'intake', 'pack']);
    expect(stageFunnel([], [])).toEqual({ orders: 0, stages: [], slowestStage: null });
  });

  it('ranks the slowest orders as the slow-chains list does: end to end, then value', () => {
    const facts = [fact('B', T, 300), fact('A', T + 5, 300), fact('C', T, 50), fact('D', T, 900, true)];
    expect(slowestOrders(facts, 3)).toEqual([
      { value: 'D', traceIds: ['D-trace'], startUs: T, endUs: T + 900_000 },
      { value: 'A', traceIds: ['A-trace'], startUs: T + 5, endUs: T + 5 + 300_000 },
      { value: 'B', traceIds: ['B-trace'], startUs: T, endUs: T + 300_000 },
    ]);
    expect(slowestOrders(facts, 0)).toEqual([]);
  });
});
