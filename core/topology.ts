/**
 * Service topology and service health: the answers of SpanStore.topology and
 * SpanStore.serviceStats, and the samples ingest derives from spans to build
 * the per-minute roll-ups behind them. Latencies in answers are milliseconds;
 * quantiles come from a fixed log-scale histogram (see analysis/topology-histogram.ts)
 * and are null when there were no calls.
 */

export type TopologyNodeKind = 'service' | 'database' | 'queue' | 'external';
export type TopologyEdgeKind = 'sync' | 'async';
/** Which span of the call the sample was measured on. */
export type TopologySide = 'client' | 'server' | 'producer' | 'consumer';

export interface TopologyNode {
  id: string;
  kind: TopologyNodeKind;
  /** Services: their entry-span calls (server, consumer and root spans). Others: the calls into them. */
  calls: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface TopologyEdge {
  source: string;
  target: string;
  kind: TopologyEdgeKind;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export interface ServiceStatsPoint {
  /** Start of the step, microseconds since the epoch. */
  tUs: number;
  calls: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface OperationStats {
  name: string;
  calls: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  series: ServiceStatsPoint[];
}

export interface ServiceStats {
  service: string;
  stepUs: number;
  series: ServiceStatsPoint[];
  /** Busiest first. */
  operations: OperationStats[];
}

/** One call along an edge, derived from one span (identity: traceId + spanId). */
export interface EdgeSample {
  /** Start of the span's minute, microseconds since the epoch. */
  minute: number;
  source: string;
  sourceKind: TopologyNodeKind;
  target: string;
  targetKind: TopologyNodeKind;
  kind: TopologyEdgeKind;
  durationUs: number;
  error: boolean;
  side: TopologySide;
  traceId: string;
  spanId: string;
}

/** One entry-span call of a service operation (identity: traceId + spanId). */
export interface OperationSample {
  minute: number;
  service: string;
  operation: string;
  durationUs: number;
  error: boolean;
  traceId: string;
  spanId: string;
}

/** A peer name (peer.service / server.address of a client span) that turned out to be an instrumented service. */
export interface PeerAlias {
  peer: string;
  service: string;
}

export const MINUTE_US = 60_000_000;

export function minuteOf(us: number): number {
  return Math.floor(us / MINUTE_US) * MINUTE_US;
}

/**
 * The minutes a rate is taken over (docs/topology.md, "Rates"): the last
 * `minutes` whole minutes before the minute the window ends in (that minute is
 * still filling), never before the first minute the window touches.
 */
export interface RateWindow {
  startUs: number;
  endUs: number;
  seconds: number;
}

/** A node or edge of the API's topology: the store's figures over the window, and calls per second over the rate window. */
export type RatedTopologyNode = TopologyNode & { ratePerSec: number };
export type RatedTopologyEdge = TopologyEdge & { ratePerSec: number };

/** GET /api/topology: the window's topology with per-second rates over the rate window. */
export interface RatedTopology {
  nodes: RatedTopologyNode[];
  edges: RatedTopologyEdge[];
  rate: RateWindow;
}

/** One row of GET /api/services/stats: a service's entry calls over the window, its recent rate, and its series. */
export interface ServiceSummary {
  service: string;
  calls: number;
  errors: number;
  errorRate: number;
  ratePerSec: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** One point per step over the window (for sparklines). */
  series: ServiceStatsPoint[];
}

/** GET /api/services/stats: every service of the window, busiest first. */
export interface ServicesOverview {
  stepUs: number;
  rate: RateWindow;
  services: ServiceSummary[];
  /** True when there were more services than the answer holds (the quietest were left out). */
  truncated: boolean;
}
