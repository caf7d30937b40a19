import * as fc from 'fast-check';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequestProto, encodeTraceRequestProto, validateTraceRequestProto } from '../../../../core/otlp';
import type { Span } from '../../../../core/model';
import { modelSpans } from './model-fixtures';
import { mutated } from './mutated-bytes';
import { sdkSpans } from './sdk-fixtures';
import { intAnyValue, requestWithAnyValue } from './any-value-request';

const traceBytes = encodeTraceRequestProto(modelSpans());

/** What the receiver relies on: a count means decoding gives exactly that many spans, none rejected, nothing cut. */
function countIsExact(bytes: Uint8Array, limits?: Record<string, number | undefined>): 'clean' | 'not clean' {
  const count = validateTraceRequestProto(bytes, limits);
  if (count === null) return 'not clean';
  const decoded = decodeTraceRequestProto(bytes, limits);
  expect({ spans: decoded.spans.length, rejected: decoded.rejected, truncated: decoded.truncated }).toEqual({ spans: count, rejected: 0, truncated: 0 });
  return 'clean';
}

/** Each limit small enough to bite the fixture, or left at its default. */
const small = (max: number) => fc.oneof(fc.integer({ min: 0, max }), fc.constant(undefined));
const smallLimits = fc.record({
  maxAttributeValueLength: small(40),
  maxAttributesPerItem: small(4),
  maxArrayLength: small(3),
  maxEventsPerSpan: small(2),
  maxLinksPerSpan: small(2),
  maxNestingDepth: small(3),
  maxNameLength: small(20),
});

function withSpan(change: (s: Span) => void): Uint8Array {
  const spans = modelSpans();
  change(spans[0]);
  return encodeTraceRequestProto(spans);
}

describe('validateTraceRequestProto', () => {
  it('counts the spans of clean requests: ours and the OpenTelemetry JS SDK', async () => {
    expect(validateTraceRequestProto(traceBytes)).toBe(modelSpans().length);
    const sdk = await sdkSpans();
    expect(validateTraceRequestProto(ProtobufTraceSerializer.serializeRequest(sdk)!)).toBe(sdk.length);
    expect(validateTraceRequestProto(new Uint8Array(0))).toBe(0);
  });

  it('a count is exact on noise and mutated requests (property)', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2048 }), mutated(traceBytes)), (bytes) => {
        outcomes.add(countIsExact(bytes));
      }),
      { numRuns: 1000 },
    );
    // the mutations reach both answers, so the property is not vacuous
    expect([...outcomes].sort()).toEqual(['clean', 'not clean']);
  });

  it('a count is exact under small limits, where values are cut and items dropped (property)', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(fc.constant(traceBytes), mutated(traceBytes)), smallLimits, (bytes, limits) => {
        outcomes.add(countIsExact(bytes, limits));
      }),
      { numRuns: 1000 },
    );
    expect([...outcomes].sort()).toEqual(['clean', 'not clean']);
  });

  it.each([
    ['an all-zero trace id', (s: Span) => (s.traceId = '0'.repeat(32))],
    ['a short span id', (s: Span) => (s.spanId = 'abcd')],
    ['a parent id of 4 bytes', (s: Span) => (s.parentSpanId = 'abcdabcd')],
    ['a link with an all-zero span id', (s: Span) => s.links.push({ traceId: 'a'.repeat(32), spanId: '0'.repeat(16), attributes: {} })],
    ['a name over the limit', (s: Span) => (s.name = 'n'.repeat(1025))],
    ['an attribute value over the limit', (s: Span) => (s.attributes.big = 'v'.repeat(8193))],
    ['too many attributes', (s: Span) => { for (let i = 0; i < 257; i++) s.attributes[`k${i}`] = i; }],
    ['too many events', (s: Span) => { for (let i = 0; i < 1001; i++) s.events.push({ timeUs: 1, name: 'e', attributes: {} }); }],
    ['a value nested too deep', (s: Span) => (s.attributes.deep = [[[[[[[[['x']]]]]]]]])],
  ])('says not clean for %s (the decoder rejects or cuts it)', (_name, change) => {
    const bytes = withSpan(change);
    expect(validateTraceRequestProto(bytes)).toBeNull();
    const decoded = decodeTraceRequestProto(bytes);
    expect(decoded.rejected + decoded.truncated).toBeGreaterThan(0);
  });

  it('says not clean for malformed bytes (the decoder refuses them)', () => {
    const cut = traceBytes.subarray(0, traceBytes.length - 3);
    expect(validateTraceRequestProto(cut)).toBeNull();
    expect(() => decodeTraceRequestProto(cut)).toThrow(/malformed protobuf/);
  });

  it('int64 values: clean over the whole range; a varint past 10 bytes is not clean (the decoder refuses it)', () => {
    for (const v of [0n, 127n, 2n ** 49n, 2n ** 53n, -1n, -(2n ** 63n), 2n ** 63n - 1n]) expect(countIsExact(requestWithAnyValue(intAnyValue(v)))).toBe('clean');
    const eleven = requestWithAnyValue(Uint8Array.from([24, ...new Array(10).fill(0xff), 0x01]));
    expect(validateTraceRequestProto(eleven)).toBeNull();
    expect(() => decodeTraceRequestProto(eleven)).toThrow(/malformed protobuf/);
    // a varint whose last byte still says "more" runs into the end of its AnyValue
    const open = requestWithAnyValue(Uint8Array.from([24, 0x80, 0x80]));
    expect(validateTraceRequestProto(open)).toBeNull();
    expect(() => decodeTraceRequestProto(open)).toThrow(/malformed protobuf/);
  });
});
