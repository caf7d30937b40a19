import { Counters } from '../../../../core/metrics';
import type { Span } from '../../../../core/model';
import { EdgePairing } from '../../../../ingest/span-metrics/edge-pairing';
import { ServiceGraph } from '../../../../ingest/span-metrics/service-graph';
import { makeSpan } from '../../../contract/fixtures';

const EDGE = 'client="web",server="orders",connection_type=""';

function callPair(traceId: string, opts: { serverError?: boolean; serverUs?: number } = {}) {
  const client = makeSpan({ traceId, service: 'web', kind: 'client', durationUs: 30_000 });
  const server = makeSpan({ traceId, service: 'orders', kind: 'server', parentSpanId: client.spanId, durationUs: opts.serverUs ?? 20_000, status: { code: opts.serverError ? 'error' : 'unset', message: '' } });
  return { client, server };
}

/** A pairing feeding a graph, batch by batch, as the all-in-one's main-thread ingest does. */
function graphOf(options: { maxSeries: number; maxPending: number; waitMs: number; now?: () => number }) {
  const counters = new Counters();
  const pairing = new EdgePairing(options);
  const graph = new ServiceGraph({ counters, maxSeries: options.maxSeries });
  const add = (spans: Span[]) => {
    pairing.addSpans(spans);
    graph.record(pairing.take());
  };
  return { counters, add };
}

describe('ServiceGraph fed by an EdgePairing', () => {
  it('pairs a client span with the server span whose parent it is, across batches and in either order', () => {
    const { counters, add } = graphOf({ maxSeries: 10, maxPending: 100, waitMs: 10_000 });
    const a = callPair('a'.repeat(32));
    const b = callPair('b'.repeat(32), { serverError: true, serverUs: 3_000_000 });
    add([a.client, b.server]);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(0);
    add([a.server, b.client, makeSpan({ service: 'web', kind: 'internal' })]);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(2);
    expect(counters.get(`traces_service_graph_request_failed_total{${EDGE}}`)).toBe(1);
    expect(counters.get(`traces_service_graph_request_server_seconds_bucket{${EDGE},le="0.05"}`)).toBe(1);
    expect(counters.get(`traces_service_graph_request_server_seconds_bucket{${EDGE},le="5"}`)).toBe(2);
    expect(counters.get(`traces_service_graph_request_server_seconds_sum{${EDGE}}`)).toBeCloseTo(3.02, 6);
    expect(counters.get(`traces_service_graph_request_client_seconds_count{${EDGE}}`)).toBe(2);
  });

  it('labels producer/consumer pairs messaging_system', () => {
    const { counters, add } = graphOf({ maxSeries: 10, maxPending: 100, waitMs: 10_000 });
    const producer = makeSpan({ service: 'orders', kind: 'producer' });
    const consumer = makeSpan({ traceId: producer.traceId, service: 'billing', kind: 'consumer', parentSpanId: producer.spanId });
    add([producer, consumer]);
    expect(counters.get('traces_service_graph_request_total{client="orders",server="billing",connection_type="messaging_system"}')).toBe(1);
  });

  it('counts a half that waited too long as unpaired and does not pair it later', () => {
    let now = 0;
    const { counters, add } = graphOf({ maxSeries: 10, maxPending: 100, waitMs: 1_000, now: () => now });
    const pair = callPair('c'.repeat(32));
    add([pair.client]);
    now = 1_500;
    add([pair.server]);
    expect(counters.get('chainscope_service_graph_unpaired_spans_total')).toBe(1);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(0);
  });

  it('keeps at most maxPending halves, dropping the oldest', () => {
    const { counters, add } = graphOf({ maxSeries: 10, maxPending: 2, waitMs: 10_000 });
    const pairs = ['1', '2', '3'].map((c) => callPair(c.repeat(32)));
    add(pairs.map((p) => p.client));
    add(pairs.slice(1).map((p) => p.server));
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(2);
    expect(counters.get('chainscope_service_graph_unpaired_spans_total')).toBe(1);
  });

  it('keeps the first of the same side seen twice (a replayed batch) and pairs it once', () => {
    const { counters, add } = graphOf({ maxSeries: 10, maxPending: 100, waitMs: 10_000 });
    const pair = callPair('f'.repeat(32));
    add([pair.client]);
    add([{ ...pair.client, durationUs: 900_000 }]);
    add([pair.server, pair.server]);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(1);
    expect(counters.get(`traces_service_graph_request_client_seconds_sum{${EDGE}}`)).toBeCloseTo(0.03, 6);
  });

  it('pairs sides by trace and span id: a span id taken by a side of another trace pairs only within its own trace', () => {
    const { counters, add } = graphOf({ maxSeries: 10, maxPending: 100, waitMs: 10_000 });
    const spanId = 'same-span-id';
    const clients = ['1', '2', '3'].map((c) => makeSpan({ traceId: c.repeat(32), spanId, service: 'web', kind: 'client', durationUs: Number(c) * 1_000_000 }));
    const servers = clients.map((c) => makeSpan({ traceId: c.traceId, service: 'orders', kind: 'server', parentSpanId: spanId, durationUs: 10_000 }));
    add(clients);
    add([servers[1], makeSpan({ traceId: '4'.repeat(32), service: 'orders', kind: 'server', parentSpanId: spanId })]);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(1);
    expect(counters.get(`traces_service_graph_request_client_seconds_sum{${EDGE}}`)).toBeCloseTo(2, 6);
    add([servers[2], servers[0]]);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(3);
    expect(counters.get(`traces_service_graph_request_client_seconds_sum{${EDGE}}`)).toBeCloseTo(6, 6);
  });

  it('counts edges past the cap under otel_metric_overflow="true"', () => {
    const { counters, add } = graphOf({ maxSeries: 1, maxPending: 100, waitMs: 10_000 });
    const first = callPair('d'.repeat(32));
    const other = makeSpan({ traceId: 'e'.repeat(32), service: 'web', kind: 'client' });
    const otherServer = makeSpan({ traceId: other.traceId, service: 'stock', kind: 'server', parentSpanId: other.spanId });
    add([first.client, first.server, other, otherServer]);
    expect(counters.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(1);
    expect(counters.get('traces_service_graph_request_total{otel_metric_overflow="true"}')).toBe(1);
  });

  it('adds nothing when the graph is off (maxSeries 0)', () => {
    const { counters, add } = graphOf({ maxSeries: 0, maxPending: 100, waitMs: 10_000 });
    const pair = callPair('9'.repeat(32));
    add([pair.client, pair.server]);
    const series = counters.snapshot();
    expect(Object.keys(series).filter((name) => name.includes('client='))).toEqual([]);
    expect(Object.values(series).filter((n) => n !== 0)).toEqual([]);
  });
});
