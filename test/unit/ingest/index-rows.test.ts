import type { Span } from '../../../core/model';
import { businessKeysOfLogs, businessKeysOfSpans } from '../../../ingest/business-keys';
import { messageIdsOf, traceLinksOf } from '../../../ingest/trace-links';

const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);

function span(overrides: Partial<Span>): Span {
  return {
    traceId: T1,
    spanId: 'a'.repeat(16),
    parentSpanId: '',
    service: 'order-api',
    name: 'POST /orders',
    kind: 'server',
    startUs: 1000,
    durationUs: 10,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { 'service.name': 'order-api' },
    events: [],
    links: [],
    scope: { name: 'test', version: '' },
    ...overrides,
  };
}

describe('business keys', () => {
  const rules = { attributeNames: ['order.id', 'customer.id'], bodyPatterns: [{ key: 'order.id', pattern: /order (ORD-[\w-]+)/ }] };

  it('takes one row per key, value and trace, at the earliest time, from span and resource attributes', () => {
    const rows = businessKeysOfSpans(
      [
        span({ startUs: 2000, attributes: { 'order.id': 'ORD-1' } }),
        span({ startUs: 1000, spanId: 'b'.repeat(16), attributes: { 'order.id': 'ORD-1', 'customer.id': 42 } }),
        span({ traceId: T2, resource: { 'service.name': 'x', 'customer.id': 'C-9' } }),
        span({ attributes: { 'order.id': ['not', 'a', 'key'], 'customer.id': 'x'.repeat(300) } }),
      ],
      rules,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { key: 'order.id', value: 'ORD-1', traceId: T1, timeUs: 1000 },
        { key: 'customer.id', value: '42', traceId: T1, timeUs: 1000 },
        { key: 'customer.id', value: 'C-9', traceId: T2, timeUs: 1000 },
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it('keeps rows apart when traces interleave and a trace changes value, and keeps the earliest time of repeats', () => {
    const rows = businessKeysOfSpans(
      [
        span({ startUs: 50, attributes: { 'order.id': 'ORD-1' } }),
        span({ traceId: T2, startUs: 40, attributes: { 'order.id': 'ORD-1' } }),
        span({ startUs: 30, attributes: { 'order.id': 'ORD-1' } }),
        span({ startUs: 60, attributes: { 'order.id': 'ORD-2' } }),
        span({ startUs: 20, attributes: { 'order.id': 'ORD-1' } }),
        span({ traceId: T2, startUs: 10, attributes: { 'order.id': 'ORD-1' } }),
        span({ startUs: 5, attributes: {}, resource: { 'order.id': 'ORD-2' } }),
      ],
      rules,
    );
    expect(rows).toEqual([
      { key: 'order.id', value: 'ORD-1', traceId: T1, timeUs: 20 },
      { key: 'order.id', value: 'ORD-1', traceId: T2, timeUs: 10 },
      { key: 'order.id', value: 'ORD-2', traceId: T1, timeUs: 5 },
    ]);
  });

  it('keeps every distinct value of a trace that carries many (a batch job touching 50 orders), each once at its earliest time', () => {
    const batch = Array.from({ length: 100 }, (_, i) => span({ startUs: 1000 - i, attributes: { 'order.id': `ORD-${i % 50}` } }));
    const rows = businessKeysOfSpans(batch, rules);
    expect(rows).toHaveLength(50);
    // ORD-k is seen at 1000 - k and 1000 - (k + 50): the later span is the earlier time
    for (let k = 0; k < 50; k++) expect(rows[k]).toEqual({ key: 'order.id', value: `ORD-${k}`, traceId: T1, timeUs: 1000 - (k + 50) });
  });

  it('reads a resource shared by a run of spans once, with the same rows as reading it per span', () => {
    let reads = 0;
    const counted = (attrs: Record<string, string>) => new Proxy(attrs, { get: (t, k) => (reads++, Reflect.get(t, k)) });
    const shared = counted({ 'service.name': 'order-api', 'customer.id': 'C-1' });
    const other = counted({ 'service.name': 'billing' });
    const spans = [
      ...Array.from({ length: 50 }, (_, i) => span({ traceId: i % 2 ? T1 : T2, startUs: 100 - i, resource: shared })),
      span({ traceId: T2, startUs: 1, resource: other }),
      span({ traceId: T1, startUs: 2, resource: shared, attributes: { 'order.id': 'ORD-7' } }),
    ];
    const rows = businessKeysOfSpans(spans, rules);
    expect(rows).toEqual([
      { key: 'customer.id', value: 'C-1', traceId: T2, timeUs: 52 },
      { key: 'customer.id', value: 'C-1', traceId: T1, timeUs: 2 },
      { key: 'order.id', value: 'ORD-7', traceId: T1, timeUs: 2 },
    ]);
    // two names, read per run of spans sharing the resource (three runs), not per span (52)
    expect(reads).toBe(3 * rules.attributeNames.length);
  });

  it('keeps the earliest time of a key found in log bodies and attributes alike', () => {
    const base = { id: 'x', observedTimeUs: 0, service: 's', severityText: 'INFO', severityNumber: 9, spanId: '', resource: {}, scope: { name: '', version: '' } };
    const rows = businessKeysOfLogs(
      [
        { ...base, timeUs: 9, traceId: T1, attributes: {}, body: 'order ORD-5 paid' },
        { ...base, timeUs: 4, traceId: T1, attributes: { 'order.id': 'ORD-5' }, body: 'paid' },
        { ...base, timeUs: 7, traceId: T1, attributes: {}, body: 'order ORD-5 shipped' },
      ],
      rules,
    );
    expect(rows).toEqual([{ key: 'order.id', value: 'ORD-5', traceId: T1, timeUs: 4 }]);
  });

  it('finds keys in log bodies by pattern, only for logs that belong to a trace', () => {
    const base = { id: 'x', observedTimeUs: 0, service: 's', severityText: 'INFO', severityNumber: 9, spanId: '', attributes: {}, resource: {}, scope: { name: '', version: '' } };
    const rows = businessKeysOfLogs(
      [
        { ...base, timeUs: 5, traceId: T1, body: 'reserved stock for order ORD-77 ok' },
        { ...base, timeUs: 6, traceId: '', body: 'order ORD-78 without trace' },
      ],
      rules,
    );
    expect(rows).toEqual([{ key: 'order.id', value: 'ORD-77', traceId: T1, timeUs: 5 }]);
  });
});

describe('trace joins', () => {
  it('turns cross-trace span links into joins and ignores links inside the trace', () => {
    const joins = traceLinksOf([
      span({ traceId: T2, spanId: 'c'.repeat(16), kind: 'consumer', startUs: 9, links: [{ traceId: T1, spanId: 'a'.repeat(16), attributes: {} }] }),
      span({ links: [{ traceId: T1, spanId: 'b'.repeat(16), attributes: {} }] }),
    ]);
    expect(joins).toEqual([{ fromTraceId: T2, fromSpanId: 'c'.repeat(16), toTraceId: T1, toSpanId: 'a'.repeat(16), kind: 'link', timeUs: 9 }]);
  });

  it('records messaging ids of producer and consumer spans only', () => {
    const ids = messageIdsOf([
      span({ kind: 'producer', attributes: { 'messaging.message.id': 'm-1' } }),
      span({ traceId: T2, kind: 'consumer', attributes: { 'messaging.message.id': 'm-1' } }),
      span({ kind: 'client', attributes: { 'messaging.message.id': 'm-2' } }),
    ]);
    expect(ids.map((i) => [i.traceId, i.side, i.messageId])).toEqual([
      [T1, 'producer', 'm-1'],
      [T2, 'consumer', 'm-1'],
    ]);
  });
});
