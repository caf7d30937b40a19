import { setFlagsFromString } from 'node:v8';
import { getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as fc from 'fast-check';
import { decodeTraceRequestProto, encodeTraceRequestProto } from '../../../../core/otlp';
import type { Span } from '../../../../core/model';
import { syntheticTrace } from '../../../../bench/synthetic-spans';
import { modelSpans } from './model-fixtures';
import { intAnyValue, requestWithAnyValue } from './any-value-request';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The bench's requests: 2,000 spans of 20-span traces each. */
function benchRequests(count: number): Buffer[] {
  const requests: Buffer[] = [];
  let seq = 0;
  for (let i = 0; i < count; i++) {
    const spans: Span[] = [];
    while (spans.length < 2000) spans.push(...syntheticTrace(20, 1_700_000_000_000_000 + seq * 1000, seq++));
    requests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }
  return requests;
}

describe('decoded spans share what they can', () => {
  it('int64 attribute values: a number when exact, else the decimal string, over the whole int64 range', () => {
    const decoded = (v: bigint) => decodeTraceRequestProto(requestWithAnyValue(intAnyValue(v))).spans[0].attributes.n;
    const expected = (v: bigint) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v.toString());
    const edges = [0n, 1n, 127n, 128n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 31n, 2n ** 32n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 53n - 1n, 2n ** 53n, -1n, -(2n ** 53n), -(2n ** 63n), 2n ** 63n - 1n];
    for (const v of edges) expect(decoded(v)).toBe(expected(v));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => decoded(v) === expected(v)), { numRuns: 2000 });
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 56n }), (v) => decoded(v) === expected(v)), { numRuns: 2000 });
  });

  it('a truncated int64 varint is still refused', () => {
    const bytes = requestWithAnyValue(intAnyValue(2n ** 40n));
    // cut inside the varint: the enclosing lengths now run past the end
    expect(() => decodeTraceRequestProto(bytes.subarray(0, bytes.length - 2))).toThrow('malformed protobuf');
  });

  it('spans without events, links or a status message share frozen empty values', () => {
    const spans = decodeTraceRequestProto(encodeTraceRequestProto(syntheticTrace(20, 1_700_000_000_000_000, 1))).spans;
    const plain = spans.filter((s) => s.status.message === '');
    expect(plain.length).toBeGreaterThan(1);
    expect(new Set(plain.map((s) => s.events)).size).toBe(1);
    expect(new Set(plain.map((s) => s.links)).size).toBe(1);
    expect(new Set(plain.filter((s) => s.status.code === 'unset').map((s) => s.status)).size).toBe(1);
    expect(Object.isFrozen(plain[0].events) && Object.isFrozen(plain[0].links) && Object.isFrozen(plain[0].status)).toBe(true);
    expect(() => plain[0].events.push({ timeUs: 1, name: 'x', attributes: {} })).toThrow(TypeError);
    // attribute objects stay plain objects of their own
    expect(Object.getPrototypeOf(plain[0].attributes)).toBe(Object.prototype);
    expect(plain[0].attributes.constructor).toBe(Object);
    expect(plain[0].attributes).not.toBe(plain[1].attributes);
    expect(plain[0].attributes).toStrictEqual({ ...plain[0].attributes });
  });

  it('spans with events, links and status messages still get their own', () => {
    const spans = decodeTraceRequestProto(encodeTraceRequestProto(modelSpans())).spans;
    const withEvents = spans.filter((s) => s.events.length > 0);
    expect(withEvents.length).toBeGreaterThan(0);
    expect(Object.isFrozen(withEvents[0].events)).toBe(false);
    expect(spans.some((s) => s.status.message !== '' && !Object.isFrozen(s.status))).toBe(true);
  });

  it('the bench spans (20-span traces, ten attributes) keep at most 360 bytes of heap each (511 before ids and empty values were shared)', () => {
    const requests = benchRequests(10);
    for (const r of requests) decodeTraceRequestProto(r); // warm: string caches, V8's sizing of attribute objects
    gc();
    gc();
    const before = getHeapStatistics().used_heap_size;
    const kept = requests.map((r) => decodeTraceRequestProto(r).spans);
    gc();
    gc();
    const perSpan = (getHeapStatistics().used_heap_size - before) / kept.reduce((n, s) => n + s.length, 0);
    expect(perSpan).toBeLessThan(360);
  });
});
