import {
  decodeLogsRequestJson,
  decodeLogsRequestProto,
  decodeTraceRequestJson,
  decodeTraceRequestProto,
  DEFAULT_INPUT_LIMITS,
  encodeTraceRequestProto,
  NESTING_MARKER,
  resolveInputLimits,
} from '../../../../core/otlp';
import type { AttributeValue, Span } from '../../../../core/model';
import { modelSpans } from './model-fixtures';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function jsonWithAttribute(valueJson: string): string {
  return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","attributes":[{"key":"deep","value":${valueJson}}]}]}]}]}`;
}

/** A kvlist nested `depth` levels deep, built without recursion. */
function deepKvlistJson(depth: number): string {
  return '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth) + '{"stringValue":"bottom"}' + '}]}}'.repeat(depth);
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Protobuf request with one span whose attribute "deep" is a kvlist nested `depth` levels, built inside-out without recursion. */
function deepKvlistProto(depth: number): Uint8Array {
  const headers: number[][] = [];
  let len = 8; // innermost AnyValue{string_value:"bottom"}: 0x0a 0x06 'bottom'
  for (let i = 0; i < depth; i++) {
    // KeyValue{key:"k", value: inner} → KeyValueList{values: kv} → AnyValue{kvlist_value: list}
    const kvLen = 3 + 1 + varint(len).length + len;
    const listLen = 1 + varint(kvLen).length + kvLen;
    headers.push([0x32, ...varint(listLen), 0x0a, ...varint(kvLen), 0x0a, 0x01, 0x6b, 0x12, ...varint(len)]);
    len = 1 + varint(listLen).length + listLen;
  }
  const inner: number[] = [];
  for (let i = headers.length - 1; i >= 0; i--) for (const b of headers[i]) inner.push(b);
  inner.push(0x0a, 0x06, ...Buffer.from('bottom'));
  const kv = [0x0a, 0x04, ...Buffer.from('deep'), 0x12, ...varint(inner.length), ...inner];
  const span = [0x0a, 0x10, ...Buffer.from(TRACE, 'hex'), 0x12, 0x08, ...Buffer.from(SPAN, 'hex'), 0x4a, ...varint(kv.length), ...kv];
  const scopeSpans = [0x12, ...varint(span.length), ...span];
  const resourceSpans = [0x12, ...varint(scopeSpans.length), ...scopeSpans];
  return Uint8Array.from([0x0a, ...varint(resourceSpans.length), ...resourceSpans]);
}

function depthOf(value: AttributeValue): { depth: number; leaf: AttributeValue } {
  let depth = 0;
  while (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    value = (value as Record<string, AttributeValue>).k;
    depth++;
  }
  return { depth, leaf: value };
}

describe('input limits', () => {
  test('10,000-deep nested kvlist in JSON: no RangeError, cut at maxNestingDepth', () => {
    const result = decodeTraceRequestJson(jsonWithAttribute(deepKvlistJson(10_000)));
    expect(result.spans).toHaveLength(1);
    expect(depthOf(result.spans[0].attributes.deep)).toEqual({ depth: DEFAULT_INPUT_LIMITS.maxNestingDepth, leaf: NESTING_MARKER });
    expect(result.truncated).toBe(1);
    expect(result.modified).toBe(true);
  });

  test('100,000-deep nested kvlist in protobuf: no RangeError, same cut as JSON', () => {
    const bytes = deepKvlistProto(100_000);
    const proto = decodeTraceRequestProto(bytes);
    expect(depthOf(proto.spans[0].attributes.deep)).toEqual({ depth: 8, leaf: NESTING_MARKER });
    const shallow = deepKvlistProto(3);
    expect(decodeTraceRequestProto(shallow).spans[0].attributes).toEqual(decodeTraceRequestJson(jsonWithAttribute(deepKvlistJson(3))).spans[0].attributes);
    expect(depthOf(decodeTraceRequestProto(shallow).spans[0].attributes.deep)).toEqual({ depth: 3, leaf: 'bottom' });
  });

  test('maxNestingDepth can be lowered; deep arrays are cut too', () => {
    const limits = { maxNestingDepth: 2 };
    const json = decodeTraceRequestJson(jsonWithAttribute(deepKvlistJson(5)), limits);
    expect(depthOf(json.spans[0].attributes.deep).depth).toBe(2);
    const arrays = '{"arrayValue":{"values":['.repeat(50) + '{"intValue":1}' + ']}}'.repeat(50);
    const result = decodeTraceRequestJson(jsonWithAttribute(arrays), limits);
    expect(result.spans[0].attributes.deep).toEqual([[NESTING_MARKER]]);
  });

  test('long strings are cut (default 8192, configurable), names to maxNameLength, without splitting surrogates', () => {
    const [span] = modelSpans();
    const long: Span = { ...span, name: 'n'.repeat(5000), attributes: { s: 'x'.repeat(100_000), list: ['y'.repeat(9000)], emoji: 'a' + '𝄞'.repeat(10) } };
    const bytes = encodeTraceRequestProto([long]);
    const result = decodeTraceRequestProto(bytes);
    const attrs = result.spans[0].attributes;
    expect((attrs.s as string).length).toBe(8192);
    expect((attrs.list as string[])[0].length).toBe(8192);
    expect(result.spans[0].name).toHaveLength(1024);
    expect(result.truncated).toBe(3);
    const small = decodeTraceRequestProto(bytes, { maxAttributeValueLength: 4 });
    expect(small.spans[0].attributes.s).toBe('xxxx');
    expect(small.spans[0].attributes.emoji).toBe('a𝄞'); // 4 units would end inside the second pair: cut before it
  });

  test('counts are bounded: attributes, events, links, array elements, kvlist entries', () => {
    const [span] = modelSpans();
    const attributes: Record<string, AttributeValue> = {};
    for (let i = 0; i < 1000; i++) attributes[`a${i}`] = i;
    attributes.bigArray = Array.from({ length: 100_000 }, (_, i) => i);
    const huge: Span = {
      ...span,
      attributes,
      events: Array.from({ length: 5000 }, (_, i) => ({ timeUs: span.startUs + i, name: `e${i}`, attributes: {} })),
      links: Array.from({ length: 500 }, (_, i) => ({ traceId: TRACE, spanId: (i + 1).toString(16).padStart(16, '0'), attributes: {} })),
    };
    const result = decodeTraceRequestProto(encodeTraceRequestProto([huge]));
    const decoded = result.spans[0];
    expect(Object.keys(decoded.attributes)).toHaveLength(256);
    expect(decoded.events).toHaveLength(1000);
    expect(decoded.links).toHaveLength(128);
    // 1001 - 256 attributes, 4000 events, 372 links
    expect(result.truncated).toBe(745 + 4000 + 372);

    const arr = decodeTraceRequestProto(encodeTraceRequestProto([{ ...span, attributes: { bigArray: attributes.bigArray } }]));
    expect((arr.spans[0].attributes.bigArray as number[]).length).toBe(1024);
    const kv = decodeTraceRequestProto(encodeTraceRequestProto([{ ...span, attributes: { map: attributes } }]), { maxAttributesPerItem: 10 });
    expect(Object.keys(kv.spans[0].attributes.map as object)).toHaveLength(10);
  });

  test('JSON and protobuf apply limits identically', () => {
    const [span] = modelSpans();
    const attributes: Record<string, AttributeValue> = {};
    for (let i = 0; i < 300; i++) attributes[`a${i}`] = 'v'.repeat(i * 40);
    const bytes = encodeTraceRequestProto([{ ...span, attributes }]);
    // Re-express the same request in OTLP/JSON via the reference decoder.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
    const T = generated.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
    const obj = T.toObject(T.decode(bytes), { longs: String, bytes: String });
    const toHex = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('hex') : undefined);
    for (const rs of obj.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          s.traceId = toHex(s.traceId);
          s.spanId = toHex(s.spanId);
          s.parentSpanId = toHex(s.parentSpanId);
          for (const l of s.links) {
            l.traceId = toHex(l.traceId);
            l.spanId = toHex(l.spanId);
          }
        }
    expect(decodeTraceRequestJson(obj)).toEqual(decodeTraceRequestProto(bytes));
  });

  test('log bodies are cut at maxLogBodyLength', () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1000', body: { stringValue: 'b'.repeat(100_000) } }] }] }] };
    const json = decodeLogsRequestJson(body);
    expect(json.logs[0].body).toHaveLength(65536);
    expect(decodeLogsRequestJson(body, { maxLogBodyLength: 10 }).logs[0].body).toBe('b'.repeat(10));
    expect(decodeLogsRequestProto(new Uint8Array(0)).logs).toEqual([]);
  });

  test('resolveInputLimits ignores nonsense and caps nesting', () => {
    expect(resolveInputLimits()).toEqual(DEFAULT_INPUT_LIMITS);
    const limits = resolveInputLimits({ maxEventsPerSpan: -1, maxLinksPerSpan: NaN, maxNestingDepth: 1e9, maxAttributesPerItem: 0 });
    expect(limits.maxEventsPerSpan).toBe(1000);
    expect(limits.maxLinksPerSpan).toBe(128);
    expect(limits.maxNestingDepth).toBe(32);
    expect(limits.maxAttributesPerItem).toBe(0);
  });
});
