import { kpiWindowSeries, MAX_STAGES_PER_KEY } from '../../../../core/analysis/kpi-series';
import type { OrderFact } from '../../../../core/analysis/order-facts';
import { orderRollupChange } from '../../../../core/analysis/order-rollup';
import { bucketOf, bucketValueUs } from '../../../../core/analysis/topology-histogram';

const order = (value: string, ms: number, failed: boolean, stages: [string, number][] = []): OrderFact => ({
  value,
  startUs: 1_000_000,
  endUs: 1_000_000 + ms * 1000,
  traceIds: [],
  failed,
  stages: stages.map(([name, stageMs]) => ({ name, startUs: 1_000_000, endUs: 1_000_000 + stageMs * 1000 })),
});
/** The per-minute roll-up rows of these orders, as a store holds them. */
const rowsOf = (facts: OrderFact[]) => orderRollupChange(new Map(), facts).rows;
/** A p95 as the roll-up reads it back: the middle of the duration's bucket, in ms. */
const ms = (durationMs: number) => Math.round(bucketValueUs(bucketOf(durationMs * 1000))) / 1000;

describe('business KPI series of a window', () => {
  it('makes the orders one series (orders as calls, failed as errors, end-to-end p95) and each stage another', () => {
    const rows = rowsOf([
      order('A', 100, false, [['pay', 40], ['ship', 10]]),
      order('B', 200, true, [['pay', 90]]),
      order('C', 300, false, [['pay', 60]]),
    ]);
    const series = kpiWindowSeries('order.id', rows);
    expect(Object.fromEntries([...series].map(([id, row]) => [id.replace('\u0000', '|'), [row.series, row.value]]))).toEqual({
      'kpi:order.id': [{ kind: 'kpi', key: 'order.id' }, { calls: 3, errors: 1, p95Ms: ms(300) }],
      'kpi:order.id|pay': [{ kind: 'kpi', key: 'order.id', stage: 'pay' }, { calls: 3, errors: 0, p95Ms: ms(90) }],
      'kpi:order.id|ship': [{ kind: 'kpi', key: 'order.id', stage: 'ship' }, { calls: 1, errors: 0, p95Ms: ms(10) }],
    });
  });

  it('has the key series with no orders (rate 0, no latency) and no stage series', () => {
    expect([...kpiWindowSeries('order.id', []).values()]).toEqual([{ series: { kind: 'kpi', key: 'order.id' }, value: { calls: 0, errors: 0, p95Ms: null } }]);
  });

  it(`keeps the ${MAX_STAGES_PER_KEY} busiest stages of a key with runaway stage names`, () => {
    const rows = rowsOf(Array.from({ length: 200 }, (_, i) => order(`O${i}`, 10, false, [['common', 5], [`stage-${i}`, 1]])));
    const series = kpiWindowSeries('order.id', rows);
    expect(series.size).toBe(1 + MAX_STAGES_PER_KEY);
    expect(series.get('kpi:order.id\u0000common')?.value.calls).toBe(200);
  });
});
