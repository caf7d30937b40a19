import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogsRequestJson, decodeLogsRequestProto, decodeTraceRequestJson, decodeTraceRequestProto } from '../../../../core/otlp';
import type { Span } from '../../../../core/model';
import { sdkLogRecords, sdkSpans, T0_US } from './sdk-fixtures';

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('spans from the OpenTelemetry JS SDK', () => {
  let fromProto: ReturnType<typeof decodeTraceRequestProto>;
  let fromJson: ReturnType<typeof decodeTraceRequestJson>;
  let byName: Map<string, Span>;

  beforeAll(async () => {
    const spans = await sdkSpans();
    fromProto = decodeTraceRequestProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    fromJson = decodeTraceRequestJson(text(JsonTraceSerializer.serializeRequest(spans)));
    byName = new Map(fromProto.spans.map((s) => [s.name, s]));
  });

  test('protobuf and JSON encodings decode to the same model', () => {
    expect(fromProto.spans).toHaveLength(5);
    expect(fromProto.rejected).toBe(0);
    expect(fromJson).toEqual(fromProto);
  });

  test('JSON given as bytes or as a parsed object decodes the same', async () => {
    const spans = await sdkSpans();
    const bytes = JsonTraceSerializer.serializeRequest(spans)!;
    const a = decodeTraceRequestJson(bytes);
    const b = decodeTraceRequestJson(JSON.parse(text(bytes)));
    expect(a.spans.map((s) => s.name)).toEqual(b.spans.map((s) => s.name));
    expect(a.spans).toHaveLength(5);
  });

  test('root span fields, attributes of every kind, exact µs times', () => {
    const root = byName.get('POST /orders')!;
    expect(root).toMatchObject({
      parentSpanId: '',
      service: 'orders',
      kind: 'server',
      startUs: T0_US,
      durationUs: 10_000,
      status: { code: 'unset', message: '' },
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0' },
      resource: { 'service.name': 'orders', 'host.name': 'h1', 'process.pid': 4242 },
      events: [],
      links: [],
    });
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(root.attributes).toEqual({
      'http.request.method': 'POST',
      'http.response.status_code': 201,
      'order.id': 'ORD-1',
      ratio: 0.25,
      retried: false,
      tags: ['a', 'b'],
      codes: [1, 2, 3],
      big: 2 ** 40,
    });
  });

  test('child spans: parents, kinds, status, events, links, services', () => {
    const root = byName.get('POST /orders')!;
    const child = byName.get('reserve stock')!;
    expect(child.parentSpanId).toBe(root.spanId);
    expect(child.traceId).toBe(root.traceId);
    expect(child.kind).toBe('internal');
    expect(child.scope).toEqual({ name: 'order-center', version: '' });
    // start 1700000000.124456789 s, end 1700000000.125457788 s: floor to µs each.
    expect(child.startUs).toBe(T0_US + 1000);
    expect(child.durationUs).toBe(1001);
    expect(child.status).toEqual({ code: 'error', message: 'out of stock' });
    expect(child.events).toEqual([{ timeUs: T0_US + 1500, name: 'stock.checked', attributes: { sku: 'SKU-9', qty: 2 } }]);

    const charge = byName.get('charge')!;
    expect(charge).toMatchObject({ service: 'payments', kind: 'client', status: { code: 'ok', message: '' }, resource: { 'service.name': 'payments' } });
    expect(charge.links).toEqual([{ traceId: 'abcdef0123456789abcdef0123456789', spanId: '0123456789abcdef', attributes: { reason: 'retry-of' } }]);

    expect(byName.get('publish order.created')).toMatchObject({ kind: 'producer', durationUs: 0 });
    expect(byName.get('consume order.created')).toMatchObject({ kind: 'consumer', parentSpanId: '', durationUs: 1000 });
  });

  test('spans of one resource share one resource object', () => {
    const orders = fromProto.spans.filter((s) => s.service === 'orders');
    expect(new Set(orders.map((s) => s.resource)).size).toBe(1);
  });
});

describe('log records from the OpenTelemetry JS SDK', () => {
  let fromProto: ReturnType<typeof decodeLogsRequestProto>;
  let fromJson: ReturnType<typeof decodeLogsRequestJson>;

  beforeAll(async () => {
    const logs = await sdkLogRecords();
    fromProto = decodeLogsRequestProto(ProtobufLogsSerializer.serializeRequest(logs)!);
    fromJson = decodeLogsRequestJson(text(JsonLogsSerializer.serializeRequest(logs)));
  });

  test('protobuf and JSON encodings decode to the same model, ids included', () => {
    expect(fromProto.logs).toHaveLength(4);
    expect(fromProto.rejected).toBe(0);
    expect(fromJson).toEqual(fromProto);
    expect(new Set(fromProto.logs.map((l) => l.id)).size).toBe(4);
    for (const log of fromProto.logs) expect(log.id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('field values', () => {
    const [info, warn, error, bare] = fromProto.logs;
    expect(info).toMatchObject({
      timeUs: T0_US,
      observedTimeUs: T0_US + 5,
      service: 'orders',
      severityText: 'INFO',
      severityNumber: 9,
      body: 'order ORD-1 created',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      attributes: { 'order.id': 'ORD-1', amount: 12.5, items: 3 },
      resource: { 'service.name': 'orders', 'host.name': 'h1' },
      scope: { name: 'order-logger', version: '1.0.0' },
    });
    // No severity text: derived from WARN2 (14).
    expect(warn).toMatchObject({ severityNumber: 14, severityText: 'WARN', traceId: '', spanId: '' });
    expect(JSON.parse(warn.body)).toEqual({ event: 'stock.low', sku: 'SKU-9', levels: [1, 2], nested: { deep: true } });
    expect(warn.attributes).toEqual({ map: { a: 1, b: ['x', 'y'] } });
    expect(error).toMatchObject({ severityText: 'Error', severityNumber: 17, body: '42', attributes: { raw: 'AQID+g==' } });
    expect(bare).toMatchObject({ severityText: '', severityNumber: 0, body: '', timeUs: T0_US + 3000 });
  });
});
