import { MINUTE_US, minuteOf, type RateWindow, type RatedTopology, type Topology } from '../topology';

/**
 * Rates per second over the last few whole minutes, not averaged over the
 * whole window: over a 6-hour window a service that started an hour ago, or
 * doubled its traffic five minutes ago, shows what it does now. The roll-ups
 * are per minute, so the rate window is made of whole minutes: the last
 * `minutes` before the minute `window.endUs` falls in (that minute is still
 * filling when the window ends now), but not before the first minute the
 * window touches. A window inside a single minute takes that minute up to its
 * end.
 */
export function rateWindow(window: { startUs: number; endUs: number }, minutes: number): RateWindow {
  const first = minuteOf(window.startUs);
  const end = minuteOf(window.endUs);
  if (end <= first) {
    const endUs = Math.max(window.endUs, first + 1);
    return { startUs: first, endUs, seconds: (endUs - first) / 1e6 };
  }
  const startUs = Math.max(first, end - minutes * MINUTE_US);
  return { startUs, endUs: end, seconds: (end - startUs) / 1e6 };
}

/** The store window that reads exactly the rate window's minutes (a store window counts every minute it touches). */
export function rateReadWindow(rate: RateWindow): { startUs: number; endUs: number } {
  return { startUs: rate.startUs, endUs: rate.endUs - 1 };
}

/** Calls per second of `calls` over the rate window; 0 for an empty window. */
export function perSecond(calls: number, rate: RateWindow): number {
  return rate.seconds > 0 ? calls / rate.seconds : 0;
}

const edgeKey = (e: { source: string; target: string; kind: string }) => `${e.source}\u0000${e.target}\u0000${e.kind}`;

/** The window's topology with each node's and edge's rate taken from `recent` (the same store read over the rate window). */
export function withRates(topology: Topology, recent: Topology, rate: RateWindow): RatedTopology {
  const nodeCalls = new Map(recent.nodes.map((n) => [n.id, n.calls]));
  const edgeCalls = new Map(recent.edges.map((e) => [edgeKey(e), e.calls]));
  return {
    nodes: topology.nodes.map((n) => ({ ...n, ratePerSec: perSecond(nodeCalls.get(n.id) ?? 0, rate) })),
    edges: topology.edges.map((e) => ({ ...e, ratePerSec: perSecond(edgeCalls.get(edgeKey(e)) ?? 0, rate) })),
    rate,
  };
}
