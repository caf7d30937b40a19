import { perSecond, rateReadWindow, rateWindow, withRates } from '../../../../core/analysis/topology-rates';
import type { Topology } from '../../../../core/topology';

const MIN = 60_000_000;
const T0 = 1_800_000_000 * 1_000_000; // a whole minute

describe('rateWindow: the last whole minutes before the minute the window ends in', () => {
  it.each([
    ['a 1 h window ending 20 s into a minute: the 5 minutes before that minute', { startUs: T0 - 60 * MIN, endUs: T0 + 20_000_000 }, 5, { startUs: T0 - 5 * MIN, endUs: T0, seconds: 300 }],
    ['ending exactly on a minute: the 5 minutes before it', { startUs: T0 - 60 * MIN, endUs: T0 }, 5, { startUs: T0 - 5 * MIN, endUs: T0, seconds: 300 }],
    ['1 minute asked', { startUs: T0 - 60 * MIN, endUs: T0 + 59_000_000 }, 1, { startUs: T0 - MIN, endUs: T0, seconds: 60 }],
    ['a window of 3 minutes: not before its first minute', { startUs: T0 - 3 * MIN + 10_000_000, endUs: T0 + 1 }, 5, { startUs: T0 - 3 * MIN, endUs: T0, seconds: 180 }],
    ['a window inside one minute: that minute up to the end', { startUs: T0 + 5_000_000, endUs: T0 + 35_000_000 }, 5, { startUs: T0, endUs: T0 + 35_000_000, seconds: 35 }],
    ['an empty window on a minute boundary', { startUs: T0, endUs: T0 }, 5, { startUs: T0, endUs: T0 + 1, seconds: 0.000001 }],
  ])('%s', (_name, window, minutes, expected) => {
    expect(rateWindow(window, minutes)).toEqual(expected);
  });

  it('reads exactly the rate minutes from a store that counts every minute a window touches', () => {
    const rate = rateWindow({ startUs: T0 - 60 * MIN, endUs: T0 + 1 }, 5);
    const read = rateReadWindow(rate);
    expect(Math.floor(read.startUs / MIN) * MIN).toBe(T0 - 5 * MIN);
    expect(Math.floor(read.endUs / MIN) * MIN).toBe(T0 - MIN);
  });
});

describe('withRates', () => {
  const node = (id: string, calls: number) => ({ id, kind: 'service' as const, calls, errorRate: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
  const edge = (source: string, target: string, kind: 'sync' | 'async', calls: number) => ({ source, target, kind, calls, errors: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
  const rate = { startUs: T0 - 5 * MIN, endUs: T0, seconds: 300 };

  it('takes the rate from the recent read, not from the whole window: 600 calls in 5 min is 2/s whatever the window holds', () => {
    const whole: Topology = { nodes: [node('order-api', 1000), node('payment', 40)], edges: [edge('order-api', 'payment', 'sync', 40), edge('order-api', 'payment', 'async', 7)] };
    const recent: Topology = { nodes: [node('order-api', 600)], edges: [edge('order-api', 'payment', 'async', 30)] };
    const rated = withRates(whole, recent, rate);
    expect(rated.rate).toEqual(rate);
    expect(rated.nodes.map((n) => [n.id, n.calls, n.ratePerSec])).toEqual([
      ['order-api', 1000, 2],
      ['payment', 40, 0],
    ]);
    expect(rated.edges.map((e) => [e.kind, e.calls, e.ratePerSec])).toEqual([
      ['sync', 40, 0],
      ['async', 7, 0.1],
    ]);
  });

  it('an empty rate window is no rate', () => {
    expect(perSecond(10, { startUs: 0, endUs: 0, seconds: 0 })).toBe(0);
  });
});
