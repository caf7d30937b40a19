import { Counters } from '../../../../core/metrics';
import type { Span } from '../../../../core/model';
import { EdgeHalfPacker, forEachPackedHalf, HALF_FAILED, HALF_MESSAGING, HALF_SERVER } from '../../../../ingest/span-metrics/edge-halves';
import { EdgePairing } from '../../../../ingest/span-metrics/edge-pairing';
import { EdgeHalfRouter, edgeShardOf } from '../../../../ingest/span-metrics/edge-shards';
import { ServiceGraph } from '../../../../ingest/span-metrics/service-graph';
import { makeSpan, newTraceId } from '../../../contract/fixtures';

/** Two "threads", each a pairing with its router, and the owner passing outbound halves on, as ThreadedBatchProcessor does. */
function twoShards() {
  const counters = new Counters();
  const graph = new ServiceGraph({ counters, maxSeries: 10 });
  const shards = [0, 1].map((index) => {
    const pairing = new EdgePairing({ maxPending: 1000, waitMs: 10_000 });
    return { pairing, router: new EdgeHalfRouter(pairing, { index, count: 2 }) };
  });
  const store = (thread: number, spans: Span[]) => {
    shards[thread].router.add(spans);
    graph.record(shards[thread].pairing.take());
    shards[thread].router.takeOutbound().forEach((halves, owner) => {
      if (!halves) return;
      shards[owner].pairing.addPacked(halves);
      graph.record(shards[owner].pairing.take());
    });
  };
  return { counters, shards, store };
}

describe('edgeShardOf', () => {
  it('gives every trace one shard, spread over all of them', () => {
    const seen = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const traceId = newTraceId();
      const shard = edgeShardOf(traceId, 3);
      expect(edgeShardOf(traceId, 3)).toBe(shard);
      seen[shard]++;
    }
    for (const n of seen) expect(n).toBeGreaterThan(800);
    expect(edgeShardOf('abc', 1)).toBe(0);
    expect(edgeShardOf('', 2)).toBe(0);
  });
});

describe('EdgeHalfPacker', () => {
  it('gives back every half with its key, flags, duration and service, non-ASCII included', () => {
    const packer = new EdgeHalfPacker();
    const traceId = newTraceId();
    const client = makeSpan({ traceId, service: 'wéb-☃', kind: 'producer', durationUs: 12.5, status: { code: 'error', message: '' } });
    const server = makeSpan({ traceId, service: 'orders', kind: 'consumer', parentSpanId: client.spanId, durationUs: 7 });
    const many = Array.from({ length: 3000 }, (_, i) => makeSpan({ service: `s${i % 5}`, kind: 'client', durationUs: i }));
    packer.add([client, makeSpan({ kind: 'internal' }), makeSpan({ kind: 'server' }), server, ...many]);
    expect(packer.size).toBe(3002);
    const halves = packer.take();
    expect(packer.size).toBe(0);
    const seen: [string, string, number, number, string][] = [];
    forEachPackedHalf(halves, (...half) => seen.push(half));
    expect(seen.slice(0, 2)).toEqual([
      [traceId, client.spanId, HALF_MESSAGING | HALF_FAILED, 12.5, 'wéb-☃'],
      [traceId, client.spanId, HALF_SERVER | HALF_MESSAGING, 7, 'orders'],
    ]);
    expect(seen[2001]).toEqual([many[1999].traceId, many[1999].spanId, 0, 1999, 's4']);
    expect(halves.services.length).toBe(7);
  });
});

describe('EdgeHalfRouter', () => {
  it('pairs a call wherever its two sides were stored, each half crossing at most once', () => {
    const { counters, shards, store } = twoShards();
    const calls = Array.from({ length: 200 }, () => {
      const traceId = newTraceId();
      const client = makeSpan({ traceId, service: 'web', kind: 'client' });
      return { client, server: makeSpan({ traceId, service: 'orders', kind: 'server', parentSpanId: client.spanId }) };
    });
    // server sides all on thread 0, client sides all on thread 1: half the calls belong to each shard
    store(0, calls.map((c) => c.server));
    store(1, calls.map((c) => c.client));
    expect(counters.get('traces_service_graph_request_total{client="web",server="orders",connection_type=""}')).toBe(200);
    expect(shards[0].pairing.waiting + shards[1].pairing.waiting).toBe(0);
    expect(counters.get('chainscope_service_graph_unpaired_spans_total')).toBe(0);
  });

  it('keeps its own shard home and packs the rest per owner', () => {
    const pairing = new EdgePairing({ maxPending: 1000, waitMs: 10_000 });
    const router = new EdgeHalfRouter(pairing, { index: 1, count: 3 });
    const spans = Array.from({ length: 300 }, () => makeSpan({ kind: 'client' }));
    router.add(spans);
    const outbound = router.takeOutbound();
    const owners = spans.map((s) => edgeShardOf(s.traceId, 3));
    expect(outbound[1]).toBeNull();
    expect(outbound[0]!.count).toBe(owners.filter((o) => o === 0).length);
    expect(outbound[2]!.count).toBe(owners.filter((o) => o === 2).length);
    expect(pairing.waiting).toBe(owners.filter((o) => o === 1).length);
    expect(router.takeOutbound()).toEqual([null, null, null]);
  });
});
