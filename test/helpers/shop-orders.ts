import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import type { LogRecord, Span } from '../../core/model';
import { makeLog, makeSpan, newTraceId } from '../contract/fixtures';
import { writeOrderSpans } from './chain-orders';

/**
 * A small shop whose faults are known: every order is one trace
 * frontend POST /checkout → checkout POST /order → inventory reserve and
 * payment charge (→ postgres), carrying `order.id`. A fault slows payment
 * down or makes inventory fail (with an error log line per failure); a WARN
 * line of search every few orders is the steady noise.
 */
export interface ShopTrafficSpec {
  fromMs: number;
  toMs: number;
  perMinute: number;
  /** Payment's charge time at a moment (ms). */
  paymentMs: (tMs: number) => number;
  /** Whether inventory's reserve fails at a moment. */
  inventoryFails?: (tMs: number) => boolean;
  /** A failed reservation ends the order at once (no payment): failed orders are then the quickest. */
  failureEndsOrder?: boolean;
}

export function shopOrder(orderId: string, t0Ms: number, paymentMs: number, inventoryFails: boolean, failureEndsOrder = false): { spans: Span[]; logs: LogRecord[] } {
  const traceId = newTraceId();
  const us = (ms: number) => Math.round(ms * 1000);
  const error = { code: 'error' as const, message: 'stock reservation failed' };
  const ok = { code: 'unset' as const, message: '' };
  const paid = !(inventoryFails && failureEndsOrder);
  const total = paid ? 8 + 12 + paymentMs : 12;
  const root = makeSpan({ traceId, service: 'frontend', name: 'POST /checkout', kind: 'server', startUs: us(t0Ms), durationUs: us(total), attributes: { 'order.id': orderId }, status: inventoryFails ? error : ok });
  const toCheckout = makeSpan({ traceId, service: 'frontend', name: 'POST /order', kind: 'client', parentSpanId: root.spanId, startUs: us(t0Ms + 1), durationUs: us(total - 2), attributes: { 'peer.service': 'checkout' }, status: inventoryFails ? error : ok });
  const checkout = makeSpan({ traceId, service: 'checkout', name: 'POST /order', kind: 'server', parentSpanId: toCheckout.spanId, startUs: us(t0Ms + 2), durationUs: us(total - 4), attributes: { 'order.id': orderId }, status: inventoryFails ? error : ok });
  const toInventory = makeSpan({ traceId, service: 'checkout', name: 'POST /reserve', kind: 'client', parentSpanId: checkout.spanId, startUs: us(t0Ms + 3), durationUs: us(5), attributes: { 'peer.service': 'inventory' }, status: inventoryFails ? error : ok });
  const inventory = makeSpan({ traceId, service: 'inventory', name: 'reserve', kind: 'server', parentSpanId: toInventory.spanId, startUs: us(t0Ms + 3.5), durationUs: us(4), status: inventoryFails ? error : ok });
  const toPayment = makeSpan({ traceId, service: 'checkout', name: 'POST /charge', kind: 'client', parentSpanId: checkout.spanId, startUs: us(t0Ms + 9), durationUs: us(paymentMs + 2), attributes: { 'peer.service': 'payment' } });
  const payment = makeSpan({ traceId, service: 'payment', name: 'charge', kind: 'server', parentSpanId: toPayment.spanId, startUs: us(t0Ms + 10), durationUs: us(paymentMs) });
  const query = makeSpan({ traceId, service: 'payment', name: 'UPDATE balances', kind: 'client', parentSpanId: payment.spanId, startUs: us(t0Ms + 10.5), durationUs: us(Math.min(2, paymentMs / 4)), attributes: { 'db.system': 'postgresql' } });
  const logs: LogRecord[] = [];
  if (inventoryFails) {
    logs.push(makeLog({ service: 'inventory', severityText: 'ERROR', severityNumber: 17, timeUs: us(t0Ms + 7), observedTimeUs: us(t0Ms + 8), body: `reserve failed for ${orderId}: row lock timeout after ${Math.round(3 + (t0Ms % 5))} ms`, traceId, spanId: inventory.spanId }));
  }
  return { spans: paid ? [root, toCheckout, checkout, toInventory, inventory, toPayment, payment, query] : [root, toCheckout, checkout, toInventory, inventory], logs };
}

/** Writes the shop's orders, evenly spread over the window, with their business keys and log lines; returns how many. */
export async function writeShopTraffic(spans: SpanStore, logs: LogStore, spec: ShopTrafficSpec): Promise<number> {
  const gapMs = 60_000 / spec.perMinute;
  let batchSpans: Span[] = [];
  let batchLogs: LogRecord[] = [];
  let n = 0;
  const flush = async () => {
    await writeOrderSpans(spans, batchSpans);
    await logs.writeLogs({ logs: batchLogs, businessKeys: [] });
    batchSpans = [];
    batchLogs = [];
  };
  for (let t = spec.fromMs; t < spec.toMs; t += gapMs) {
    const tMs = Math.round(t);
    const order = shopOrder(`ORD-${tMs}`, tMs, spec.paymentMs(tMs), spec.inventoryFails?.(tMs) ?? false, spec.failureEndsOrder);
    batchSpans.push(...order.spans);
    batchLogs.push(...order.logs);
    if (n % 7 === 0) batchLogs.push(makeLog({ service: 'search', severityText: 'WARN', severityNumber: 13, timeUs: tMs * 1000, observedTimeUs: tMs * 1000, body: 'index refresh took longer than usual' }));
    n++;
    if (batchSpans.length >= 3000) await flush();
  }
  await flush();
  return n;
}
