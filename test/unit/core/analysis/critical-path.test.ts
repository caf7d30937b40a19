import { computeCriticalPath, segmentsBySpan } from '../../../../core/analysis/critical-path';
import type { Span } from '../../../../core/model';
import { span } from './fixtures';

/** [spanId, startUs, endUs] in time order. */
type Expected = Array<[string, number, number]>;

/** A whole-millisecond epoch time in µs, as millisecond-stamping SDKs write starts. */
const T0 = 1_796_000_000_000_000;

function fromT0(relative: Expected): Expected {
  return relative.map(([id, start, end]) => [id, T0 + start, T0 + end]);
}

interface Case {
  name: string;
  picture: string;
  spans: Span[];
  expected: Expected;
}

const cases: Case[] = [
  {
    name: 'single span',
    picture: 'A |==========|',
    spans: [span('A', 0, 100)],
    expected: [['A', 0, 100]],
  },
  {
    name: 'sequential children with gaps: the parent owns the gaps',
    picture: `
      R |----------------------------|
      A    |---|
      B                |-------|`,
    spans: [span('R', 0, 100), span('A', 10, 30, { parent: 'R' }), span('B', 40, 90, { parent: 'R' })],
    expected: [
      ['R', 0, 10],
      ['A', 10, 30],
      ['R', 30, 40],
      ['B', 40, 90],
      ['R', 90, 100],
    ],
  },
  {
    name: 'back-to-back children (A ends when B starts) are both on the path',
    picture: `
      R |--------------------|
      A    |-----|
      B          |--------|`,
    spans: [span('R', 0, 100), span('A', 10, 40, { parent: 'R' }), span('B', 40, 90, { parent: 'R' })],
    expected: [
      ['R', 0, 10],
      ['A', 10, 40],
      ['B', 40, 90],
      ['R', 90, 100],
    ],
  },
  {
    name: 'parallel overlapping children: only the last finishing one counts, earlier overlapping ones do not',
    picture: `
      R |----------------------------|
      A    |--------------------|
      B      |----------|
      C         |--------------------|   (ends last)`,
    spans: [
      span('R', 0, 100),
      span('A', 10, 80, { parent: 'R' }),
      span('B', 20, 60, { parent: 'R' }),
      span('C', 30, 90, { parent: 'R' }),
    ],
    expected: [
      ['R', 0, 30],
      ['C', 30, 90],
      ['R', 90, 100],
    ],
  },
  {
    name: 'fan-out then a sequential call after the slowest parallel one',
    picture: `
      R |------------------------------|
      A   |-----|
      B   |-----------|
      C                  |-------|`,
    spans: [
      span('R', 0, 100),
      span('A', 5, 30, { parent: 'R' }),
      span('B', 5, 50, { parent: 'R' }),
      span('C', 55, 90, { parent: 'R' }),
    ],
    expected: [
      ['R', 0, 5],
      ['B', 5, 50],
      ['R', 50, 55],
      ['C', 55, 90],
      ['R', 90, 100],
    ],
  },
  {
    name: 'equal ends: the earlier starting child wins',
    picture: `
      R |--------------------|
      A   |----------|
      B      |-------|`,
    spans: [span('R', 0, 100), span('B', 20, 60, { parent: 'R' }), span('A', 10, 60, { parent: 'R' })],
    expected: [
      ['R', 0, 10],
      ['A', 10, 60],
      ['R', 60, 100],
    ],
  },
  {
    name: 'async child ending after its parent is trimmed to the parent end',
    picture: `
      R |--------------------|
      A   |------|
      B            |---------------|   (FOLLOWS_FROM-like)`,
    spans: [span('R', 0, 100), span('A', 10, 50, { parent: 'R' }), span('B', 60, 150, { parent: 'R' })],
    expected: [
      ['R', 0, 10],
      ['A', 10, 50],
      ['R', 50, 60],
      ['B', 60, 100],
    ],
  },
  {
    name: 'child starting before its parent is clipped to the parent start',
    picture: `
      R    |-----------------|
      A |--------|`,
    spans: [span('R', 10, 100), span('A', 0, 40, { parent: 'R' })],
    expected: [
      ['A', 10, 40],
      ['R', 40, 100],
    ],
  },
  {
    name: 'child wholly outside its parent is dropped with its subtree',
    picture: `
      R |----------|
      A                |------|
      A1                 |--|`,
    spans: [span('R', 0, 100), span('A', 120, 150, { parent: 'R' }), span('A1', 125, 140, { parent: 'A' })],
    expected: [['R', 0, 100]],
  },
  {
    name: 'nested: the walk descends, comes back up and picks the previous child',
    picture: `
      R   |------------------------------------|
      A     |--------------------------------|
      A1       |------|
      A2                 |----------|
      A2a                  |-----------|   (overflows A2, trimmed)`,
    spans: [
      span('R', 0, 100),
      span('A', 10, 90, { parent: 'R' }),
      span('A1', 20, 40, { parent: 'A' }),
      span('A2', 50, 80, { parent: 'A' }),
      span('A2a', 55, 85, { parent: 'A2' }),
    ],
    expected: [
      ['R', 0, 10],
      ['A', 10, 20],
      ['A1', 20, 40],
      ['A', 40, 50],
      ['A2', 50, 55],
      ['A2a', 55, 80],
      ['A', 80, 90],
      ['R', 90, 100],
    ],
  },
  {
    name: 'a child filling its parent completely leaves the parent no segment',
    picture: `
      R |----------|
      A |----------|`,
    spans: [span('R', 0, 100), span('A', 0, 100, { parent: 'R' })],
    expected: [['A', 0, 100]],
  },
  {
    name: 'zero-duration child: not on the path, and the parent segments around it merge',
    picture: `
      R |----------|
      A      |`,
    spans: [span('R', 0, 100), span('A', 50, 50, { parent: 'R' })],
    expected: [['R', 0, 100]],
  },
  {
    name: 'orphans: the path is the true root tree, not the orphan subtree that starts earlier',
    picture: `
      O  |----------------------|   (parent not in the trace)
      R      |----------|
      C        |----|`,
    spans: [
      span('O', 0, 200, { parent: 'ffffffffffffffff' }),
      span('R', 10, 100),
      span('C', 20, 50, { parent: 'R' }),
    ],
    expected: [
      ['R', 10, 20],
      ['C', 20, 50],
      ['R', 50, 100],
    ],
  },
  {
    name: 'only orphans: the earliest one stands for the trace',
    picture: `
      O1     |------|
      O2  |-------------|
      O2a   |--|`,
    spans: [
      span('O1', 50, 80, { parent: 'aaaaaaaaaaaaaaaa' }),
      span('O2', 0, 100, { parent: 'bbbbbbbbbbbbbbbb' }),
      span('O2a', 10, 30, { parent: 'O2' }),
    ],
    expected: [
      ['O2', 0, 10],
      ['O2a', 10, 30],
      ['O2', 30, 100],
    ],
  },
  // ---- Millisecond-stamped clocks (OTel JS, many Java and proxy tracers): starts are whole ms,
  // ---- durations exact, so sequential calls seem to overlap by up to 1 ms. Times relative to T0.
  {
    name: 'ms stamps: a call that seems to run 0.6 ms into the next one was sequential; both are on the path',
    picture: `
      R |------------------------------|
      A    |--------|
      B           |-----------|         (starts 0.6 ms before A's stamped end)`,
    spans: [span('R', T0, T0 + 10_000), span('A', T0 + 1_000, T0 + 4_600, { parent: 'R' }), span('B', T0 + 4_000, T0 + 9_300, { parent: 'R' })],
    expected: fromT0([
      ['R', 0, 1_000],
      ['A', 1_000, 4_000],
      ['B', 4_000, 9_300],
      ['R', 9_300, 10_000],
    ]),
  },
  {
    name: 'exact (µs) stamps: the same 0.6 ms overlap is real, the calls ran in parallel',
    picture: `
      R |------------------------------|
      A    |--------|
      B           |-----------|`,
    spans: [span('R', 0, 10_000), span('A', 1_001, 4_600, { parent: 'R' }), span('B', 4_001, 9_300, { parent: 'R' })],
    expected: [
      ['R', 0, 4_001],
      ['B', 4_001, 9_300],
      ['R', 9_300, 10_000],
    ],
  },
  {
    name: 'ms stamps: an overlap beyond 1 ms (and beyond 2 % of the shorter call) is parallel',
    picture: `
      R |------------------------------|
      A    |--------------|
      B               |-----------|     (1.5 ms overlap)`,
    spans: [span('R', T0, T0 + 10_000), span('A', T0 + 1_000, T0 + 6_500, { parent: 'R' }), span('B', T0 + 5_000, T0 + 9_000, { parent: 'R' })],
    expected: fromT0([
      ['R', 0, 5_000],
      ['B', 5_000, 9_000],
      ['R', 9_000, 10_000],
    ]),
  },
  {
    name: 'coarse clock: long calls overlapping by under 2 % of the shorter one are sequential',
    picture: `
      R |------------------------------|
      A  |--------------|
      B               |--------------|  (8 ms into A's 490 ms)`,
    spans: [span('R', 0, 1_000_000), span('A', 10_001, 500_001, { parent: 'R' }), span('B', 492_001, 990_001, { parent: 'R' })],
    expected: [
      ['R', 0, 10_001],
      ['A', 10_001, 492_001],
      ['B', 492_001, 990_001],
      ['R', 990_001, 1_000_000],
    ],
  },
  {
    name: 'ms stamps: three calls in a row, each seeming to overlap the next',
    picture: `
      R |------------------------------|
      A    |-----|
      B         |---------|
      C                  |--------|`,
    spans: [
      span('R', T0, T0 + 10_000),
      span('A', T0 + 1_000, T0 + 3_400, { parent: 'R' }),
      span('B', T0 + 3_000, T0 + 6_800, { parent: 'R' }),
      span('C', T0 + 6_000, T0 + 9_000, { parent: 'R' }),
    ],
    expected: fromT0([
      ['R', 0, 1_000],
      ['A', 1_000, 3_000],
      ['B', 3_000, 6_000],
      ['C', 6_000, 9_000],
      ['R', 9_000, 10_000],
    ]),
  },
  {
    name: 'ms stamps: callees sticking out of their callers by under 1 ms are clipped, not dropped; a trimmed call clips its callee',
    picture: `
      R   |--------------------------------------|
      A     |-------------|
      AS    |--------------|        (ends 0.2 ms after A)
      B                 |--------------------|
      BS               |------------------|   (starts 1 ms before B)`,
    spans: [
      span('R', T0, T0 + 20_000, { kind: 'server' }),
      span('A', T0 + 1_000, T0 + 8_700, { parent: 'R', kind: 'client' }),
      span('AS', T0 + 1_000, T0 + 8_900, { parent: 'A', service: 'other', kind: 'server' }),
      span('B', T0 + 8_000, T0 + 19_500, { parent: 'R', kind: 'client' }),
      span('BS', T0 + 7_000, T0 + 19_000, { parent: 'B', service: 'other', kind: 'server' }),
    ],
    expected: fromT0([
      ['R', 0, 1_000],
      ['AS', 1_000, 8_000],
      ['BS', 8_000, 19_000],
      ['B', 19_000, 19_500],
      ['R', 19_500, 20_000],
    ]),
  },
  {
    name: 'ms stamps: a short call made in the last millisecond of a longer one and ending before it ran beside it',
    picture: `
      R |------------------------------|
      A    |----------------------|
      X                       |-|`,
    spans: [span('R', T0, T0 + 10_000), span('A', T0 + 1_000, T0 + 9_000, { parent: 'R' }), span('X', T0 + 8_000, T0 + 8_500, { parent: 'R' })],
    expected: fromT0([
      ['R', 0, 1_000],
      ['A', 1_000, 9_000],
      ['R', 9_000, 10_000],
    ]),
  },
  {
    name: 'ms stamps: two calls sharing a start stamp cannot be ordered, the one ending last takes the time',
    picture: `
      R |------------------------------|
      A    ||
      B    |-----------|`,
    spans: [span('R', T0, T0 + 10_000), span('A', T0 + 1_000, T0 + 1_300, { parent: 'R' }), span('B', T0 + 1_000, T0 + 5_000, { parent: 'R' })],
    expected: fromT0([
      ['R', 0, 1_000],
      ['B', 1_000, 5_000],
      ['R', 5_000, 10_000],
    ]),
  },
];

describe('computeCriticalPath', () => {
  it.each(cases)('$name', ({ spans, expected }) => {
    const cp = computeCriticalPath(spans);
    expect(cp.segments.map((s) => [s.spanId, s.startUs, s.endUs])).toEqual(expected);
    expect(cp.spanIds).toEqual(new Set(expected.map(([id]) => id)));
  });

  it.each(cases)('$name: segments tile the root span without gaps or overlaps', ({ spans }) => {
    const cp = computeCriticalPath(spans);
    const root = spans.find((s) => s.spanId === cp.rootSpanId)!;
    let at = root.startUs;
    for (const s of cp.segments) {
      expect(s.startUs).toBe(at);
      expect(s.endUs).toBeGreaterThan(s.startUs);
      at = s.endUs;
    }
    expect(at).toBe(root.startUs + root.durationUs);
  });

  it('computes one path per root tree and names the trace root', () => {
    const cp = computeCriticalPath(cases.find((c) => c.name.startsWith('orphans'))!.spans);
    expect(cp.rootSpanId).toBe('R');
    expect(cp.trees.map((t) => t.rootSpanId)).toEqual(['O', 'R']);
    expect(cp.trees[0].segments).toEqual([{ spanId: 'O', startUs: 0, endUs: 200 }]);
  });

  it('does not mutate its input and ignores duplicates and parent cycles', () => {
    const spans = [
      span('R', 0, 100),
      span('A', 10, 40, { parent: 'R' }),
      span('A', 10, 90, { parent: 'R' }), // replayed copy: first one wins
      span('X', 0, 500, { parent: 'Y' }),
      span('Y', 0, 500, { parent: 'X' }),
    ];
    const before = JSON.stringify(spans);
    const cp = computeCriticalPath(spans);
    expect(JSON.stringify(spans)).toBe(before);
    expect(cp.segments.map((s) => [s.spanId, s.startUs, s.endUs])).toEqual([
      ['R', 0, 10],
      ['A', 10, 40],
      ['R', 40, 100],
    ]);
  });

  it('an empty trace has no path', () => {
    expect(computeCriticalPath([])).toEqual({ rootSpanId: null, segments: [], spanIds: new Set(), trees: [] });
  });

  it('handles a 10,000-deep chain and a 10,000-wide fan-out without recursion', () => {
    const chain: Span[] = [];
    for (let i = 0; i < 10_000; i++) chain.push(span(`c${i}`, i, 20_000 - i, { parent: i ? `c${i - 1}` : '' }));
    const deep = computeCriticalPath(chain);
    expect(deep.segments).toHaveLength(2 * 10_000 - 1);
    expect(deep.segments[9_999]).toEqual({ spanId: 'c9999', startUs: 9_999, endUs: 10_001 });

    const wide: Span[] = [span('R', 0, 30_000)];
    for (let i = 0; i < 10_000; i++) wide.push(span(`w${i}`, i * 3 + 1, i * 3 + 2, { parent: 'R' }));
    const started = Date.now();
    const fan = computeCriticalPath(wide);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fan.spanIds.size).toBe(10_001);
    expect(fan.segments).toHaveLength(20_001);
  });

  it('100,000 ms-stamped sequential calls, each seeming to overlap the next, are all on the path (iterative, O(n log n))', () => {
    const spans: Span[] = [span('R', T0, T0 + 100_000 * 3_000 + 2_000)];
    for (let i = 0; i < 100_000; i++) spans.push(span(`s${i}`, T0 + i * 3_000 + 1_000, T0 + i * 3_000 + 4_600, { parent: 'R' }));
    const started = Date.now();
    const cp = computeCriticalPath(spans);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cp.spanIds.size).toBe(100_001);
    expect(cp.segments[1]).toEqual({ spanId: 's0', startUs: T0 + 1_000, endUs: T0 + 4_000 });
    expect(cp.segments).toHaveLength(100_002);
  });

  it('a 100,000-deep ms-stamped chain of callees sticking out of their callers does not recurse', () => {
    const chain: Span[] = [];
    for (let i = 0; i < 100_000; i++) chain.push(span(`c${i}`, T0 + i * 1_000, T0 + 200_000_000 - i * 1_000 + 500, { parent: i ? `c${i - 1}` : '' }));
    const cp = computeCriticalPath(chain);
    expect(cp.spanIds.size).toBe(100_000);
  });

  it('stays fast when thousands of siblings start within the last millisecond of thousands of others', () => {
    const spans: Span[] = [span('R', T0, T0 + 100_000)];
    for (let i = 0; i < 20_000; i++) spans.push(span(`f${i}`, T0 + 1_000, T0 + 50_000 + (i % 997), { parent: 'R' }));
    // Each f's last millisecond holds 20,000 short siblings that end before it: none of them follows it.
    for (let i = 0; i < 20_000; i++) spans.push(span(`x${i}`, T0 + 49_500 + (i % 400), T0 + 49_950, { parent: 'R' }));
    for (let i = 0; i < 20_000; i++) spans.push(span(`g${i}`, T0 + 50_000, T0 + 60_000 + (i % 991), { parent: 'R' }));
    const started = Date.now();
    const cp = computeCriticalPath(spans);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cp.segments[0]).toEqual({ spanId: 'R', startUs: T0, endUs: T0 + 1_000 });
  });

  it('segmentsBySpan groups a span’s segments in time order', () => {
    const cp = computeCriticalPath(cases[1].spans);
    expect(segmentsBySpan(cp.segments).get('R')).toEqual([
      { startUs: 0, endUs: 10 },
      { startUs: 30, endUs: 40 },
      { startUs: 90, endUs: 100 },
    ]);
  });
});
