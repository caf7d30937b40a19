import { Counters } from '../../../../core/metrics';
import { packEdgeHalves } from '../../../../ingest/span-metrics/edge-halves';
import { ServiceGraph } from '../../../../ingest/span-metrics/service-graph';
import { makeSpan } from '../../../contract/fixtures';

const EDGE = 'client="web",server="orders",connection_type=""';

function callPair(traceId: string, opts: { serverError?: boolean; serverUs?: number } = {}) {
  const client = makeSpan({ traceId, service: 'web', kind: 'client', durationUs: 30_000 });
  const server = makeSpan({ traceId, service: 'orders', kind: 'server', parentSpanId: client.spanId, durationUs: opts.serverUs ?? 20_000, status: { code: opts.serverError ? 'error' : 'unset', message: '' } });
  return { client, server };
}

describe('ServiceGraph', () => {
  it('pairs a client span with the server span whose parent it is, across batches and in either order', () => {
    const counters = new Counters();
    const graph = new ServiceGraph({ counters, maxSeries: 10, maxPending: 100, waitMs: 10_000 });
    const a = callPair('a'.repeat(32));
    const b = callPair('b'.repeat(32), { serverError: true, serverUs: 3_000_000 });
    graph.add(packEdgeHalves([a.client, b.server]));
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(0);
    graph.add(packEdgeHalves([a.server, b.client, makeSpan({ service: 'web', kind: 'internal' })]));
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(2);
    expect(counters.get(`traces_service_graph_request_failed_total{${EDGE}}`)).toBe(1);
    expect(counters.get(`traces_service_graph_request_server_seconds_bucket{${EDGE},le="0.05"}`)).toBe(1);
    expect(counters.get(`traces_service_graph_request_server_seconds_bucket{${EDGE},le="5"}`)).toBe(2);
    expect(counters.get(`traces_service_graph_request_server_seconds_sum{${EDGE}}`)).toBeCloseTo(3.02, 6);
    expect(counters.get(`traces_service_graph_request_client_seconds_count{${EDGE}}`)).toBe(2);
  });

  it('labels producer/consumer pairs messaging_system', () => {
    const counters = new Counters();
    const graph = new ServiceGraph({ counters, maxSeries: 10, maxPending: 100, waitMs: 10_000 });
    const producer = makeSpan({ service: 'orders', kind: 'producer' });
    const consumer = makeSpan({ traceId: producer.traceId, service: 'billing', kind: 'consumer', parentSpanId: producer.spanId });
    graph.add(packEdgeHalves([producer, consumer]));
    expect(counters.get('traces_service_graph_request_total{client="orders",server="billing",connection_type="messaging_system"}')).toBe(1);
  });

  it('counts a half that waited too long as unpaired and does not pair it later', () => {
    const counters = new Counters();
    let now = 0;
    const graph = new ServiceGraph({ counters, maxSeries: 10, maxPending: 100, waitMs: 1_000, now: () => now });
    const pair = callPair('c'.repeat(32));
    graph.add(packEdgeHalves([pair.client]));
    now = 1_500;
    graph.add(packEdgeHalves([pair.server]));
    expect(counters.get('chainscope_service_graph_unpaired_spans_total')).toBe(1);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(0);
  });

  it('keeps at most maxPending halves, dropping the oldest', () => {
    const counters = new Counters();
    const graph = new ServiceGraph({ counters, maxSeries: 10, maxPending: 2, waitMs: 10_000 });
    const pairs = ['1', '2', '3'].map((c) => callPair(c.repeat(32)));
    graph.add(packEdgeHalves(pairs.map((p) => p.client)));
    graph.add(packEdgeHalves(pairs.slice(1).map((p) => p.server)));
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(2);
    expect(counters.get('chainscope_service_graph_unpaired_spans_total')).toBe(1);
  });

  it('counts edges past the cap under otel_metric_overflow="true"', () => {
    const counters = new Counters();
    const graph = new ServiceGraph({ counters, maxSeries: 1, maxPending: 100, waitMs: 10_000 });
    const first = callPair('d'.repeat(32));
    const other = makeSpan({ traceId: 'e'.repeat(32), service: 'web', kind: 'client' });
    const otherServer = makeSpan({ traceId: other.traceId, service: 'stock', kind: 'server', parentSpanId: other.spanId });
    graph.add(packEdgeHalves([first.client, first.server, other, otherServer]));
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(1);
    expect(counters.get('traces_service_graph_request_total{otel_metric_overflow="true"}')).toBe(1);
  });
});
