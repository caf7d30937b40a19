import { walkChain } from '../../../../core/analysis/chain-walk';
import type { TraceLinkEntry } from '../../../../core/model';
import { link } from './chain-fixtures';

/** A store's linkedTraces over a fixed set of joins, recording each call. */
function fakeLinked(joins: TraceLinkEntry[]) {
  const calls: string[][] = [];
  const fn = async (ids: string[]) => {
    calls.push([...ids]);
    return joins.filter((j) => ids.includes(j.fromTraceId) || ids.includes(j.toTraceId));
  };
  return { fn, calls };
}

// A -message-> B <-link- C (C holds a link to B), D -message-> C, E unrelated
const JOINS = [
  link(['A', 'a1'], ['B', 'b1'], 'message'),
  link(['C', 'c1'], ['B', 'b2'], 'link'),
  link(['D', 'd1'], ['C', 'c2'], 'message'),
  link(['E', 'e1'], ['F', 'f1'], 'link'),
];

interface Case {
  name: string;
  seeds: string[];
  joins: TraceLinkEntry[];
  maxTraces: number;
  batchSize?: number;
  traces: string[];
  joinCount: number;
  truncated: boolean;
}

const cases: Case[] = [
  { name: 'downstream from the first trace, over both kinds', seeds: ['A'], joins: JOINS, maxTraces: 200, traces: ['A', 'B', 'C', 'D'], joinCount: 3, truncated: false },
  { name: 'upstream from the last trace (links followed backwards)', seeds: ['D'], joins: JOINS, maxTraces: 200, traces: ['D', 'C', 'B', 'A'], joinCount: 3, truncated: false },
  { name: 'from the middle, both directions', seeds: ['B'], joins: JOINS, maxTraces: 200, traces: ['B', 'A', 'C', 'D'], joinCount: 3, truncated: false },
  { name: 'seeds are visited once and kept first', seeds: ['C', 'C', 'A'], joins: JOINS, maxTraces: 200, traces: ['C', 'A', 'B', 'D'], joinCount: 3, truncated: false },
  { name: 'bounded: stops at maxTraces and says so', seeds: ['A'], joins: JOINS, maxTraces: 2, traces: ['A', 'B'], joinCount: 1, truncated: true },
  { name: 'bounded by the seeds themselves', seeds: ['A', 'C', 'E'], joins: JOINS, maxTraces: 2, traces: ['A', 'C'], joinCount: 0, truncated: true },
  {
    name: 'cycles end the walk',
    seeds: ['A'],
    joins: [link(['A', 'x'], ['B', 'y'], 'message'), link(['B', 'y'], ['A', 'z'], 'link'), link(['B', 'q'], ['A', 'x'], 'message')],
    maxTraces: 200,
    traces: ['A', 'B'],
    joinCount: 3,
    truncated: false,
  },
  { name: 'a lone trace', seeds: ['Z'], joins: JOINS, maxTraces: 200, traces: ['Z'], joinCount: 0, truncated: false },
  { name: 'no seeds', seeds: [], joins: JOINS, maxTraces: 200, traces: [], joinCount: 0, truncated: false },
];

describe('walkChain', () => {
  it.each(cases)('$name', async (c) => {
    const { fn } = fakeLinked(c.joins);
    const walk = await walkChain(c.seeds, fn, { maxTraces: c.maxTraces, batchSize: c.batchSize });
    expect(walk.traceIds).toEqual(c.traces);
    expect(walk.joins).toHaveLength(c.joinCount);
    expect(walk.truncated).toBe(c.truncated);
    for (const j of walk.joins) {
      expect(walk.traceIds).toContain(j.fromTraceId);
      expect(walk.traceIds).toContain(j.toTraceId);
    }
  });

  it('asks the store in batches of at most batchSize ids, one round per hop', async () => {
    const chain = Array.from({ length: 7 }, (_, i) => link([`T${i}`, 's'], [`T${i + 1}`, 's'], 'message'));
    const { fn, calls } = fakeLinked(chain);
    const walk = await walkChain(['T0', 'T4'], fn, { maxTraces: 100, batchSize: 1 });
    expect(walk.traceIds).toHaveLength(8);
    expect(Math.max(...calls.map((c) => c.length))).toBe(1);
    // every trace is asked about exactly once
    expect(calls.flat().sort()).toEqual([...walk.traceIds].sort());
  });
});
