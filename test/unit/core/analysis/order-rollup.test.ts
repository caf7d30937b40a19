import type { OrderFact } from '../../../../core/analysis/order-facts';
import { bucketLowerBoundUs, ORDER_STAGE, orderRollupChange, orderRollupRows, orderTraceLinks } from '../../../../core/analysis/order-rollup';
import { bucketOf } from '../../../../core/analysis/topology-histogram';

const M = 60_000_000;
const T = 1_800_000_000 * 1e6 - ((1_800_000_000 * 1e6) % M);

function fact(value: string, startUs: number, durationUs: number, failed = false, stages: OrderFact['stages'] = []): OrderFact {
  return { value, startUs, endUs: startUs + durationUs, traceIds: [`${value}-1`], failed, stages };
}

describe('per-minute order roll-up rows', () => {
  it('an order counts in the minute of its start, under its latency bucket; each stage with its own bucket and offset', () => {
    const f = fact('A', T + 5, 2_000_000, true, [
      { name: 'intake', startUs: T + 5, endUs: T + 40_005 },
      { name: 'ship', startUs: T + 1_000_005, endUs: T + 2_000_005 },
    ]);
    expect(orderRollupRows(f, 1)).toEqual([
      { minute: T, stage: ORDER_STAGE, bucket: bucketOf(2_000_000), orders: 1, failed: 1, offsetUs: 0 },
      { minute: T, stage: 'intake', bucket: bucketOf(40_000), orders: 1, failed: 0, offsetUs: 0 },
      { minute: T, stage: 'ship', bucket: bucketOf(1_000_000), orders: 1, failed: 0, offsetUs: 1_000_000 },
    ]);
    expect(orderRollupRows(f, -1).map((r) => [r.orders, r.failed, r.offsetUs])).toEqual([
      [-1, -1, 0],
      [-1, 0, 0],
      [-1, 0, -1_000_000],
    ]);
  });

  it('a change takes the stored fact away and adds the new one, merged per row; an unchanged fact changes nothing', () => {
    const old = fact('A', T + 10, 1_000);
    const grown = fact('A', T + 10, 5_000_000, true);
    const fresh = fact('B', T + 20, 1_000);
    const change = orderRollupChange(new Map([['A', old]]), [grown, fresh]);
    expect(change.facts).toEqual([grown, fresh]);
    expect(change.moved).toEqual([]);
    // A's old row (bucket of 1 ms) and B's new one share a bucket: they cancel out
    expect(change.rows).toEqual([{ minute: T, stage: ORDER_STAGE, bucket: bucketOf(5_000_000), orders: 1, failed: 1, offsetUs: 0 }]);
    expect(orderRollupChange(new Map([['A', grown]]), [{ ...grown, stages: [] }])).toEqual({ facts: [], moved: [], rows: [] });
    // more trace ids with the same figures: the fact is stored again, the sums do not move
    expect(orderRollupChange(new Map([['A', grown]]), [{ ...grown, traceIds: ['A-1', 'A-2'] }])).toMatchObject({ facts: [{ value: 'A' }], rows: [] });
  });

  it('an earlier trace moves an order to an earlier minute', () => {
    const change = orderRollupChange(new Map([['A', fact('A', T + M + 1, 100)]]), [fact('A', T + 1, M + 100)]);
    expect(change.moved).toEqual([{ value: 'A', fromMinute: T + M }]);
    expect(change.rows.map((r) => [r.minute, r.orders])).toEqual([
      [T + M, -1],
      [T, 1],
    ]);
  });

  it('keeps the rolled-up keys of a batch, one link per key, value and trace (the earliest time)', () => {
    const rows = [
      { key: 'order.id', value: 'A', traceId: 't1', timeUs: 5 },
      { key: 'order.id', value: 'A', traceId: 't1', timeUs: 3 },
      { key: 'customer.id', value: 'C', traceId: 't1', timeUs: 3 },
      { key: 'order.id', value: 'B', traceId: 't1', timeUs: 9 },
    ];
    expect(orderTraceLinks(rows, new Set(['order.id']))).toEqual([
      { key: 'order.id', value: 'A', traceId: 't1', timeUs: 3 },
      { key: 'order.id', value: 'B', traceId: 't1', timeUs: 9 },
    ]);
  });

  it.each([1, 2, 10, 30, 59])('no duration of bucket %i is below its lower bound', (bucket) => {
    const low = bucketLowerBoundUs(bucket);
    expect(bucketOf(low)).toBeLessThanOrEqual(bucket);
    expect(bucketOf(low + 1)).toBeGreaterThanOrEqual(bucket - 1);
    for (const d of [low + 1, Math.ceil(low * 1.2)]) if (bucketOf(d) === bucket) expect(d).toBeGreaterThanOrEqual(low);
  });
});
