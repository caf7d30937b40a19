import { decodeTraceRequestProto } from '../../../../core/otlp';
import { buildRaceLoad, traceSize } from '../../../../bench/peers/race-load';
import type { ZipkinSpan } from '../../../../bench/peers/zipkin-json';

describe('buildRaceLoad', () => {
  const load = buildRaceLoad(20_000, 2_000, 4, 1_700_000_000_000_000);
  const otlpSpans = load.otlp.map((body) => decodeTraceRequestProto(body).spans);
  const zipkinSpans = load.zipkinJson.map((body) => JSON.parse(body.toString()) as ZipkinSpan[]);
  const all = otlpSpans.flat();

  it('encodes the same spans, request by request, as OTLP and as Zipkin JSON', () => {
    expect(all).toHaveLength(load.spans);
    expect(load.spans).toBeGreaterThanOrEqual(20_000);
    // the OTLP encoder groups spans by resource, so compare each request's ids as sets
    otlpSpans.forEach((spans, i) => expect(zipkinSpans[i].map((z) => z.id).sort()).toEqual(spans.map((s) => s.spanId).sort()));
  });

  it('has traces of 10 to 50 spans besides one 1,000-span probe', () => {
    const sizes = new Map<string, number>();
    for (const s of all) sizes.set(s.traceId, (sizes.get(s.traceId) ?? 0) + 1);
    expect(sizes.get(load.probe.traceId)).toBe(1000);
    sizes.delete(load.probe.traceId);
    for (const size of sizes.values()) {
      expect(size).toBeGreaterThanOrEqual(10);
      expect(size).toBeLessThanOrEqual(50);
    }
    expect(new Set(Array.from({ length: 41 }, (_, seq) => traceSize(seq))).size).toBe(41);
  });

  it('tags exactly one trace with the searched order.id', () => {
    const tagged = new Set(all.filter((s) => s.attributes['order.id'] === load.taggedOrderId).map((s) => s.traceId));
    expect(tagged.size).toBe(1);
  });

  it('expects the last trace of each of the last requests, complete', () => {
    expect(load.lastTraces).toHaveLength(4);
    load.lastTraces.forEach((expected, i) => {
      const request = otlpSpans[otlpSpans.length - 4 + i];
      const roots = request.filter((s) => !s.parentSpanId).sort((a, b) => a.startUs - b.startUs);
      expect(roots[roots.length - 1].traceId).toBe(expected.traceId);
      expect(request.filter((s) => s.traceId === expected.traceId)).toHaveLength(expected.spans);
    });
  });
});
