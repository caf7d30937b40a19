import { assembleChain, orientJoins } from '../../../../core/analysis/chain';
import { chainBottleneck } from '../../../../core/analysis/chain-bottleneck';
import { chainCriticalPath, type ChainPathStep } from '../../../../core/analysis/chain-critical-path';
import { chainTiming, classifyJoinWait } from '../../../../core/analysis/chain-waits';
import { computeCriticalPath } from '../../../../core/analysis/critical-path';
import { endUs } from '../../../../core/analysis/span-tree';
import type { Span, TraceLinkEntry, TraceSummary } from '../../../../core/model';
import { cspan, link } from './chain-fixtures';

/** Compact form: 'T:span a-b' or '<kind> a-b' for a wait. */
const show = (path: ChainPathStep[]) => path.map((s) => ('wait' in s ? `${s.kind} ${s.startUs}-${s.endUs}` : `${s.traceId}:${s.spanId} ${s.startUs}-${s.endUs}`));

const withAttrs = (span: Span, attributes: Span['attributes']): Span => ({ ...span, attributes });
const summaryOf = (traceId: string, spans: Span[]): TraceSummary => {
  const start = Math.min(...spans.map((s) => s.startUs));
  const root = spans.find((s) => !s.parentSpanId)!;
  return {
    traceId,
    rootService: root.service,
    rootName: root.name,
    startUs: start,
    durationUs: Math.max(...spans.map(endUs)) - start,
    spanCount: spans.length,
    errorCount: spans.filter((s) => s.status.code === 'error').length,
    services: [...new Set(spans.map((s) => s.service))],
  };
};

/**
 * The demo's journey as real SDKs stamp it (whole milliseconds, µs here):
 *   A order-api   POST /orders 0..100 ms, publish order-events 90..100 (ends with its parent)
 *     queue 100..103
 *   B fulfilment  process order-events 103..160, inventory 105..150, publish order-jobs 160..161 (starts as its parent ends)
 *     scheduled delay 161..2161 (order-jobs, intended)
 *   C scheduler   process order-jobs 2161..2400, billing 2165..2300, notification 2300..2400 (ends with its parent)
 * Every join comes twice: a messaging id and a span link.
 */
function demoOrder() {
  const ms = 1000;
  const A = [
    cspan('A', 'a', 0, 100 * ms, { service: 'order-api', name: 'POST /orders', kind: 'server' }),
    cspan('A', 'a-pay', 10 * ms, 80 * ms, { parent: 'a', service: 'payment', name: 'POST /charge', kind: 'client' }),
    withAttrs(cspan('A', 'a-pub', 90 * ms, 100 * ms, { parent: 'a', service: 'order-api', name: 'publish order-events', kind: 'producer' }), {
      'messaging.destination.name': 'order-events',
    }),
  ];
  const B = [
    withAttrs(cspan('B', 'b', 103 * ms, 160 * ms, { service: 'fulfilment', name: 'process order-events', kind: 'consumer' }), {
      'messaging.destination.name': 'order-events',
    }),
    cspan('B', 'b-inv', 105 * ms, 150 * ms, { parent: 'b', service: 'inventory', name: 'POST /inventory/commit', kind: 'client' }),
    withAttrs(cspan('B', 'b-pub', 160 * ms, 161 * ms, { parent: 'b', service: 'fulfilment', name: 'publish order-jobs', kind: 'producer' }), {
      'messaging.destination.name': 'order-jobs',
    }),
  ];
  const C = [
    withAttrs(cspan('C', 'c', 2161 * ms, 2400 * ms, { service: 'scheduler', name: 'process order-jobs', kind: 'consumer' }), {
      'messaging.destination.name': 'order-jobs',
    }),
    cspan('C', 'c-bill', 2165 * ms, 2300 * ms, { parent: 'c', service: 'billing', name: 'POST /billing/settlements', kind: 'client' }),
    cspan('C', 'c-note', 2300 * ms, 2400 * ms, { parent: 'c', service: 'notification', name: 'POST /notifications', kind: 'client' }),
  ];
  const traces = new Map([
    ['A', A],
    ['B', B],
    ['C', C],
  ]);
  const joins = [
    link(['A', 'a-pub'], ['B', 'b'], 'message'),
    link(['B', 'b'], ['A', 'a-pub'], 'link'),
    link(['B', 'b-pub'], ['C', 'c'], 'message'),
    link(['C', 'c'], ['B', 'b-pub'], 'link'),
  ];
  return { traces, joins };
}

/**
 * demoOrder's scheduler hop delivered twice: the first delivery D (2161..2200 ms) crashed, the
 * message came back 1.5 s later as C (3700..3939 ms). Both consumers link to the same publish.
 */
function redeliveredOrder() {
  const ms = 1000;
  const { traces, joins } = demoOrder();
  const shift = (span: Span): Span => ({ ...span, startUs: span.startUs + 1539 * ms, durationUs: span.durationUs });
  const C = traces.get('C')!.map(shift);
  const D = [
    withAttrs(cspan('D', 'd', 2161 * ms, 2200 * ms, { service: 'scheduler', name: 'process order-jobs', kind: 'consumer', error: 'crashed' }), {
      'messaging.destination.name': 'order-jobs',
    }),
  ];
  traces.set('C', C);
  traces.set('D', D);
  joins.push(link(['B', 'b-pub'], ['D', 'd'], 'message'), link(['D', 'd'], ['B', 'b-pub'], 'link'));
  return { traces, joins };
}

interface Case {
  name: string;
  traces: Map<string, Span[]>;
  joins: TraceLinkEntry[];
  expectedWaits?: string[];
  expected: string[];
}

const cases: Case[] = [
  {
    name: 'sync: one trace whose root ends last is critical-path.ts’s path',
    traces: new Map([
      [
        'T',
        [
          cspan('T', 'r', 0, 100),
          cspan('T', 'a', 5, 50, { parent: 'r' }),
          cspan('T', 'b', 20, 90, { parent: 'r' }),
          cspan('T', 'c', 30, 60, { parent: 'b' }),
        ],
      ],
    ]),
    joins: [],
    expected: computeCriticalPath([
      cspan('T', 'r', 0, 100),
      cspan('T', 'a', 5, 50, { parent: 'r' }),
      cspan('T', 'b', 20, 90, { parent: 'r' }),
      cspan('T', 'c', 30, 60, { parent: 'b' }),
    ]).segments.map((s) => `T:${s.spanId} ${s.startUs}-${s.endUs}`),
  },
  {
    name: 'async: a child that outlives its root ends the chain, so the path runs to its end',
    traces: new Map([['T', [cspan('T', 'r', 0, 100), cspan('T', 'a', 10, 40, { parent: 'r' }), cspan('T', 'late', 95, 130, { parent: 'r' })]]]),
    joins: [],
    expected: ['T:r 0-10', 'T:a 10-40', 'T:r 40-95', 'T:late 95-130'],
  },
  {
    name: 'sync + queue + scheduled delay: every hop crossed, each wait once (two joins per hop), the delay intended',
    ...demoOrder(),
    expectedWaits: ['order-jobs'],
    expected: [
      'A:a 0-10000',
      'A:a-pay 10000-80000',
      'A:a 80000-90000',
      'A:a-pub 90000-100000',
      'queue 100000-103000',
      'B:b 103000-105000',
      'B:b-inv 105000-150000',
      'B:b 150000-160000',
      'B:b-pub 160000-161000',
      'intended 161000-2161000',
      'C:c 2161000-2165000',
      'C:c-bill 2165000-2300000',
      'C:c-note 2300000-2400000',
    ],
  },
  {
    name: 'without CHAIN_EXPECTED_WAITS the scheduled delay is a queue wait',
    ...demoOrder(),
    expected: [
      'A:a 0-10000',
      'A:a-pay 10000-80000',
      'A:a 80000-90000',
      'A:a-pub 90000-100000',
      'queue 100000-103000',
      'B:b 103000-105000',
      'B:b-inv 105000-150000',
      'B:b 150000-160000',
      'B:b-pub 160000-161000',
      'queue 161000-2161000',
      'C:c 2161000-2165000',
      'C:c-bill 2165000-2300000',
      'C:c-note 2300000-2400000',
    ],
  },
  {
    name: 'a consumer that starts before its producer ends: no wait, the producer is cut there',
    traces: new Map([
      ['P', [cspan('P', 'p', 0, 100), cspan('P', 'send', 10, 80, { parent: 'p', kind: 'producer' })]],
      ['Q', [cspan('Q', 'q', 50, 200, { kind: 'consumer' })]],
    ]),
    joins: [link(['P', 'send'], ['Q', 'q'], 'message')],
    expected: ['P:p 0-10', 'P:send 10-50', 'Q:q 50-200'],
  },
  {
    name: 'the join whose consumer starts first is the one that started the trace',
    traces: new Map([
      ['P1', [cspan('P1', 'p1', 0, 10)]],
      ['P2', [cspan('P2', 'p2', 0, 40)]],
      ['Q', [cspan('Q', 'q', 50, 100), cspan('Q', 'q-late', 70, 80, { parent: 'q', kind: 'consumer' })]],
    ]),
    joins: [link(['P1', 'p1'], ['Q', 'q'], 'message'), link(['P2', 'p2'], ['Q', 'q-late'], 'message')],
    expected: ['P1:p1 0-10', 'queue 10-50', 'Q:q 50-70', 'Q:q-late 70-80', 'Q:q 80-100'],
  },
  {
    name: 'a cycle of joins is crossed once per trace',
    traces: new Map([
      ['X', [cspan('X', 'x', 0, 10)]],
      ['Y', [cspan('Y', 'y', 20, 30)]],
    ]),
    joins: [link(['X', 'x'], ['Y', 'y'], 'message'), link(['Y', 'y'], ['X', 'x'], 'message')],
    expected: ['X:x 0-10', 'queue 10-20', 'Y:y 20-30'],
  },
  {
    name: 'a producer that starts after the consumer (another host’s clock) is not its cause; the earlier trace is, by a gap',
    traces: new Map([
      ['X', [cspan('X', 'x', 0, 100)]],
      ['Y', [cspan('Y', 'y', 200, 300)]],
      ['Z', [cspan('Z', 'z', 250, 260)]],
    ]),
    joins: [link(['Z', 'z'], ['Y', 'y'], 'message')],
    expected: ['X:x 0-100', 'gap 100-200', 'Y:y 200-300'],
  },
  {
    name: 'traces sharing only the business key: the one running when the next starts continues the path',
    traces: new Map([
      ['X', [cspan('X', 'x', 0, 100), cspan('X', 'x1', 60, 90, { parent: 'x' })]],
      ['Y', [cspan('Y', 'y', 70, 300)]],
    ]),
    joins: [],
    expected: ['X:x 0-60', 'X:x1 60-70', 'Y:y 70-300'],
  },
  {
    name: 'an orphan subtree (lost parent) is a tree of its own and still on the path',
    traces: new Map([['T', [cspan('T', 'r', 0, 50), cspan('T', 'orphan', 60, 90, { parent: 'lost' }), cspan('T', 'o1', 65, 80, { parent: 'orphan' })]]]),
    joins: [],
    expected: ['T:r 0-50', 'gap 50-60', 'T:orphan 60-65', 'T:o1 65-80', 'T:orphan 80-90'],
  },
  { name: 'empty', traces: new Map(), joins: [], expected: [] },
  {
    name: 'a redelivered message: the wait after the crashed first delivery is a queue (redelivery) wait, the intended delay ends at the first delivery',
    ...redeliveredOrder(),
    expectedWaits: ['order-jobs'],
    expected: [
      'A:a 0-10000',
      'A:a-pay 10000-80000',
      'A:a 80000-90000',
      'A:a-pub 90000-100000',
      'queue 100000-103000',
      'B:b 103000-105000',
      'B:b-inv 105000-150000',
      'B:b 150000-160000',
      'B:b-pub 160000-161000',
      'intended 161000-2161000',
      'D:d 2161000-2200000',
      'queue 2200000-3700000',
      'C:c 3700000-3704000',
      'C:c-bill 3704000-3839000',
      'C:c-note 3839000-3939000',
    ],
  },
];

describe('chainCriticalPath', () => {
  const run = (c: Case) => {
    const index = new Map([...c.traces.values()].flat().map((s) => [`${s.traceId}/${s.spanId}`, s]));
    const spanOf = (t: string, s: string) => index.get(`${t}/${s}`);
    const joins = orientJoins(c.joins, spanOf);
    return chainCriticalPath(c.traces, joins, (j) => classifyJoinWait(c.expectedWaits ?? [], spanOf(j.fromTraceId, j.fromSpanId), spanOf(j.toTraceId, j.toSpanId)));
  };

  it.each(cases)('$name', (c) => {
    expect(show(run(c))).toEqual(c.expected);
  });

  it.each(cases.filter((c) => c.traces.size > 0))('$name: first start to last end, contiguous, each wait once, working + waiting = end-to-end', (c) => {
    const path = run(c);
    const all = [...c.traces.values()].flat();
    const first = Math.min(...all.map((s) => s.startUs));
    const last = Math.max(...all.map(endUs));
    expect(path[0].startUs).toBe(first);
    expect(path[path.length - 1].endUs).toBe(last);
    for (let i = 1; i < path.length; i++) expect(path[i].startUs).toBe(path[i - 1].endUs);
    const waits = path.flatMap((s) => ('wait' in s ? [`${s.fromTraceId}/${s.fromSpanId}>${s.toTraceId}/${s.toSpanId}`] : []));
    expect(new Set(waits).size).toBe(waits.length);
    const t = chainTiming(path);
    expect(t.workingUs + t.waitingUs).toBe(last - first);
    expect(t.queueWaitUs + t.intendedWaitUs + t.gapUs).toBe(t.waitingUs);
  });

  it('crosses a hop whose producer starts at the very end of its parent (clock granularity)', () => {
    const traces = new Map([
      ['P', [cspan('P', 'p', 0, 100), cspan('P', 'send', 100, 101, { parent: 'p', kind: 'producer' })]],
      ['Q', [cspan('Q', 'q', 500, 600, { kind: 'consumer' })]],
    ]);
    expect(show(chainCriticalPath(traces, [{ fromTraceId: 'P', fromSpanId: 'send', toTraceId: 'Q', toSpanId: 'q' }]))).toEqual([
      'P:p 0-100',
      'P:send 100-101',
      'queue 101-500',
      'Q:q 500-600',
    ]);
  });

  function longChain(traceCount: number) {
    const traces = new Map<string, Span[]>();
    const joins = [];
    for (let t = 0; t < traceCount; t++) {
      const base = t * 10_000;
      const spans = [cspan(`T${t}`, 'root', base, base + 5_000)];
      for (let i = 0; i < 99; i++) spans.push(cspan(`T${t}`, `s${i}`, base + i * 50, base + i * 50 + 40, { parent: 'root' }));
      traces.set(`T${t}`, spans);
      if (t > 0) joins.push({ fromTraceId: `T${t - 1}`, fromSpanId: 's98', toTraceId: `T${t}`, toSpanId: 'root' });
    }
    return { traces, joins };
  }

  it('walks a long chain whole: 300 traces of 100 spans', () => {
    const { traces, joins } = longChain(300);
    const path = chainCriticalPath(traces, joins);
    expect(path.filter((s) => 'wait' in s)).toHaveLength(299);
    expect(chainTiming(path).durationUs).toBe(299 * 10_000 + 5_000);
  });

  // Growth, not speed (speed is the benches' job, and a timed test fails on a busy
  // machine): count the reads of span start times, which every step of the walk
  // makes. Four times the traces may cost about four times the reads, not sixteen.
  it('grows linearly with the chain: 240 traces read span starts about 4x as often as 60 traces', () => {
    const startReads = (traceCount: number) => {
      const { traces, joins } = longChain(traceCount);
      let reads = 0;
      for (const spans of traces.values()) {
        for (const span of spans) {
          const startUs = span.startUs;
          Object.defineProperty(span, 'startUs', { enumerable: true, get: () => (reads++, startUs) });
        }
      }
      const path = chainCriticalPath(traces, joins);
      expect(path.filter((s) => 'wait' in s)).toHaveLength(traceCount - 1);
      return reads;
    };
    const small = startReads(60);
    const large = startReads(240);
    expect(small).toBeGreaterThan(60 * 100);
    expect(large / small).toBeLessThan(5);
  });
});

describe('classifyJoinWait', () => {
  const producer = withAttrs(cspan('A', 'p', 0, 1, { name: 'publish order-jobs', kind: 'producer' }), { 'messaging.destination.name': 'order-jobs' });
  const consumer = cspan('B', 'c', 5, 6, { name: 'process order-jobs', kind: 'consumer' });
  it.each([
    ['no expected waits: a queue wait', [], { kind: 'queue', destination: 'order-jobs' }],
    ['by destination', ['order-jobs'], { kind: 'intended', destination: 'order-jobs' }],
    ['by the producer’s span name', ['publish order-jobs'], { kind: 'intended', destination: 'order-jobs' }],
    ['by the consumer’s span name', ['process order-jobs'], { kind: 'intended', destination: 'order-jobs' }],
    ['other names do not match (exact, case-sensitive)', ['Order-Jobs', 'order', 'order-events'], { kind: 'queue', destination: 'order-jobs' }],
  ] as const)('%s', (_name, expected, want) => {
    expect(classifyJoinWait(expected, producer, consumer)).toEqual(want);
  });
  it('a span link without messaging attributes is a queue wait with no destination', () => {
    expect(classifyJoinWait(['x'], cspan('A', 'a', 0, 1), cspan('B', 'b', 2, 3))).toEqual({ kind: 'queue' });
  });
});

describe('chainBottleneck', () => {
  const { traces, joins } = demoOrder();
  const inputs = [...traces].map(([traceId, spans]) => ({ traceId, spans }));

  it('an intended wait is never the bottleneck, however long', () => {
    const chain = assembleChain(inputs, joins, { expectedWaits: ['order-jobs'] });
    expect(chain.intendedWaitUs).toBe(2_000_000);
    expect(chain.bottleneck).toEqual({ kind: 'span', service: 'billing', operation: 'POST /billing/settlements', selfUs: 135_000 });
  });

  it('a wait that is not intended is the bottleneck when it owns the most time', () => {
    const chain = assembleChain(inputs, joins);
    expect(chain.bottleneck).toEqual({
      kind: 'wait',
      waitKind: 'queue',
      destination: 'order-jobs',
      service: 'scheduler',
      operation: 'process order-jobs',
      selfUs: 2_000_000,
    });
  });

  it('sums an operation’s own time over traces and names it', () => {
    const t = new Map([
      ['X', [cspan('X', 'x', 0, 10, { service: 's', name: 'op' })]],
      ['Y', [cspan('Y', 'y', 12, 17, { service: 's', name: 'op' })]],
      ['Z', [cspan('Z', 'z', 18, 30, { service: 't', name: 'other' })]],
    ]);
    const j = [
      { fromTraceId: 'X', fromSpanId: 'x', toTraceId: 'Y', toSpanId: 'y' },
      { fromTraceId: 'Y', fromSpanId: 'y', toTraceId: 'Z', toSpanId: 'z' },
    ];
    const index = new Map([...t.values()].flat().map((s) => [s.spanId, s]));
    expect(chainBottleneck(chainCriticalPath(t, j), (_t, s) => index.get(s))).toEqual({ kind: 'span', service: 's', operation: 'op', selfUs: 15 });
    expect(chainBottleneck([], () => undefined)).toBeNull();
  });

  it('an unexplained gap can be the bottleneck, named by the span after it', () => {
    const t = new Map([
      ['X', [cspan('X', 'x', 0, 10, { service: 's', name: 'a' })]],
      ['Y', [cspan('Y', 'y', 1000, 1010, { service: 't', name: 'b' })]],
    ]);
    const index = new Map([...t.values()].flat().map((s) => [s.spanId, s]));
    expect(chainBottleneck(chainCriticalPath(t, []), (_t, s) => index.get(s))).toEqual({ kind: 'wait', waitKind: 'gap', service: 't', operation: 'b', selfUs: 990 });
  });

  it('a trace known only by its summary stands as one step, named from the summary (estimated)', () => {
    const [a, b, c] = inputs;
    const chain = assembleChain([a, b, { traceId: 'C', spans: [], summary: summaryOf('C', c.spans as Span[]) }], joins, { expectedWaits: ['order-jobs'] });
    expect(chain.bottleneck).toEqual({ kind: 'span', service: 'scheduler', operation: 'process order-jobs', selfUs: 239_000, estimated: true });
    expect(chain.workingUs + chain.waitingUs).toBe(chain.durationUs);
    expect(chain.intendedWaitUs).toBe(2_000_000);
  });
});

describe('assembleChain timing and waits', () => {
  const { traces, joins } = demoOrder();
  const chain = assembleChain([...traces].map(([traceId, spans]) => ({ traceId, spans })), joins, { expectedWaits: ['order-jobs'] });

  it('splits end-to-end into working and waiting by kind', () => {
    expect(chain.durationUs).toBe(2_400_000);
    expect({ working: chain.workingUs, waiting: chain.waitingUs, queue: chain.queueWaitUs, intended: chain.intendedWaitUs, gap: chain.gapUs }).toEqual({
      working: 397_000,
      waiting: 2_003_000,
      queue: 3_000,
      intended: 2_000_000,
      gap: 0,
    });
  });

  it('lists each wait once, classified, marked when on the critical path', () => {
    expect(chain.waits).toEqual([
      { kind: 'queue', fromTraceId: 'A', fromSpanId: 'a-pub', toTraceId: 'B', toSpanId: 'b', startUs: 100_000, endUs: 103_000, destination: 'order-events', onCriticalPath: true },
      { kind: 'intended', fromTraceId: 'B', fromSpanId: 'b-pub', toTraceId: 'C', toSpanId: 'c', startUs: 161_000, endUs: 2_161_000, destination: 'order-jobs', onCriticalPath: true },
    ]);
  });

  it('counts error spans', () => {
    const failing = new Map(traces);
    failing.set('C', [...traces.get('C')!, cspan('C', 'c-err', 2301_000, 2302_000, { parent: 'c-note', error: 'smtp down' })]);
    const got = assembleChain([...failing].map(([traceId, spans]) => ({ traceId, spans })), joins);
    expect(got.errorCount).toBe(1);
    expect(got.errors.map((e) => e.spanId)).toEqual(['c-err']);
  });
});
