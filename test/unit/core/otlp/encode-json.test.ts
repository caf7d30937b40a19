import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequestJson, decodeTraceRequestProto, encodeTraceRequestJson } from '../../../../core/otlp';
import type { Span } from '../../../../core/model';
import { modelSpans } from './model-fixtures';
import { sdkSpans } from './sdk-fixtures';

const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
/** Through JSON text, as a client downloading it would get it. */
const roundTrip = (spans: Span[]) => decodeTraceRequestJson(JSON.stringify(encodeTraceRequestJson(spans)));

describe('encodeTraceRequestJson', () => {
  test('round trip through JSON text: decode(encode(spans)) equals the spans', () => {
    const spans = modelSpans();
    const decoded = roundTrip(spans);
    expect(decoded.rejected).toBe(0);
    expect(decoded.truncated).toBe(0);
    expect([...decoded.spans].sort(byId)).toEqual([...spans].sort(byId));
  });

  test('round trip of SDK-produced spans', async () => {
    const first = decodeTraceRequestProto(ProtobufTraceSerializer.serializeRequest(await sdkSpans())!).spans;
    expect(roundTrip(first).spans).toEqual(first);
  });

  test('values JSON cannot spell directly survive: -0, NaN, ±Infinity, int64 strings, nested lists, null', () => {
    const [base] = modelSpans();
    const span: Span = {
      ...base,
      attributes: { neg0: -0, nan: NaN, inf: Infinity, minf: -Infinity, big: '9007199254740993', nested: { a: [1, { b: null }] }, half: 0.5 },
    };
    const [back] = roundTrip([span]).spans;
    expect(Object.is(back.attributes.neg0, -0)).toBe(true);
    expect(back.attributes.nan).toBeNaN();
    expect(back.attributes).toMatchObject({ inf: Infinity, minf: -Infinity, big: '9007199254740993', nested: { a: [1, { b: null }] }, half: 0.5 });
  });

  test('the envelope an OTLP/HTTP JSON exporter posts: hex ids, nanosecond strings, numeric enums, grouping', () => {
    const spans = modelSpans();
    const request = encodeTraceRequestJson(spans);
    expect(request.resourceSpans).toHaveLength(3);
    const first = request.resourceSpans[0].scopeSpans[0];
    expect(first.scope).toEqual({ name: 'order-center', version: '1.4.0' });
    const span = first.spans[0];
    const model = spans.find((s) => s.spanId === span.spanId)!;
    expect(span.traceId).toBe(model.traceId);
    expect(span.startTimeUnixNano).toBe(`${model.startUs}000`);
    expect(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)).toBe(BigInt(model.durationUs) * 1000n);
    expect(typeof span.kind).toBe('number');
  });
});
