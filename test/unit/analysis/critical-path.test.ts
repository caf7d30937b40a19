import { computeCriticalPath, segmentsBySpan } from '../../../core/analysis/critical-path';
import type { Span } from '../../../core/model';
import { span } from './fixtures';

/** [spanId, startUs, endUs] in time order. */
type Expected = Array<[string, number, number]>;

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

  it('segmentsBySpan groups a span’s segments in time order', () => {
    const cp = computeCriticalPath(cases[1].spans);
    expect(segmentsBySpan(cp.segments).get('R')).toEqual([
      { startUs: 0, endUs: 10 },
      { startUs: 30, endUs: 40 },
      { startUs: 90, endUs: 100 },
    ]);
  });
});
