import { assembleChain, orientJoins } from '../../../../core/analysis/chain';
import type { ChainPathStep } from '../../../../core/analysis/chain-critical-path';
import { stageOfTrace } from '../../../../core/analysis/chain-stages';
import type { Span } from '../../../../core/model';
import { cspan, link, threeTraceOrder } from './chain-fixtures';

const inputs = (traces: Map<string, Span[]>) => [...traces].map(([traceId, spans]) => ({ traceId, spans }));
/** Compact form: 'T:span a-b' or '<wait kind> a-b'. */
const show = (path: ChainPathStep[]) => path.map((s) => ('wait' in s ? `${s.kind} ${s.startUs}-${s.endUs}` : `${s.traceId}:${s.spanId} ${s.startUs}-${s.endUs}`));

describe('assembleChain on a three-trace order (HTTP intake → queue → delayed job)', () => {
  const { traces, joins } = threeTraceOrder();
  const chain = assembleChain(inputs(traces), joins);

  it('spans the first start to the last end', () => {
    expect([chain.startUs, chain.endUs, chain.durationUs]).toEqual([0, 1200, 1200]);
    expect(chain.spans.map((s) => s.spanId)).toEqual(['a-root', 'a-db', 'a-pub', 'b-root', 'b-stock', 'b-sched', 'c-root', 'c-psp']);
  });

  it('orients joins upstream → downstream and measures the waits', () => {
    expect(chain.joins).toEqual([
      { kind: 'message', fromTraceId: 'A', fromSpanId: 'a-pub', toTraceId: 'B', toSpanId: 'b-root', waitUs: 240 },
      // C's root holds the link to B's schedule span: B is upstream
      { kind: 'link', fromTraceId: 'B', fromSpanId: 'b-sched', toTraceId: 'C', toSpanId: 'c-root', waitUs: 310 },
    ]);
    expect(chain.waits).toEqual([
      { kind: 'queue', fromTraceId: 'A', fromSpanId: 'a-pub', toTraceId: 'B', toSpanId: 'b-root', startUs: 60, endUs: 300, onCriticalPath: true },
      { kind: 'queue', fromTraceId: 'B', fromSpanId: 'b-sched', toTraceId: 'C', toSpanId: 'c-root', startUs: 690, endUs: 1000, onCriticalPath: true },
    ]);
  });

  it('walks the critical path back through both joins, with the waits', () => {
    expect(show(chain.criticalPath)).toEqual([
      'A:a-root 0-10',
      'A:a-db 10-40',
      'A:a-root 40-50',
      'A:a-pub 50-60',
      'queue 60-300',
      'B:b-root 300-320',
      'B:b-stock 320-650',
      'B:b-root 650-660',
      'B:b-sched 660-690',
      'queue 690-1000',
      'C:c-root 1000-1010',
      'C:c-psp 1010-1180',
      'C:c-root 1180-1200',
    ]);
  });

  it('names the bottleneck and lists errors', () => {
    expect(chain.bottleneck).toEqual({ kind: 'span', service: 'inventory', operation: 'reserve stock', selfUs: 330 });
    expect(chain.errors).toEqual([{ traceId: 'C', spanId: 'c-psp', service: 'psp-gateway', name: 'call psp', message: 'card declined' }]);
  });

  it('has one default stage per entry trace', () => {
    expect(chain.stages).toEqual([
      { name: 'order-api: POST /orders', startUs: 0, endUs: 100, traceIds: ['A'] },
      { name: 'fulfilment: process order.created', startUs: 300, endUs: 700, traceIds: ['B'] },
      { name: 'billing: charge', startUs: 1000, endUs: 1200, traceIds: ['C'] },
    ]);
  });
});

describe('stages', () => {
  const { traces, joins } = threeTraceOrder();
  const retry = [cspan('C2', 'c2-root', 1300, 1400, { service: 'billing', name: 'charge' })];
  const all = new Map([...traces, ['C2', retry]]);

  const cases: Array<{ name: string; rules: { stage: string; service: string; operation?: string }[]; expected: Array<[string, string[], number, number]> }> = [
    {
      name: 'default: retries of one job share its stage',
      rules: [],
      expected: [
        ['order-api: POST /orders', ['A'], 0, 100],
        ['fulfilment: process order.created', ['B'], 300, 700],
        ['billing: charge', ['C', 'C2'], 1000, 1400],
      ],
    },
    {
      name: 'configured: by root service, by operation, and by any span when the root matches none',
      rules: [
        { stage: 'intake', service: 'order-api', operation: 'POST /orders' },
        { stage: 'fulfilment', service: 'fulfilment' },
        { stage: 'payment', service: 'psp-gateway' },
      ],
      expected: [
        ['intake', ['A'], 0, 100],
        ['fulfilment', ['B'], 300, 700],
        ['payment', ['C'], 1000, 1200],
        ['billing: charge', ['C2'], 1300, 1400],
      ],
    },
    {
      name: 'an operation that does not match falls through to the default',
      rules: [{ stage: 'intake', service: 'order-api', operation: 'GET /orders' }],
      expected: [
        ['order-api: POST /orders', ['A'], 0, 100],
        ['fulfilment: process order.created', ['B'], 300, 700],
        ['billing: charge', ['C', 'C2'], 1000, 1400],
      ],
    },
  ];
  it.each(cases)('$name', ({ rules, expected }) => {
    const chain = assembleChain(inputs(all), joins, { stageRules: rules });
    expect(chain.stages.map((s) => [s.name, s.traceIds, s.startUs, s.endUs])).toEqual(expected);
    expect(chain.traceStages.get('A')).toBe(expected[0][0]);
  });

  it('uses the summary when the spans were not loaded', () => {
    expect(
      stageOfTrace({ traceId: 'X', root: undefined, spans: [], rootService: 'mailer', rootName: 'send', startUs: 0, endUs: 1 }, []),
    ).toBe('mailer: send');
  });
});

describe('orientJoins', () => {
  const traces = new Map([
    ['A', [cspan('A', 'a', 0, 10)]],
    ['B', [cspan('B', 'b', 20, 30)]],
  ]);
  const index = new Map([...traces.values()].flat().map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const spanOf = (t: string, s: string) => index.get(`${t}/${s}`);
  it.each([
    ['a link held by the later span points upstream', link(['B', 'b'], ['A', 'a']), ['A', 'B', 10]],
    ['a link held by the earlier span points downstream', link(['A', 'a'], ['B', 'b']), ['A', 'B', 10]],
    ['a link with an unknown span: the linked side is upstream', link(['B', 'b'], ['A', 'missing']), ['A', 'B', 0]],
    ['a message runs producer → consumer', link(['A', 'a'], ['B', 'b'], 'message'), ['A', 'B', 10]],
  ] as const)('%s', (_name, join, [from, to, wait]) => {
    const [j] = orientJoins([join], spanOf);
    expect([j.fromTraceId, j.toTraceId, j.waitUs]).toEqual([from, to, wait]);
  });
});
