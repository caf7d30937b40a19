import { readFileSync } from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  decodeLogsRequestProto,
  decodeTraceRequestProto,
  encodeLogsRequestProto,
  encodeTraceRequestProto,
} from '../../../../core/otlp';
import { modelLogs, modelSpans, RESOURCE_ORDERS } from './model-fixtures';
import { sdkLogRecords, sdkSpans } from './sdk-fixtures';

// The generated protobufjs module inside otlp-transformer (internal path, not public API).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const generated = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceRequest = generated.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const logsRoot = protobuf.parse(readFileSync(path.join(__dirname, '../../../fixtures/otlp/logs-reference.proto'), 'utf8')).root;
const LogsRequest = logsRoot.lookupType('opentelemetry.proto.logs.v1.ExportLogsServiceRequest');

const toObjectOptions = { longs: String, bytes: String, defaults: false, oneofs: false };
const hexOfBase64 = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

describe('encodeTraceRequestProto', () => {
  test('round trip: decode(encode(spans)) equals the spans', () => {
    const spans = modelSpans();
    const decoded = decodeTraceRequestProto(encodeTraceRequestProto(spans));
    expect(decoded.rejected).toBe(0);
    expect(decoded.truncated).toBe(0);
    // Grouping reorders by resource then scope; compare by span id.
    const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
    expect([...decoded.spans].sort(byId)).toEqual([...spans].sort(byId));
  });

  test('round trip of SDK-produced spans through our decoder and encoder', async () => {
    const first = decodeTraceRequestProto(ProtobufTraceSerializer.serializeRequest(await sdkSpans())!).spans;
    const second = decodeTraceRequestProto(encodeTraceRequestProto(first)).spans;
    expect(second).toEqual(first);
  });

  test('groups by resource (equal attributes, not only identity) and scope', () => {
    const request = TraceRequest.toObject(TraceRequest.decode(encodeTraceRequestProto(modelSpans())), toObjectOptions);
    expect(request.resourceSpans).toHaveLength(3);
    const [orders, payments, unknown] = request.resourceSpans;
    expect(orders.scopeSpans.map((s: any) => [s.scope.name, s.scope.version ?? '', s.spans.length])).toEqual([
      ['order-center', '1.4.0', 3],
      ['other-lib', '', 1],
    ]);
    expect(payments.scopeSpans[0].spans).toHaveLength(1);
    expect(unknown.resource.attributes ?? []).toEqual([]);
  });

  test('the reference decoder (otlp-transformer generated root) reads our bytes field by field', () => {
    const spans = modelSpans();
    const request = TraceRequest.toObject(TraceRequest.decode(encodeTraceRequestProto(spans)), toObjectOptions);
    const rs = request.resourceSpans[0];
    expect(rs.resource.attributes.map((kv: any) => kv.key)).toEqual(Object.keys(RESOURCE_ORDERS));
    expect(rs.resource.attributes[2].value.kvlistValue.values[1].value.arrayValue.values).toEqual([
      { stringValue: 'web' },
      { stringValue: 'api' },
    ]);
    const span = rs.scopeSpans[0].spans[0];
    expect(hexOfBase64(span.traceId)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(hexOfBase64(span.spanId)).toBe('00f067aa0ba902b7');
    expect(span.parentSpanId ?? '').toBe('');
    expect(span.name).toBe('POST /orders');
    expect(span.kind).toBe(2);
    expect(span.startTimeUnixNano).toBe('1700000000123456000');
    expect(span.endTimeUnixNano).toBe('1700000000148456000');
    expect(span.status).toEqual({ code: 2, message: 'payment declined' });
    const attr = (key: string) => span.attributes.find((kv: any) => kv.key === key)?.value;
    expect(attr('http.response.status_code')).toEqual({ intValue: '201' });
    expect(attr('negative')).toEqual({ intValue: '-42' });
    expect(attr('ratio')).toEqual({ doubleValue: 0.5 });
    expect(attr('ok')).toEqual({ boolValue: true });
    expect(attr('nothing')).toEqual({});
    expect(attr('int.huge')).toEqual({ stringValue: '9007199254740993' });
    expect(attr('map').kvlistValue.values[0].value.kvlistValue.values[0].value.kvlistValue.values[0]).toEqual({
      key: 'c',
      value: { stringValue: 'deep' },
    });
    expect(span.events.map((e: any) => [e.timeUnixNano, e.name])).toEqual([
      ['1700000000124000000', 'exception'],
      ['1700000000125000000', 'retry'],
    ]);
    expect(span.links.map((l: any) => [hexOfBase64(l.traceId), hexOfBase64(l.spanId), l.attributes[0].key])).toEqual([
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'link.kind'],
    ]);
    const client = rs.scopeSpans[0].spans[1];
    expect(hexOfBase64(client.parentSpanId)).toBe('00f067aa0ba902b7');
    expect(client.kind).toBe(3);
    expect(client.status).toEqual({ code: 1 });
    expect(client.endTimeUnixNano).toBe(client.startTimeUnixNano);
    const consume = request.resourceSpans[1].scopeSpans[0].spans[0];
    expect(consume.startTimeUnixNano).toBe('1000');
    expect(BigInt(consume.endTimeUnixNano)).toBe((1n + 2n ** 40n) * 1000n);
  });

  test('bytes are canonical: the generated encoder re-encodes them identically (long strings, unicode, negatives)', () => {
    const [span] = modelSpans();
    const spans = [...modelSpans(), { ...span, spanId: '6666666666666666', name: 'ü'.repeat(300), attributes: { long: 'x'.repeat(20_000), neg: -(2 ** 53 - 1), zero: 0 } }];
    const ours = encodeTraceRequestProto(spans);
    const theirs = TraceRequest.encode(TraceRequest.decode(ours)).finish();
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    const decoded = decodeTraceRequestProto(ours, { maxAttributeValueLength: 100_000, maxNameLength: 100_000 });
    expect(decoded.spans.find((s) => s.spanId === '6666666666666666')?.attributes).toEqual({ long: 'x'.repeat(20_000), neg: -(2 ** 53 - 1), zero: 0 });
  });

  test('a span whose service disagrees with its resource gets service.name in the encoded resource', () => {
    const [span] = modelSpans();
    const odd = { ...span, service: 'billing', resource: { 'host.name': 'h9' } };
    const [decoded] = decodeTraceRequestProto(encodeTraceRequestProto([odd])).spans;
    expect(decoded.service).toBe('billing');
    expect(decoded.resource).toEqual({ 'host.name': 'h9', 'service.name': 'billing' });
  });

  test('no spans encode to an empty request', () => {
    expect(encodeTraceRequestProto([])).toHaveLength(0);
    expect(decodeTraceRequestProto(new Uint8Array(0)).spans).toEqual([]);
  });
});

describe('encodeLogsRequestProto', () => {
  test('round trip: decode(encode(logs)) equals the logs, ids recomputed equal', () => {
    const logs = modelLogs();
    const decoded = decodeLogsRequestProto(encodeLogsRequestProto(logs));
    expect(decoded.rejected).toBe(0);
    // Record 3 had observedTimeUs 0; everything else must come back as it was.
    expect(decoded.logs).toEqual(logs);
  });

  test('round trip of SDK-produced log records', async () => {
    const first = decodeLogsRequestProto(ProtobufLogsSerializer.serializeRequest(await sdkLogRecords())!).logs;
    const second = decodeLogsRequestProto(encodeLogsRequestProto(first)).logs;
    expect(second).toEqual(first);
  });

  test('a reference decoder (protobufjs over the published logs.proto field numbers) reads our bytes', () => {
    const request = LogsRequest.toObject(LogsRequest.decode(encodeLogsRequestProto(modelLogs())), toObjectOptions) as any;
    expect(request.resourceLogs).toHaveLength(2);
    const [orders, payments] = request.resourceLogs;
    expect(orders.scopeLogs[0].scope).toEqual({ name: 'order-logger', version: '1.0.0' });
    const [info, error] = orders.scopeLogs[0].logRecords;
    expect(info).toMatchObject({
      timeUnixNano: '1700000000123456000',
      observedTimeUnixNano: '1700000000123460000',
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: 'order ORD-1 created' },
    });
    expect(hexOfBase64(info.traceId)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(hexOfBase64(info.spanId)).toBe('00f067aa0ba902b7');
    expect(info.attributes.map((kv: any) => kv.key)).toEqual(['order.id', 'n', 'tags']);
    expect(info.attributes[1].value).toEqual({ intValue: '3' });
    expect(error).toMatchObject({ severityNumber: 17, severityText: 'ERROR', body: { stringValue: '{"structured":true}' } });
    expect(error.traceId).toBeUndefined();
    const bare = payments.scopeLogs[0].logRecords[0];
    expect(bare.severityNumber).toBeUndefined();
    expect(bare.body).toBeUndefined();
    expect(bare.timeUnixNano).toBe('1700000000300000000');
    expect(bare.observedTimeUnixNano).toBe('0');
  });
});
