import { orderFacts, orderFactsOfTraces } from '../../../../core/analysis/order-facts';
import type { TraceSummary } from '../../../../core/model';

const T = 1_800_000_000 * 1e6;

function summary(traceId: string, rootService: string, rootName: string, startUs: number, durationUs: number, errorCount = 0): TraceSummary {
  return { traceId, rootService, rootName, startUs, durationUs, spanCount: 3, errorCount, services: [rootService] };
}

describe('order facts from trace summaries', () => {
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

  it('from trace ids: the first 50 by id, spanning the traces that have a summary; an order with none has no fact', () => {
    const summaries = new Map([summary('t2', 'api', 'POST', T + 10, 100), summary('t1', 'api', 'POST', T, 50, 1)].map((s) => [s.traceId, s]));
    const ids = new Map([
      ['A', ['t2', 't1', 't1', 'missing']],
      ['B', ['missing']],
    ]);
    expect(orderFactsOfTraces(ids, summaries, [])).toEqual([
      { value: 'A', startUs: T, endUs: T + 110, traceIds: ['missing', 't1', 't2'], failed: true, stages: [{ name: 'api: POST', startUs: T, endUs: T + 110 }] },
    ]);
    const many = new Map([['C', Array.from({ length: 60 }, (_, i) => `t${String(i).padStart(2, '0')}`)]]);
    const all = new Map(many.get('C')!.map((id, i) => [id, summary(id, 'api', 'POST', T + i, 1)]));
    const [c] = orderFactsOfTraces(many, all, []);
    expect(c.traceIds).toHaveLength(50);
    expect(c.endUs).toBe(T + 49 + 1);
  });
});
