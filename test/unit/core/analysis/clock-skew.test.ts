import { adjustClockSkew } from '../../../../core/analysis/clock-skew';
import type { Span } from '../../../../core/model';
import { span } from './fixtures';

/** A whole-millisecond epoch time in µs, as millisecond-stamping SDKs write starts. */
const T0 = 1_796_000_000_000_000;

interface Case {
  name: string;
  spans: Span[];
  /** spanId → expected delta; spans not listed must stay unchanged. */
  deltas: Record<string, number>;
}

const cases: Case[] = [
  {
    name: 'server inside its client parent: nothing to do',
    spans: [span('C', 0, 100, { service: 'a', kind: 'client' }), span('S', 10, 90, { parent: 'C', service: 'b', kind: 'server' })],
    deltas: {},
  },
  {
    name: 'server starting before its client (other service): centred in the client, local subtree and events move along',
    spans: [
      span('C', 1000, 1100, { service: 'a', kind: 'client' }),
      span('S', 950, 1030, { parent: 'C', service: 'b', kind: 'server', eventsAt: [5] }),
      span('S1', 960, 970, { parent: 'S', service: 'b' }),
    ],
    // latency split evenly: (100 - 80) / 2 = 10 → S starts at 1010.
    deltas: { S: 60, S1: 60 },
  },
  {
    name: 'server ending after its client: shifted back to the middle',
    spans: [span('C', 0, 100, { service: 'a', kind: 'client' }), span('S', 50, 130, { parent: 'C', service: 'b', kind: 'server' })],
    deltas: { S: -40 },
  },
  {
    name: 'odd latency rounds down to whole microseconds',
    spans: [span('C', 0, 101, { service: 'a', kind: 'client' }), span('S', 200, 280, { parent: 'C', service: 'b', kind: 'server' })],
    deltas: { S: -190 },
  },
  {
    name: 'child longer than its parent starting before it: starts aligned',
    spans: [span('C', 100, 150, { service: 'a', kind: 'client' }), span('S', 50, 250, { parent: 'C', service: 'b', kind: 'server' })],
    deltas: { S: 50 },
  },
  {
    name: 'child longer than its parent starting after the parent ended: starts aligned',
    spans: [span('C', 100, 150, { service: 'a', kind: 'client' }), span('S', 400, 600, { parent: 'C', service: 'b', kind: 'server' })],
    deltas: { S: -300 },
  },
  {
    name: 'child longer than its parent starting inside it: cannot tell, left alone',
    spans: [span('C', 100, 150, { service: 'a', kind: 'client' }), span('S', 120, 320, { parent: 'C', service: 'b', kind: 'server' })],
    deltas: {},
  },
  {
    name: 'same service, no host evidence: same clock, genuine async work left alone',
    spans: [span('C', 100, 150, { service: 'a', kind: 'client' }), span('S', 90, 400, { parent: 'C', service: 'a', kind: 'server' })],
    deltas: {},
  },
  {
    name: 'same service on two hosts: corrected',
    spans: [
      span('C', 100, 200, { service: 'a', kind: 'client', resource: { 'host.name': 'h1' } }),
      span('S', 0, 60, { parent: 'C', service: 'a', kind: 'server', resource: { 'host.name': 'h2' } }),
    ],
    deltas: { S: 120 },
  },
  {
    name: 'same service, same host: left alone',
    spans: [
      span('C', 100, 200, { service: 'a', kind: 'client', resource: { 'host.name': 'h1' } }),
      span('S', 0, 60, { parent: 'C', service: 'a', kind: 'server', resource: { 'host.name': 'h1' } }),
    ],
    deltas: {},
  },
  {
    name: 'internal parent with a server child on another service (uninstrumented client): corrected',
    spans: [span('P', 100, 200, { service: 'a', kind: 'internal' }), span('S', 0, 60, { parent: 'P', service: 'b', kind: 'server' })],
    deltas: { S: 120 },
  },
  {
    name: 'producer → consumer on another service running after the producer: asynchronous, left alone',
    spans: [
      span('P', 100, 110, { service: 'a', kind: 'producer' }),
      span('Q', 500, 900, { parent: 'P', service: 'b', kind: 'consumer' }),
      span('Q1', 600, 700, { parent: 'Q', service: 'b', kind: 'internal' }),
    ],
    deltas: {},
  },
  {
    name: 'three hops: the middle hop is corrected; the next hop is fitted into the corrected parent, not moved with it',
    spans: [
      span('AC', 0, 100, { service: 'a', kind: 'client' }),
      span('BS', -500, -420, { parent: 'AC', service: 'b', kind: 'server' }), // → 10..90
      span('BC', -490, -430, { parent: 'BS', service: 'b', kind: 'client' }), // inherits → 20..80
      span('CS', 25, 75, { parent: 'BC', service: 'c', kind: 'server' }), // fits 20..80 already
      span('DS', -480, -440, { parent: 'BC', service: 'd', kind: 'server' }), // skewed like b → 30..70
    ],
    deltas: { BS: 510, BC: 510, DS: 510 },
  },
  {
    name: 'different services on one host (host.name): never adjusted, even far outside the parent',
    spans: [
      span('C', T0, T0 + 100_000, { service: 'gateway', kind: 'client', resource: { 'host.name': 'box' } }),
      span('S', T0 - 30_000, T0 + 60_000, { parent: 'C', service: 'orders', kind: 'server', resource: { 'host.name': 'box' } }),
    ],
    deltas: {},
  },
  {
    name: 'host.id decides before host.name (same id, names differ: one host)',
    spans: [
      span('C', T0, T0 + 100_000, { service: 'a', kind: 'client', resource: { 'host.id': 'i-1', 'host.name': 'a.local' } }),
      span('S', T0 - 30_000, T0 + 60_000, { parent: 'C', service: 'b', kind: 'server', resource: { 'host.id': 'i-1', 'host.name': 'b.local' } }),
    ],
    deltas: {},
  },
  {
    name: 'no host attributes, same service.instance.id: one process, never adjusted',
    spans: [
      span('C', T0, T0 + 100_000, { service: 'a', kind: 'client', resource: { 'service.instance.id': 'p-7' } }),
      span('S', T0 - 30_000, T0 + 60_000, { parent: 'C', service: 'b', kind: 'server', resource: { 'service.instance.id': 'p-7' } }),
    ],
    deltas: {},
  },
  {
    name: 'no host attributes, two instances of one service: two processes, corrected',
    spans: [
      span('C', T0, T0 + 100_000, { service: 'a', kind: 'client', resource: { 'service.instance.id': 'p-1' } }),
      span('S', T0 - 30_000, T0 + 60_000, { parent: 'C', service: 'a', kind: 'server', resource: { 'service.instance.id': 'p-2' } }),
    ],
    // centred: T0 + (100 ms - 90 ms) / 2
    deltas: { S: 35_000 },
  },
  {
    name: 'two hosts, millisecond stamps: a callee starting 1 ms before its caller is rounding, left alone',
    spans: [
      span('C', T0 + 1_000, T0 + 500_400, { service: 'a', kind: 'client', resource: { 'host.name': 'h1' } }),
      span('S', T0, T0 + 499_700, { parent: 'C', service: 'b', kind: 'server', resource: { 'host.name': 'h2' } }),
    ],
    deltas: {},
  },
  {
    name: 'two hosts, millisecond stamps: a callee ending up to 1 ms after its caller is rounding, left alone',
    spans: [
      span('C', T0, T0 + 200_100, { service: 'a', kind: 'client', resource: { 'host.name': 'h1' } }),
      span('S', T0, T0 + 200_900, { parent: 'C', service: 'b', kind: 'server', resource: { 'host.name': 'h2' } }),
      span('S1', T0 + 1_000, T0 + 200_500, { parent: 'S', service: 'b', resource: { 'host.name': 'h2' } }),
    ],
    deltas: {},
  },
  {
    name: 'two hosts, millisecond stamps, a real 50 ms skew: corrected with the callee’s subtree',
    spans: [
      span('C', T0, T0 + 300_600, { service: 'a', kind: 'client', resource: { 'host.name': 'h1' } }),
      // h2's clock runs 50 ms behind: the server really ran T0+0.3 ms .. T0+300.3 ms
      span('S', T0 - 50_000, T0 + 250_000, { parent: 'C', service: 'b', kind: 'server', resource: { 'host.name': 'h2' } }),
      span('S1', T0 - 49_000, T0 + 249_000, { parent: 'S', service: 'b', kind: 'client', resource: { 'host.name': 'h2' } }),
    ],
    // centred: T0 + (300.6 ms - 300 ms) / 2 = T0 + 300 µs
    deltas: { S: 50_300, S1: 50_300 },
  },
  {
    name: 'orphans and roots keep their clocks',
    spans: [
      span('R', 0, 100, { service: 'a', kind: 'server' }),
      span('O', -50, 10, { parent: 'ffffffffffffffff', service: 'b', kind: 'server' }),
    ],
    deltas: {},
  },
];

describe('adjustClockSkew', () => {
  it.each(cases)('$name', ({ spans, deltas }) => {
    const before = JSON.stringify(spans);
    const result = adjustClockSkew(spans);
    expect(JSON.stringify(spans)).toBe(before); // input untouched
    expect(result.spans).toHaveLength(spans.length);
    spans.forEach((input, i) => {
      const out = result.spans[i];
      const d = deltas[input.spanId] ?? 0;
      expect(result.flags.get(input.spanId)).toEqual({ skewCorrectedByUs: d });
      if (d === 0) {
        expect(out).toBe(input);
      } else {
        expect(out).not.toBe(input);
        expect(out).toEqual({
          ...input,
          startUs: input.startUs + d,
          events: input.events.map((e) => ({ ...e, timeUs: e.timeUs + d })),
        });
      }
    });
    const corrected = Object.values(deltas).filter((d) => d !== 0).length;
    expect(result.correctedCount).toBe(corrected);
    expect(result.warnings).toEqual(corrected ? [`${corrected} ${corrected === 1 ? 'span' : 'spans'} corrected for clock skew`] : []);
  });

  it('a corrected server span ends up inside its client', () => {
    const spans = cases[1].spans;
    const out = adjustClockSkew(spans).spans;
    const [client, server] = out;
    expect(server.startUs).toBeGreaterThanOrEqual(client.startUs);
    expect(server.startUs + server.durationUs).toBeLessThanOrEqual(client.startUs + client.durationUs);
    expect(out[1].events[0].timeUs).toBe(out[1].startUs + 5);
  });

  it('refuses corrections above maxDeltaUs and says so', () => {
    const result = adjustClockSkew(cases[1].spans, { maxDeltaUs: 50 });
    expect(result.correctedCount).toBe(0);
    expect(result.spans).toEqual(cases[1].spans);
    expect(result.warnings).toEqual(['1 clock skew correction larger than the maximum of 50 µs not applied (largest 60 µs)']);
  });

  it('keeps duplicates and spans in parent cycles (never drops a span)', () => {
    const spans = [
      span('C', 1000, 1100, { service: 'a', kind: 'client' }),
      span('S', 950, 1030, { parent: 'C', service: 'b', kind: 'server' }),
      span('S', 950, 1030, { parent: 'C', service: 'b', kind: 'server' }),
      span('X', 0, 10, { parent: 'Y', service: 'b', kind: 'server' }),
      span('Y', 0, 10, { parent: 'X', service: 'c', kind: 'client' }),
    ];
    const result = adjustClockSkew(spans);
    expect(result.spans.map((s) => [s.spanId, s.startUs])).toEqual([
      ['C', 1000],
      ['S', 1010],
      ['S', 1010],
      ['X', 0],
      ['Y', 0],
    ]);
    expect(result.flags.get('X')).toEqual({ skewCorrectedByUs: 0 });
  });

  it('walks a 10,000-deep cross-service chain without recursion', () => {
    const spans: Span[] = [];
    for (let i = 0; i < 10_000; i++) {
      spans.push(span(`s${i}`, i * 2 - (i % 2 ? 5_000 : 0), i * 2 - (i % 2 ? 5_000 : 0) + 40_000 - i * 4, {
        parent: i ? `s${i - 1}` : '',
        service: `svc${i % 2}`,
        kind: i % 2 ? 'server' : 'client',
      }));
    }
    const result = adjustClockSkew(spans);
    expect(result.spans).toHaveLength(10_000);
    for (let i = 1; i < 10_000; i++) {
      const parent = result.spans[i - 1];
      const child = result.spans[i];
      expect(child.startUs).toBeGreaterThanOrEqual(parent.startUs);
      expect(child.startUs + child.durationUs).toBeLessThanOrEqual(parent.startUs + parent.durationUs);
    }
  });
});
