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
