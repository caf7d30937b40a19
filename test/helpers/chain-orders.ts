import { randomBytes } from 'node:crypto';
import type { SpanStore } from '../../core/contracts/span-store';
import type { Span, SpanKind } from '../../core/model';
import { businessKeysOfSpans } from '../../ingest/business-keys';
import { messageIdsOf, traceLinksOf } from '../../ingest/trace-links';

/** How one demo-like order behaves (all times in ms). */
export interface OrderSpec {
  orderId: string;
  /** Start, ms since the epoch. */
  t0: number;
  /** The payment provider call in the intake trace. */
  paymentMs?: number;
  /** Time order-events spends in the queue before fulfilment consumes it. */
  queueMs?: number;
  /** The scheduled settlement delay (order-jobs). */
  delayMs?: number;
  /** Extra inventory calls in the fulfilment trace (a big chain). */
  extraSpans?: number;
  /** The notification call fails. */
  error?: boolean;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function span(traceId: string, spanId: string, parent: string, service: string, name: string, kind: SpanKind, startMs: number, durationMs: number, attributes: Span['attributes'] = {}, links: Span['links'] = []): Span {
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    service,
    name,
    kind,
    startUs: Math.round(startMs * 1000),
    durationUs: Math.round(durationMs * 1000),
    status: { code: 'unset', message: '' },
    attributes,
    resource: { 'service.name': service },
    events: [],
    links,
    scope: { name: 'test', version: '1' },
  };
}

/**
 * The demo's journey in three traces, as the demo's SDK stamps it (whole ms):
 * intake (order-api → payment, publish order-events) → queue → fulfilment
 * (inventory, publish order-jobs at its very end) → scheduled delay →
 * scheduler (billing settlement, notification). Each hop is joined twice: a
 * span link and a messaging id.
 */
export function demoLikeOrder(spec: OrderSpec): Span[] {
  const { orderId, t0 } = spec;
  const paymentMs = spec.paymentMs ?? 40;
  const queueMs = spec.queueMs ?? 3;
  const delayMs = spec.delayMs ?? 500;
  const order = { 'order.id': orderId };
  const [A, B, C] = [hex(16), hex(16), hex(16)];
  const msg1 = `MSG-${hex(4)}`;
  const msg2 = `JOB-${hex(4)}`;

  const aRoot = hex(8);
  const aPub = hex(8);
  const intakeEnd = 10 + paymentMs + 10;
  const intake = [
    span(A, aRoot, '', 'order-api', 'POST /orders', 'server', t0, intakeEnd, { ...order }),
    span(A, hex(8), aRoot, 'payment', 'POST /payments/charge', 'client', t0 + 5, paymentMs, { ...order }),
    span(A, aPub, aRoot, 'order-api', 'publish order-events', 'producer', t0 + intakeEnd - 5, 5, {
      ...order,
      'messaging.destination.name': 'order-events',
      'messaging.message.id': msg1,
    }),
  ];

  const f0 = t0 + intakeEnd + queueMs;
  const bRoot = hex(8);
  const bPub = hex(8);
  const extra = spec.extraSpans ?? 0;
  const fulfilMs = 40 + extra * 0.01;
  const fulfil = [
    span(B, bRoot, '', 'fulfilment', 'process order-events', 'consumer', f0, fulfilMs, {
      ...order,
      'messaging.destination.name': 'order-events',
      'messaging.message.id': msg1,
    }, [{ traceId: A, spanId: aPub, attributes: {} }]),
    span(B, hex(8), bRoot, 'inventory', 'POST /inventory/commit', 'client', f0 + 2, 30, { ...order }),
    span(B, bPub, bRoot, 'fulfilment', 'publish order-jobs', 'producer', f0 + fulfilMs, 1, {
      ...order,
      'messaging.destination.name': 'order-jobs',
      'messaging.message.id': msg2,
    }),
  ];
  for (let i = 0; i < extra; i++) fulfil.push(span(B, hex(8), bRoot, 'inventory', 'SELECT stock', 'client', f0 + 33 + i * 0.01, 0.005, { 'db.system': 'postgresql' }));

  const c0 = f0 + fulfilMs + 1 + delayMs;
  const cRoot = hex(8);
  const note = span(C, hex(8), cRoot, 'notification', 'POST /notifications', 'client', c0 + 30, 15, { ...order });
  if (spec.error) note.status = { code: 'error', message: 'smtp down' };
  const scheduled = [
    span(C, cRoot, '', 'scheduler', 'process order-jobs', 'consumer', c0, 50, {
      ...order,
      'messaging.destination.name': 'order-jobs',
      'messaging.message.id': msg2,
    }, [{ traceId: B, spanId: bPub, attributes: {} }]),
    span(C, hex(8), cRoot, 'billing', 'POST /billing/settlements', 'client', c0 + 3, 25, { ...order }),
    note,
  ];
  return [...intake, ...fulfil, ...scheduled];
}

/** Writes spans with the index rows ingest would derive (business keys by attribute, links, messaging ids). */
export async function writeOrderSpans(store: SpanStore, spans: Span[], keys: string[] = ['order.id']): Promise<void> {
  await store.writeSpans({
    spans,
    businessKeys: businessKeysOfSpans(spans, { attributeNames: keys }),
    traceLinks: traceLinksOf(spans),
    messageIds: messageIdsOf(spans),
  });
}
