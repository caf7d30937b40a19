import type { LogRecord, Span } from '../../../../core/model';
import { logRecordId } from '../../../../core/otlp';

export const RESOURCE_ORDERS = { 'service.name': 'orders', 'host.name': 'h1', 'k8s.pod.labels': { app: 'orders', tier: ['web', 'api'] } };

export function modelSpans(): Span[] {
  const orders = RESOURCE_ORDERS;
  const ordersCopy = JSON.parse(JSON.stringify(orders)); // equal, not identical: must group together
  const scope = { name: 'order-center', version: '1.4.0' };
  const base = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    service: 'orders',
    resource: orders,
    scope,
    events: [],
    links: [],
    status: { code: 'unset' as const, message: '' },
    attributes: {},
  };
  return [
    {
      ...base,
      spanId: '00f067aa0ba902b7',
      parentSpanId: '',
      name: 'POST /orders',
      kind: 'server',
      startUs: 1700000000123456,
      durationUs: 25_000,
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 201,
        negative: -42,
        ratio: 0.5,
        'double.integral': 3,
        'int.huge': '9007199254740993',
        ok: true,
        nothing: null,
        list: ['a', 1, false, null, [1.5, 'x']],
        map: { a: { b: { c: 'deep' } }, n: [] },
        empty: '',
        unicode: 'größe ✓ 𝄞',
      },
      events: [
        { timeUs: 1700000000124000, name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'boom' } },
        { timeUs: 1700000000125000, name: 'retry', attributes: {} },
      ],
      links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: { 'link.kind': 'follows' } }],
      status: { code: 'error', message: 'payment declined' },
    },
    {
      ...base,
      resource: ordersCopy,
      spanId: '1111111111111111',
      parentSpanId: '00f067aa0ba902b7',
      name: 'SELECT orders',
      kind: 'client',
      startUs: 1700000000130000,
      durationUs: 0,
      attributes: { 'db.system': 'postgresql' },
      status: { code: 'ok', message: '' },
    },
    {
      ...base,
      scope: { name: 'other-lib', version: '' },
      spanId: '2222222222222222',
      parentSpanId: '00f067aa0ba902b7',
      name: 'publish',
      kind: 'producer',
      startUs: 1700000000140001,
      durationUs: 7,
      attributes: { 'messaging.message.id': 'm-1' },
    },
    {
      ...base,
      traceId: 'ffffffffffffffffffffffffffffffff',
      service: 'payments',
      resource: { 'service.name': 'payments' },
      spanId: '3333333333333333',
      parentSpanId: '',
      name: 'consume',
      kind: 'consumer',
      startUs: 1,
      durationUs: 2 ** 40,
    },
    {
      ...base,
      service: 'unknown_service',
      resource: {},
      scope: { name: '', version: '' },
      spanId: '4444444444444444',
      parentSpanId: '',
      name: '',
      kind: 'unspecified',
      startUs: 1700000000150000,
      durationUs: 1,
    },
    {
      ...base,
      spanId: '5555555555555555',
      parentSpanId: '',
      name: 'internal',
      kind: 'internal',
      startUs: 1700000000160000,
      durationUs: 1,
    },
  ] as Span[];
}

export function modelLogs(): LogRecord[] {
  const resource = RESOURCE_ORDERS;
  const scope = { name: 'order-logger', version: '1.0.0' };
  const records: Omit<LogRecord, 'id'>[] = [
    {
      timeUs: 1700000000123456,
      observedTimeUs: 1700000000123460,
      service: 'orders',
      severityText: 'INFO',
      severityNumber: 9,
      body: 'order ORD-1 created',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      attributes: { 'order.id': 'ORD-1', n: 3, tags: ['x'] },
      resource,
      scope,
    },
    {
      timeUs: 1700000000200000,
      observedTimeUs: 1700000000200000,
      service: 'orders',
      severityText: 'ERROR',
      severityNumber: 17,
      body: '{"structured":true}',
      traceId: '',
      spanId: '',
      attributes: {},
      resource,
      scope,
    },
    {
      timeUs: 1700000000300000,
      observedTimeUs: 0,
      service: 'payments',
      severityText: '',
      severityNumber: 0,
      body: '',
      traceId: '',
      spanId: '',
      attributes: { nested: { a: [1, { b: null }] } },
      resource: { 'service.name': 'payments', 'host.name': 'h2' },
      scope: { name: '', version: '' },
    },
  ];
  return records.map((r) => ({ ...r, id: logRecordId(r) }));
}
