import { grownOrderFact, type TraceSummaryGrowth } from '../../../../core/analysis/order-fact-growth';
import { ORDER_FACT_TRACES, orderFactsOfTraces, type OrderFact } from '../../../../core/analysis/order-facts';
import type { TraceSummary } from '../../../../core/model';

const T = 1_800_000_000 * 1e6;

function summary(traceId: string, startUs: number, durationUs: number, opts: { errors?: number; root?: [string, string] } = {}): TraceSummary {
  const [rootService, rootName] = opts.root ?? ['api', 'POST /orders'];
  return { traceId, rootService, rootName, startUs, durationUs, spanCount: 3, errorCount: opts.errors ?? 0, services: [rootService] };
}

/** The fact orderFactsOfTraces makes of these summaries (what a recount gives). */
function factOf(value: string, summaries: TraceSummary[], extraIds: string[] = []): OrderFact {
  const [f] = orderFactsOfTraces(new Map([[value, [...summaries.map((s) => s.traceId), ...extraIds]]]), new Map(summaries.map((s) => [s.traceId, s])), []);
  return f;
}

function growth(linked: string[], grown: Record<string, TraceSummaryGrowth>, stored: TraceSummary[] = []) {
  const byId = new Map(stored.map((s) => [s.traceId, s]));
  return { linked, growthOf: (id: string) => grown[id], summaryOf: (id: string) => byId.get(id) };
}

describe('an order fact grown from what a write did', () => {
  const a1 = summary('a1', T + 1_000, 50_000);
  const a2 = summary('a2', T + 60_000, 20_000, { root: ['fulfil', 'process'] });
  const stored = factOf('A', [a1, a2]);

  const cases: { name: string; linked: string[]; grown: Record<string, TraceSummaryGrowth>; readable?: TraceSummary[]; now: TraceSummary[] }[] = [
    { name: 'a new trace of the order, earlier, failing, in a stage of its own', linked: ['a0'], grown: { a0: { before: undefined, after: summary('a0', T, 5_000, { errors: 1, root: ['web', 'GET /cart'] }) } }, now: [summary('a0', T, 5_000, { errors: 1, root: ['web', 'GET /cart'] }), a1, a2] },
    { name: 'a stored trace grows later and fails, same root', linked: [], grown: { a2: { before: a2, after: summary('a2', T + 60_000, 900_000, { errors: 2, root: ['fulfil', 'process'] }) } }, now: [a1, summary('a2', T + 60_000, 900_000, { errors: 2, root: ['fulfil', 'process'] })] },
    { name: 'a trace stored before without the key, now linked and unchanged: its stored summary', linked: ['a3'], grown: {}, readable: [summary('a3', T + 100_000, 1_000)], now: [a1, a2, summary('a3', T + 100_000, 1_000)] },
    { name: 'the write relinks a known trace and grows none: the same fact', linked: ['a1'], grown: {}, now: [a1, a2] },
    { name: 'a listed trace the write gave a summary (none before): widened by it', linked: [], grown: { a1: { before: undefined, after: summary('a1', T, 80_000) } }, now: [summary('a1', T, 80_000), a2] },
  ];
  it.each(cases)('$name: the fact a recount gives', ({ linked, grown, readable, now }) => {
    expect(grownOrderFact(stored, growth(linked, grown, readable), [])).toEqual(factOf('A', now));
  });

  it('gives up when a stored trace changes root and stage, unless a rule keeps the stage', () => {
    const rooted = { a2: { before: a2, after: summary('a2', T + 59_000, 21_000, { root: ['gateway', 'POST /fulfil'] }) } };
    expect(grownOrderFact(stored, growth([], rooted), [])).toBeUndefined();
    const rules = [
      { stage: 'fulfilment', service: 'fulfil' },
      { stage: 'fulfilment', service: 'gateway' },
    ];
    const ruled = orderFactsOfTraces(new Map([['A', ['a1', 'a2']]]), new Map([a1, a2].map((s) => [s.traceId, s])), rules)[0];
    expect(grownOrderFact(ruled, growth([], rooted), rules)?.stages.map((s) => [s.name, s.startUs])).toEqual([
      ['api: POST /orders', T + 1_000],
      ['fulfilment', T + 59_000],
    ]);
  });

  it('with a full list: a trace sorting after its last changes nothing, one sorting before it (one would leave) gives up, and so does overfilling', () => {
    const ids = Array.from({ length: ORDER_FACT_TRACES }, (_, i) => `t${String(i + 10).padStart(3, '0')}`);
    const full = factOf('F', ids.map((id, i) => summary(id, T + i, 10)));
    expect(grownOrderFact(full, growth(['t999'], { t999: { before: undefined, after: summary('t999', T - 5_000, 10, { errors: 1 }) } }), [])).toEqual(full);
    expect(grownOrderFact(full, growth(['t000'], { t000: { before: undefined, after: summary('t000', T + 5, 10) } }), [])).toBeUndefined();
    const almost = factOf('F', ids.slice(1).map((id, i) => summary(id, T + i, 10)));
    expect(grownOrderFact(almost, growth(['u1', 'u2'], {}), [])).toBeUndefined();
    expect(grownOrderFact(almost, growth(['u1'], {}), [])?.traceIds).toEqual([...ids.slice(1), 'u1']);
  });
});
