import { seriesName, type Counters } from '../../core/metrics';
import { LATENCY_BUCKETS_S, type EdgeTotals } from './edge-pairing';
import { observeCounted } from './histogram';
import { OVERFLOW_LABELS } from './span-metrics';

/** Names of the OpenTelemetry Collector's servicegraph connector as its Prometheus exporter prints them. */
export const SERVICE_GRAPH_METRICS = {
  requests: 'traces_service_graph_request_total',
  failed: 'traces_service_graph_request_failed_total',
  serverSeconds: 'traces_service_graph_request_server_seconds',
  clientSeconds: 'traces_service_graph_request_client_seconds',
  unpaired: 'chainscope_service_graph_unpaired_spans_total',
} as const;

export interface ServiceGraphOptions {
  counters: Counters;
  /** Distinct client/server/connection_type edges kept; further ones go to the overflow series. 0 turns the graph off. */
  maxSeries: number;
}

/**
 * The service graph's Prometheus series, like the collector's servicegraph
 * connector prints them: a request per client/server pair (failed when
 * either side failed), server and client latency histograms, at most
 * `maxSeries` edges. The pairing itself is `EdgePairing`'s, wherever the
 * halves are (an ingest thread pairs the traces it owns); this is the one
 * place the tallies of every pairing become series, so the cap is one.
 */
export class ServiceGraph {
  private readonly edges = new Set<string>();

  constructor(private readonly options: ServiceGraphOptions) {
    const { counters } = options;
    counters.describe(SERVICE_GRAPH_METRICS.requests, 'Requests between two services (servicegraph connector)');
    counters.describe(SERVICE_GRAPH_METRICS.failed, 'Requests between two services where either side failed');
    counters.describe(SERVICE_GRAPH_METRICS.serverSeconds, 'Server-side duration of requests between two services, in seconds', 'histogram');
    counters.describe(SERVICE_GRAPH_METRICS.clientSeconds, 'Client-side duration of requests between two services, in seconds', 'histogram');
    counters.describe(SERVICE_GRAPH_METRICS.unpaired, 'Client or server spans whose other side did not arrive in time (or were dropped from the full pairing store)');
  }

  /** Adds a pairing's tallies (null: nothing to add). */
  record(totals: EdgeTotals | null): void {
    if (!totals || this.options.maxSeries <= 0) return;
    const { counters } = this.options;
    if (totals.unpaired > 0) counters.add(SERVICE_GRAPH_METRICS.unpaired, totals.unpaired);
    for (const edge of totals.edges) {
      const labels = this.labelsOf({ client: edge.clientService, server: edge.serverService, connection_type: edge.connectionType });
      counters.add(seriesName(SERVICE_GRAPH_METRICS.requests, labels), edge.requests);
      if (edge.failed > 0) counters.add(seriesName(SERVICE_GRAPH_METRICS.failed, labels), edge.failed);
      observeCounted(counters, SERVICE_GRAPH_METRICS.serverSeconds, labels, LATENCY_BUCKETS_S, edge.serverLatency.firstBucket, edge.serverLatency.sum);
      observeCounted(counters, SERVICE_GRAPH_METRICS.clientSeconds, labels, LATENCY_BUCKETS_S, edge.clientLatency.firstBucket, edge.clientLatency.sum);
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
