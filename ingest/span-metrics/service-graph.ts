import { seriesName, type Counters } from '../../core/metrics';
import { HALF_FAILED, HALF_MESSAGING, HALF_SERVER, type PackedEdgeHalves } from './edge-halves';
import { firstBucketOf, observeCounted } from './histogram';
import { PendingHalves } from './pending-halves';
import { OVERFLOW_LABELS } from './span-metrics';

/** Names of the OpenTelemetry Collector's servicegraph connector as its Prometheus exporter prints them. */
export const SERVICE_GRAPH_METRICS = {
  requests: 'traces_service_graph_request_total',
  failed: 'traces_service_graph_request_failed_total',
  serverSeconds: 'traces_service_graph_request_server_seconds',
  clientSeconds: 'traces_service_graph_request_client_seconds',
  unpaired: 'chainscope_service_graph_unpaired_spans_total',
} as const;

/** The connector's default latency buckets, in seconds. */
export const LATENCY_BUCKETS_S = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15] as const;

export interface ServiceGraphOptions {
  counters: Counters;
  /** Distinct client/server/connection_type edges kept; further ones go to the overflow series. 0 turns the graph off. */
  maxSeries: number;
  /** Halves waiting for their other side, at most; the oldest is dropped (and counted) past it. */
  maxPending: number;
  /** A half waits this long for its other side. */
  waitMs: number;
  now?: () => number;
}

/** One edge's pairs in one call of add. */
interface EdgeTally {
  labels: Record<string, string>;
  requests: number;
  failed: number;
  server: { sum: number; firstBucket: number[] };
  client: { sum: number; firstBucket: number[] };
}

/** One side of a pair, as the tally needs it. */
interface Side {
  service: string;
  flags: number;
  durationUs: number;
}

/**
 * Pairs client and server spans into service-graph edges like the collector's
 * servicegraph connector: a request per pair (failed when either side
 * failed), server and client latency histograms. Unpaired halves wait in a
 * bounded store and are counted when they expire or are pushed out.
 */
export class ServiceGraph {
  private readonly pending: PendingHalves;
  private readonly edges = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: ServiceGraphOptions) {
    this.now = options.now ?? Date.now;
    this.pending = new PendingHalves(Math.max(1, options.maxPending));
    const { counters } = options;
    counters.describe(SERVICE_GRAPH_METRICS.requests, 'Requests between two services (servicegraph connector)');
    counters.describe(SERVICE_GRAPH_METRICS.failed, 'Requests between two services where either side failed');
    counters.describe(SERVICE_GRAPH_METRICS.serverSeconds, 'Server-side duration of requests between two services, in seconds', 'histogram');
    counters.describe(SERVICE_GRAPH_METRICS.clientSeconds, 'Client-side duration of requests between two services, in seconds', 'histogram');
    counters.describe(SERVICE_GRAPH_METRICS.unpaired, 'Client or server spans whose other side did not arrive in time (or were dropped from the full pairing store)');
  }

  add(halves: PackedEdgeHalves): void {
    if (this.options.maxSeries <= 0) return;
    const at = this.now();
    const { counters } = this.options;
    const pending = this.pending;
    let unpaired = pending.expireBefore(at - this.options.waitMs);
    // pairs are tallied per edge first and go to the counters once per edge (series names per pair cost more than the pairing)
    const tally = new Map<string, EdgeTally>();
    const keys = Buffer.from(halves.keys.buffer, halves.keys.byteOffset, halves.keys.byteLength);
    let keyStart = 0;
    for (let i = 0; i < halves.count; i++) {
      const key = keys.toString('utf8', keyStart, halves.keyEnds[i]);
      keyStart = halves.keyEnds[i];
      const flags = halves.flags[i];
      const service = halves.services[halves.serviceIndex[i]];
      const slot = pending.slotOf(key);
      if (slot < 0) {
        unpaired += pending.add(key, at, flags, halves.durationUs[i], service);
        continue;
      }
      const otherFlags = pending.flags[slot];
      if ((otherFlags & HALF_SERVER) === (flags & HALF_SERVER)) continue; // the same side again (a replayed batch): keep the first
      const half: Side = { service, flags, durationUs: halves.durationUs[i] };
      const other: Side = { service: pending.service[slot], flags: otherFlags, durationUs: pending.durationUs[slot] };
      pending.remove(key);
      if (half.flags & HALF_SERVER) this.tally(tally, other, half);
      else this.tally(tally, half, other);
    }
    if (unpaired > 0) counters.add(SERVICE_GRAPH_METRICS.unpaired, unpaired);
    for (const edge of tally.values()) {
      counters.add(seriesName(SERVICE_GRAPH_METRICS.requests, edge.labels), edge.requests);
      if (edge.failed > 0) counters.add(seriesName(SERVICE_GRAPH_METRICS.failed, edge.labels), edge.failed);
      observeCounted(counters, SERVICE_GRAPH_METRICS.serverSeconds, edge.labels, LATENCY_BUCKETS_S, edge.server.firstBucket, edge.server.sum);
      observeCounted(counters, SERVICE_GRAPH_METRICS.clientSeconds, edge.labels, LATENCY_BUCKETS_S, edge.client.firstBucket, edge.client.sum);
    }
  }

  private tally(tally: Map<string, EdgeTally>, client: Side, server: Side): void {
    const connectionType = (client.flags | server.flags) & HALF_MESSAGING ? 'messaging_system' : '';
    const key = `${client.service}\u0000${server.service}\u0000${connectionType}`;
    let edge = tally.get(key);
    if (!edge) {
      const labels = this.labelsOf({ client: client.service, server: server.service, connection_type: connectionType });
      const side = () => ({ sum: 0, firstBucket: new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0) });
      edge = { labels, requests: 0, failed: 0, server: side(), client: side() };
      tally.set(key, edge);
    }
    edge.requests++;
    if ((client.flags | server.flags) & HALF_FAILED) edge.failed++;
    for (const [latency, half] of [[edge.server, server], [edge.client, client]] as const) {
      const seconds = half.durationUs / 1e6;
      latency.sum += seconds;
      latency.firstBucket[firstBucketOf(LATENCY_BUCKETS_S, seconds)]++;
    }
  }

  private labelsOf(labels: Record<string, string>): Record<string, string> {
    const key = `${labels.client}\u0000${labels.server}\u0000${labels.connection_type}`;
    if (this.edges.has(key)) return labels;
    if (this.edges.size >= this.options.maxSeries) return OVERFLOW_LABELS;
    this.edges.add(key);
    return labels;
  }
}
