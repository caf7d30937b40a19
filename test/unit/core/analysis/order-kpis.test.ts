import type { OrderFact } from '../../../../core/analysis/order-facts';
import { orderMeasure, orderSeries, stageFunnel } from '../../../../core/analysis/order-kpis';
import { orderRollupChange, type OrderRollupRow } from '../../../../core/analysis/order-rollup';
import { bucketOf, bucketValueUs } from '../../../../core/analysis/topology-histogram';

const M = 60_000_000;
const T = 1_800_000_000 * 1e6 - ((1_800_000_000 * 1e6) % M); // a whole minute

function fact(value: string, startUs: number, durationMs: number, failed = false, stages: OrderFact['stages'] = []): OrderFact {
  return { value, startUs, endUs: startUs + durationMs * 1000, traceIds: [`${value}-trace`], failed, stages };
}

/** The roll-up rows a store holds after these orders were written (summed per minute, stage, bucket). */
const rowsOf = (facts: OrderFact[]): OrderRollupRow[] => orderRollupChange(new Map(), facts).rows;
/** What a quantile reads back for a duration: the middle of its bucket, in ms. */
const ms = (durationMs: number) => Math.round(bucketValueUs(bucketOf(durationMs * 1000))) / 1000;

describe('order KPIs from the per-minute roll-up', () => {
  it('per minute: orders first seen in it, failed ones and latency quantiles (to a bucket); empty minutes are zero with null latency', () => {
    const rows = rowsOf([fact('A', T + 1, 100), fact('B', T + 30e6, 300, true), fact('C', T + 2 * M + 5, 2000), fact('early', T - 1, 1)]);
    expect(orderSeries(rows, { startUs: T, endUs: T + 2 * M + 10 })).toEqual([
      { tUs: T, orders: 2, failed: 1, p50Ms: ms(100), p95Ms: ms(300), p99Ms: ms(300) },
      { tUs: T + M, orders: 0, failed: 0, p50Ms: null, p95Ms: null, p99Ms: null },
      { tUs: T + 2 * M, orders: 1, failed: 0, p50Ms: ms(2000), p95Ms: ms(2000), p99Ms: ms(2000) },
    ]);
    // a quantile is within one bucket (±~20 %) of the exact value
    expect(Math.abs(ms(300) - 300) / 300).toBeLessThan(0.21);
  });

  it('measures over the rate window minutes only: orders per minute, success rate, end-to-end quantiles', () => {
    const rate = { startUs: T, endUs: T + 5 * M, seconds: 300 };
    const rows = rowsOf([fact('old', T - 1, 9_999), ...[100, 200, 300, 400].map((d, i) => fact(`O${i}`, T + i * M, d, i === 3)), fact('now', T + 5 * M, 9_999)]);
    expect(orderMeasure(rows, 'ordersPerMinute', rate)).toBeCloseTo(4 / 5);
    expect(orderMeasure(rows, 'successRate', rate)).toBe(0.75);
    expect(orderMeasure(rows, 'p50Ms', rate)).toBe(ms(200));
    expect(orderMeasure(rows, 'p95Ms', rate)).toBe(ms(400));
    expect(orderMeasure([], 'successRate', rate)).toBeNull();
    expect(orderMeasure([], 'p99Ms', rate)).toBeNull();
    expect(orderMeasure([], 'ordersPerMinute', rate)).toBe(0);
  });

  it('the funnel: configured stages first, then by mean start; drop-off from the stage before; the slowest by p95', () => {
    const st = (name: string, start: number, d: number) => ({ name, startUs: T + start, endUs: T + start + d * 1000 });
    const rows = rowsOf([
      fact('A', T, 0, false, [st('intake', 0, 50), st('pack', 1e6, 900), st('ship', 3e6, 100)]),
      fact('B', T, 0, false, [st('intake', 0, 60), st('pack', 1e6, 700)]),
      fact('C', T, 0, true, [st('intake', 0, 40)]),
    ]);
    expect(stageFunnel(rows, [])).toEqual({
      orders: 3,
      stages: [
        { name: 'intake', orders: 3, dropOff: 0, p95Ms: ms(60) },
        { name: 'pack', orders: 2, dropOff: 1, p95Ms: ms(900) },
        { name: 'ship', orders: 1, dropOff: 1, p95Ms: ms(100) },
      ],
      slowestStage: 'pack',
    });
    // a configured order wins over the start times
    expect(stageFunnel(rows, [{ stage: 'ship', service: 'x' }]).stages.map((s) => s.name)).toEqual(['ship', 'intake', 'pack']);
    expect(stageFunnel([], [])).toEqual({ orders: 0, stages: [], slowestStage: null });
  });
});
