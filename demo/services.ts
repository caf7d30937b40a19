/**
 * The order center's business logic: nine services wired together with real HTTP,
 * an in-process topic (order-events) and a delayed job queue (order-jobs).
 *
 * Journey of one order (three traces, tied together by span links + message ids):
 *  1. intake (sync):  order-api → customer, product-catalog, inventory, payment; publish order-events
 *  2. fulfilment:     fulfilment consumes order-events → inventory, billing; schedules an order-jobs job
 *  3. post-processing: scheduler runs the job 0.5–3 s later → billing (→ payment capture), notification
 *                      (→ sms-gateway / email-gateway)
 */
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
} from '@opentelemetry/api';
import { w3c } from './otel';
import { BoundedTopic, DelayedJobs, type Message } from './queue';
import { chance, hex, intBetween, lognormal, pick, sleep, uniform } from './random';
import { DemoService, HttpError, markError, orderAttributes, type OrderRef } from './runtime';

export const SERVICE_NAMES = [
  'order-api',
  'customer',
  'product-catalog',
  'inventory',
  'payment',
  'billing',
  'notification',
  'fulfilment',
  'scheduler',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const SERVICE_VERSIONS: Record<ServiceName, string> = {
  'order-api': '2.14.3',
  customer: '1.8.0',
  'product-catalog': '3.2.1',
  inventory: '1.21.4',
  payment: '4.0.2',
  billing: '2.3.7',
  notification: '1.5.0',
  fulfilment: '1.11.2',
  scheduler: '0.9.4',
};

/** Probabilities of the interesting things that happen to orders. */
export const FAULTS = {
  inventorySlow: 0.05, // +800..2000 ms waiting on a stock row lock
  inventoryTimeout: 0.01, // lock wait timeout → 504, order fails
  paymentSlow: 0.03, // PSP answers after +600..1500 ms
  paymentTransient: 0.04, // PSP 503 → payment 503 → order-api retries once
  paymentDeclined: 0.03, // card declined → 402, order rejected
  customerSuspended: 0.005, // 403, order rejected
  smsTransient: 0.05, // SMS gateway 503 → notification retries once
  catalogCacheMiss: 0.1,
  customerCacheMiss: 0.3,
};
export type FaultRates = typeof FAULTS;

/** The rates without the built-in faults (cache misses stay): orders slow only where a switched-on fault makes them. */
export const NO_NATURAL_FAULTS: FaultRates = {
  ...FAULTS,
  inventorySlow: 0,
  inventoryTimeout: 0,
  paymentSlow: 0,
  paymentTransient: 0,
  paymentDeclined: 0,
  customerSuspended: 0,
  smsTransient: 0,
};

/**
 * How messages reach their consumer: by default straight into this process's topic and job
 * queue; with the services in separate processes, over HTTP to the consumer's process.
 */
export interface MessageTransport {
  publishEvent(m: Message<OrderEvent>): boolean | Promise<boolean>;
  scheduleJob(m: Message<JobPayload>, delayMs: number): boolean | Promise<boolean>;
}

export interface OrderCenterOptions {
  /** Default FAULTS; NO_NATURAL_FAULTS for a bench that wants only its own faults. */
  rates?: FaultRates;
  transport?: MessageTransport;
}

export const PRODUCTS = [
  { sku: 'PHONE-X12-128', name: 'X12 smartphone 128GB', price: 699.0 },
  { sku: 'SIM-5G-PREPAID', name: '5G prepaid SIM', price: 9.9 },
  { sku: 'PLAN-UNLTD-24M', name: 'Unlimited plan 24 months (activation)', price: 29.0 },
  { sku: 'ROUTER-FIBER-AX3000', name: 'Fiber router AX3000', price: 149.0 },
  { sku: 'EARBUDS-PRO', name: 'Wireless earbuds Pro', price: 129.0 },
  { sku: 'CASE-X12', name: 'X12 protective case', price: 19.9 },
  { sku: 'CHARGER-65W', name: '65W USB-C charger', price: 39.0 },
  { sku: 'TABLET-T10', name: 'T10 tablet LTE', price: 329.0 },
] as const;
const WAREHOUSES = ['WH-BER-1', 'WH-MUC-2', 'WH-HAM-1', 'WH-FRA-3'];
const CARRIERS = ['DHL', 'DPD', 'UPS', 'Hermes'];

export interface OrderEvent {
  orderId: string;
  customerId: string;
  items: { sku: string; qty: number }[];
  total: number;
  currency: string;
  paymentId: string;
  tier: string;
}

export interface JobPayload extends OrderEvent {
  invoiceId: string;
  shipmentId: string;
  carrier: string;
}

export interface DemoStats {
  ordersSubmitted: number;
  ordersAccepted: number;
  ordersRejected: number;
  ordersFailed: number;
  ordersSkipped: number;
  fulfilled: number;
  jobsCompleted: number;
  eventsDropped: number;
  jobsDropped: number;
  /** With file logs (logDir): lines written to the files, and lines dropped (buffer full, failed writes). */
  logLinesWritten: number;
  logLinesDropped: number;
}

export interface OrderCenter {
  services: Record<ServiceName, DemoService>;
  topic: BoundedTopic<OrderEvent>;
  jobs: DelayedJobs<JobPayload>;
  stats: DemoStats;
  nextOrderId(): string;
}

const money = (n: number) => n.toFixed(2);

/** Start a PRODUCER span, inject its context into the message headers and hand the message over. */
async function produce<T>(
  svc: DemoService,
  destination: string,
  messageId: string,
  order: OrderRef,
  payload: T,
  send: (m: Message<T>) => boolean | Promise<boolean>,
  extra: Record<string, string | number> = {},
): Promise<boolean> {
  return svc.inSpan(
    `publish ${destination}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'inproc',
        'messaging.destination.name': destination,
        'messaging.operation': 'publish',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.message.id': messageId,
        ...orderAttributes(order),
        ...extra,
      },
    },
    async (span) => {
      const headers: Record<string, string> = {};
      w3c.inject(context.active(), headers, defaultTextMapSetter);
      const ok = await send({ id: messageId, topic: destination, headers, payload, publishedAt: Date.now() });
      if (!ok) {
        span.setAttribute('messaging.dropped', true);
        span.setStatus({ code: SpanStatusCode.ERROR, message: `${destination} full, message dropped` });
        svc.log('WARN', `queue ${destination} full: dropped message ${messageId} for order ${order.orderId}`, order, {
          'messaging.message.id': messageId,
        });
      } else {
        svc.log('DEBUG', `published ${messageId} to ${destination} for order ${order.orderId}`, order, {
          'messaging.message.id': messageId,
        });
      }
      return ok;
    },
  );
}

/** Run a consumer handler as the root of a NEW trace linked to the producer span. */
async function consume<T extends OrderRef>(
  svc: DemoService,
  m: Message<T>,
  group: string,
  fn: () => Promise<void>,
): Promise<void> {
  const producerCtx = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, m.headers, defaultTextMapGetter));
  const links: Link[] = producerCtx
    ? [{ context: producerCtx, attributes: { 'messaging.message.id': m.id, 'link.kind': 'follows_from' } }]
    : [];
  const order: OrderRef = { orderId: m.payload.orderId, customerId: m.payload.customerId };
  const span = svc.tracer.startSpan(
    `process ${m.topic}`,
    {
      kind: SpanKind.CONSUMER,
      root: true,
      links,
      attributes: {
        'messaging.system': 'inproc',
        'messaging.destination.name': m.topic,
        'messaging.operation': 'process',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.message.id': m.id,
        'messaging.consumer.group.name': group,
        'messaging.message.queue_time_ms': Date.now() - m.publishedAt,
        ...orderAttributes(order),
      },
    },
    ROOT_CONTEXT,
  );
  await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
    try {
      await svc.applyOperationFaults(`process ${m.topic}`, order);
      await fn();
    } catch (err) {
      markError(span, err);
      svc.log('ERROR', `processing ${m.id} from ${m.topic} failed for order ${order.orderId}: ${(err as Error).message}`, order, {
        'messaging.message.id': m.id,
      });
    } finally {
      span.end();
    }
  });
}

/** Thrown by a consumer that an injected fault makes crash part-way; the message is redelivered. */
class ConsumerCrash extends Error {
  constructor(what: string) {
    super(`consumer crashed while ${what} (injected fault); message will be redelivered`);
    this.name = 'ConsumerCrash';
  }
}

/**
 * Hand a message to its consumer, with the queue faults switched on for its order: a backlog
 * (the message waits before anyone takes it) or a crash part-way through (`work(true)` throws
 * after its first steps) followed by a redelivery once the visibility timeout (addedMs) is over.
 */
async function deliver<T extends OrderRef>(
  svc: DemoService,
  m: Message<T>,
  group: string,
  work: (crashPartWay: boolean) => Promise<void>,
): Promise<void> {
  const operation = `process ${m.topic}`;
  const backlog = svc.faults?.take('queueBacklog', svc.name, operation, m.payload.orderId);
  if (backlog) {
    const start = Date.now();
    await sleep(backlog.addedMs);
    backlog.record(start, Date.now(), m.topic);
  }
  const crash = svc.faults?.take('consumerCrash', svc.name, operation, m.payload.orderId);
  if (crash) {
    const start = Date.now();
    await consume(svc, m, group, () => work(true));
    await sleep(crash.addedMs);
    crash.record(start, Date.now(), m.topic);
  }
  await consume(svc, m, group, () => work(false));
}

function expectOk(res: { status: number; body: Record<string, unknown> }, what: string): Record<string, unknown> {
  if (res.status >= 400) {
    throw new HttpError(res.status >= 500 ? 502 : res.status, `${what} failed: ${String(res.body.message ?? res.status)}`, String(res.body.error ?? 'upstream_error'));
  }
  return res.body;
}

export function buildOrderCenter(services: Record<ServiceName, DemoService>, options: OrderCenterOptions = {}): OrderCenter {
  const rates = options.rates ?? FAULTS;
  const stats: DemoStats = {
    ordersSubmitted: 0,
    ordersAccepted: 0,
    ordersRejected: 0,
    ordersFailed: 0,
    ordersSkipped: 0,
    fulfilled: 0,
    jobsCompleted: 0,
    eventsDropped: 0,
    jobsDropped: 0,
    logLinesWritten: 0,
    logLinesDropped: 0,
  };
  const topic = new BoundedTopic<OrderEvent>('order-events', 1000, 16);
  const jobs = new DelayedJobs<JobPayload>('order-jobs', 2000);
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  let seq = intBetween(100000, 800000);
  let msgSeq = 0;
  const nextOrderId = () => `ORD-${day}-${++seq}`;
  const nextMessageId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(++msgSeq).toString(36)}-${hex(3)}`;
  const transport: MessageTransport = options.transport ?? {
    publishEvent: (m) => topic.publish(m),
    scheduleJob: (m, delayMs) => jobs.schedule(m, delayMs),
  };

  const {
    'order-api': orderApi,
    customer,
    'product-catalog': catalog,
    inventory,
    payment,
    billing,
    notification,
    fulfilment,
    scheduler,
  } = services;

  // ───────────────────────────── customer ─────────────────────────────
  customer.route('GET', '/customers/:id', async ({ params, order, span }) => {
    const id = params.id;
    span.setAttribute('customer.id', id);
    await customer.db('redis', { dbName: '0', operation: 'GET', statement: `GET customer:${id}`, medianMs: 0.8 }, order);
    const tier = pick(['basic', 'basic', 'basic', 'silver', 'silver', 'gold']);
    if (chance(rates.customerCacheMiss)) {
      customer.log('DEBUG', `cache miss for customer ${id} (order ${order?.orderId ?? '-'})`, order);
      await customer.db(
        'postgresql',
        {
          dbName: 'customers',
          operation: 'SELECT',
          table: 'customers',
          statement: `SELECT id, name, tier, status, credit_limit FROM customers WHERE id = '${id}'`,
          medianMs: 4,
        },
        order,
      );
      await customer.db('redis', { dbName: '0', operation: 'SETEX', statement: `SETEX customer:${id} 300 ?`, medianMs: 0.6 }, order);
    } else {
      customer.log('DEBUG', `cache hit for customer ${id} (order ${order?.orderId ?? '-'})`, order);
    }
    if (chance(rates.customerSuspended)) {
      customer.log('WARN', `customer ${id} is suspended, refusing order ${order?.orderId ?? '-'}`, order);
      throw new HttpError(403, `customer ${id} is suspended`, 'customer_suspended');
    }
    span.setAttribute('customer.tier', tier);
    return { body: { id, tier, status: 'ACTIVE' } };
  });

  // ───────────────────────────── product-catalog ─────────────────────────────
  catalog.route('POST', '/products/quote', async ({ body, order }) => {
    const items = (body.items as { sku: string; qty: number }[]) ?? [];
    const skus = items.map((i) => i.sku);
    await catalog.db('redis', { dbName: '0', operation: 'MGET', statement: `MGET ${skus.map((s) => `price:${s}`).join(' ')}`, medianMs: 0.9 }, order);
    if (chance(rates.catalogCacheMiss)) {
      await catalog.db(
        'postgresql',
        {
          dbName: 'catalog',
          operation: 'SELECT',
          table: 'products',
          statement: `SELECT sku, list_price, currency FROM products WHERE sku IN (${skus.map((s) => `'${s}'`).join(', ')})`,
          medianMs: 6,
        },
        order,
      );
    }
    const total = await catalog.inSpan('apply promotions', { attributes: { ...orderAttributes(order), 'promotion.count': 1 } }, async () => {
      await sleep(lognormal(1.5, 0.3));
      return items.reduce((sum, i) => sum + (PRODUCTS.find((p) => p.sku === i.sku)?.price ?? 10) * i.qty, 0);
    });
    catalog.log('INFO', `quoted order ${order?.orderId}: ${items.length} lines, total ${money(total)} EUR`, order, { 'order.total': total });
    return { body: { total: Number(money(total)), currency: 'EUR' } };
  });

  // ───────────────────────────── inventory ─────────────────────────────
  inventory.route('POST', '/inventory/reservations', async ({ body, order, span }) => {
    const items = (body.items as { sku: string; qty: number }[]) ?? [];
    const units = items.reduce((n, i) => n + i.qty, 0);
    const warehouse = pick(WAREHOUSES);
    span.setAttributes({ 'inventory.warehouse': warehouse, 'inventory.units': units });
    let extra = 0;
    const timeout = chance(rates.inventoryTimeout);
    if (timeout) extra = uniform(2200, 2800);
    else if (chance(rates.inventorySlow)) extra = uniform(800, 2000);
    await inventory.db(
      'postgresql',
      {
        dbName: 'inventory',
        operation: 'SELECT',
        table: 'stock',
        statement: `SELECT sku, on_hand, reserved FROM stock WHERE warehouse = '${warehouse}' AND sku IN (${items.map((i) => `'${i.sku}'`).join(', ')}) FOR UPDATE`,
        medianMs: 5,
        extraMs: extra,
      },
      order,
    );
    if (timeout) {
      inventory.log('ERROR', `lock wait timeout reserving stock for order ${order?.orderId} in ${warehouse} after ${Math.round(extra)} ms`, order, {
        'inventory.warehouse': warehouse,
      });
      throw new HttpError(504, `lock wait timeout exceeded on stock (${warehouse})`, 'inventory_timeout');
    }
    if (extra > 0) {
      inventory.log('WARN', `slow stock lock for order ${order?.orderId}: waited ${Math.round(extra)} ms on hot rows in ${warehouse}`, order, {
        'inventory.warehouse': warehouse,
        'inventory.lock_wait_ms': Math.round(extra),
      });
    }
    await inventory.db(
      'postgresql',
      {
        dbName: 'inventory',
        operation: 'UPDATE',
        table: 'stock',
        statement: `UPDATE stock SET reserved = reserved + ${units} WHERE warehouse = '${warehouse}' AND sku IN (${items.map((i) => `'${i.sku}'`).join(', ')})`,
        medianMs: 3,
      },
      order,
    );
    inventory.log('INFO', `order ${order?.orderId} reserved ${units} items in ${warehouse}`, order, { 'inventory.warehouse': warehouse });
    return { status: 201, body: { reservationId: `RSV-${hex(4)}`, warehouse } };
  });

  inventory.route('DELETE', '/inventory/reservations/:orderId', async ({ params, order }) => {
    await inventory.db(
      'postgresql',
      {
        dbName: 'inventory',
        operation: 'DELETE',
        table: 'reservations',
        statement: `DELETE FROM reservations WHERE order_id = '${params.orderId}'`,
        medianMs: 3,
      },
      order,
    );
    inventory.log('INFO', `released reservation of order ${params.orderId}`, order);
    return { status: 204 };
  });

  inventory.route('POST', '/inventory/commit', async ({ body, order }) => {
    const items = (body.items as { sku: string; qty: number }[]) ?? [];
    const units = items.reduce((n, i) => n + i.qty, 0);
    const warehouse = String(body.warehouse ?? pick(WAREHOUSES));
    await inventory.db(
      'postgresql',
      {
        dbName: 'inventory',
        operation: 'UPDATE',
        table: 'stock',
        statement: `UPDATE stock SET on_hand = on_hand - ${units}, reserved = reserved - ${units} WHERE warehouse = '${warehouse}' AND order_id = '${order?.orderId}'`,
        medianMs: 4,
      },
      order,
    );
    inventory.log('INFO', `order ${order?.orderId}: committed ${units} items from ${warehouse}`, order, { 'inventory.warehouse': warehouse });
    return { body: { committed: units, warehouse } };
  });

  // ───────────────────────────── payment ─────────────────────────────
  const psp = { peerService: 'psp-gateway', address: 'api.psp.example', port: 443 };
  payment.route('POST', '/payments/authorize', async ({ body, order, span }) => {
    const amount = Number(body.amount ?? 0);
    span.setAttributes({ 'payment.amount': amount, 'payment.currency': 'EUR' });
    const risk = await payment.inSpan('fraud check', { attributes: orderAttributes(order) }, async (s) => {
      await sleep(lognormal(3, 0.4));
      const score = Math.round(Math.random() * 100) / 100;
      s.setAttribute('payment.risk_score', score);
      return score;
    });
    const slow = chance(rates.paymentSlow);
    const transient = !slow && chance(rates.paymentTransient);
    const declined = !transient && chance(rates.paymentDeclined);
    const authId = `AUTH-${hex(5).toUpperCase()}`;
    await payment.external(
      { ...psp, method: 'POST', url: 'https://api.psp.example/v2/authorizations' },
      order,
      async () => {
        await sleep(lognormal(transient ? 30 : 90, 0.35) + (slow ? uniform(600, 1500) : 0));
        return { status: transient ? 503 : declined ? 402 : 201, result: undefined };
      },
      { 'payment.amount': amount },
    );
    if (slow) payment.log('WARN', `PSP slow for order ${order?.orderId}: authorization took over 600 ms`, order);
    if (transient) {
      payment.log('WARN', `PSP unavailable while authorizing order ${order?.orderId} (503)`, order);
      throw new HttpError(503, 'payment provider unavailable', 'psp_unavailable');
    }
    if (declined) {
      const reason = pick(['insufficient_funds', 'card_expired', 'do_not_honor']);
      payment.log('ERROR', `payment declined for order ${order?.orderId}: ${reason} (${money(amount)} EUR, risk ${risk})`, order, {
        'payment.decline_reason': reason,
      });
      throw new HttpError(402, `card declined: ${reason}`, 'payment_declined', { reason });
    }
    await payment.db(
      'postgresql',
      {
        dbName: 'payments',
        operation: 'INSERT',
        table: 'payments',
        statement: `INSERT INTO payments (id, order_id, customer_id, amount, status) VALUES ('${authId}', '${order?.orderId}', '${order?.customerId}', ${money(amount)}, 'AUTHORIZED')`,
        medianMs: 4,
      },
      order,
    );
    payment.log('INFO', `payment ${authId} authorized for order ${order?.orderId}: ${money(amount)} EUR`, order, { 'payment.id': authId });
    return { status: 201, body: { paymentId: authId, status: 'AUTHORIZED' } };
  });

  payment.route('POST', '/payments/capture', async ({ body, order }) => {
    const paymentId = String(body.paymentId);
    await payment.external({ ...psp, method: 'POST', url: 'https://api.psp.example/v2/captures' }, order, async () => {
      await sleep(lognormal(70, 0.35));
      return { status: 201, result: undefined };
    });
    await payment.db(
      'postgresql',
      {
        dbName: 'payments',
        operation: 'UPDATE',
        table: 'payments',
        statement: `UPDATE payments SET status = 'CAPTURED', captured_at = now() WHERE id = '${paymentId}' AND order_id = '${order?.orderId}'`,
        medianMs: 3,
      },
      order,
    );
    payment.log('INFO', `payment ${paymentId} captured for order ${order?.orderId}`, order, { 'payment.id': paymentId });
    return { body: { paymentId, status: 'CAPTURED' } };
  });

  // ───────────────────────────── billing ─────────────────────────────
  billing.route('POST', '/billing/invoices', async ({ body, order }) => {
    const total = Number(body.total ?? 0);
    const invoiceId = `INV-${day}-${hex(3).toUpperCase()}`;
    await billing.db('redis', { dbName: '1', operation: 'GET', statement: 'GET tax:DE:standard', medianMs: 0.7 }, order);
    const vat = await billing.inSpan('compute tax', { attributes: orderAttributes(order) }, async () => {
      await sleep(lognormal(1.2, 0.3));
      return total - total / 1.19;
    });
    await billing.db(
      'postgresql',
      {
        dbName: 'billing',
        operation: 'INSERT',
        table: 'invoices',
        statement: `INSERT INTO invoices (id, order_id, customer_id, total, vat, status) VALUES ('${invoiceId}', '${order?.orderId}', '${order?.customerId}', ${money(total)}, ${money(vat)}, 'OPEN')`,
        medianMs: 5,
      },
      order,
    );
    billing.log('INFO', `invoice ${invoiceId} created for order ${order?.orderId}: ${money(total)} EUR incl. ${money(vat)} VAT`, order, {
      'invoice.id': invoiceId,
    });
    return { status: 201, body: { invoiceId } };
  });

  billing.route('POST', '/billing/settlements', async ({ body, order }) => {
    const invoiceId = String(body.invoiceId);
    expectOk(
      await billing.call(payment, 'POST', '/payments/capture', '/payments/capture', { order, body: { paymentId: body.paymentId } }),
      'payment capture',
    );
    await billing.db(
      'postgresql',
      {
        dbName: 'billing',
        operation: 'UPDATE',
        table: 'invoices',
        statement: `UPDATE invoices SET status = 'PAID', paid_at = now() WHERE id = '${invoiceId}'`,
        medianMs: 3,
      },
      order,
    );
    billing.log('INFO', `invoice ${invoiceId} of order ${order?.orderId} settled`, order, { 'invoice.id': invoiceId });
    return { body: { invoiceId, status: 'PAID' } };
  });

  // ───────────────────────────── notification ─────────────────────────────
  notification.route('POST', '/notifications', async ({ body, order }) => {
    const template = String(body.template ?? 'order_confirmation');
    await notification.inSpan('render template', { attributes: { ...orderAttributes(order), 'notification.template': template } }, async () => {
      await sleep(lognormal(2, 0.4));
    });
    await notification.external(
      { peerService: 'email-gateway', address: 'mail.relay.example', port: 443, method: 'POST', url: 'https://mail.relay.example/v3/mail/send' },
      order,
      async () => {
        await sleep(lognormal(60, 0.4));
        return { status: 202, result: undefined };
      },
      { 'notification.channel': 'email' },
    );
    const sms = { peerService: 'sms-gateway', address: 'sms.gateway.example', port: 443, method: 'POST', url: 'https://sms.gateway.example/v1/messages' };
    for (let attempt = 0; attempt < 2; attempt++) {
      const fail = attempt === 0 && chance(rates.smsTransient);
      await notification.external(
        sms,
        order,
        async () => {
          await sleep(lognormal(fail ? 25 : 80, 0.4));
          return { status: fail ? 503 : 200, result: undefined };
        },
        { 'notification.channel': 'sms', ...(attempt > 0 ? { 'http.request.resend_count': attempt } : {}) },
      );
      if (!fail) break;
      notification.log('WARN', `SMS gateway returned 503 for order ${order?.orderId}, retrying`, order, { 'peer.service': 'sms-gateway' });
      await sleep(lognormal(50, 0.3));
    }
    notification.log('INFO', `sent ${template} (email + SMS) to customer ${order?.customerId} for order ${order?.orderId}`, order, {
      'notification.template': template,
    });
    return { status: 202, body: { sent: ['email', 'sms'] } };
  });

  // ───────────────────────────── order-api (trace 1) ─────────────────────────────
  orderApi.route('POST', '/api/orders', async ({ body, span }) => {
    const customerId = String(body.customerId);
    const items = (body.items as { sku: string; qty: number }[]) ?? [];
    const order: OrderRef = { orderId: nextOrderId(), customerId };
    const units = items.reduce((n, i) => n + i.qty, 0);
    span.setAttributes({ ...orderAttributes(order), 'order.item_count': units, 'order.channel': String(body.channel ?? 'web') });
    orderApi.log('INFO', `order ${order.orderId} received from customer ${customerId} via ${String(body.channel ?? 'web')}: ${units} items`, order);
    try {
      await orderApi.applyOperationFaults('POST /api/orders', order);
      await orderApi.inSpan('validate order', { attributes: orderAttributes(order) }, async () => {
        await sleep(lognormal(1, 0.3));
        if (items.length === 0) throw new HttpError(400, 'order has no items', 'bad_request');
      });
      const cust = expectOk(
        await orderApi.call(customer, 'GET', '/customers/:id', `/customers/${encodeURIComponent(customerId)}`, { order, timeoutMs: 2000 }),
        'customer lookup',
      );
      const quote = expectOk(
        await orderApi.call(catalog, 'POST', '/products/quote', '/products/quote', { order, body: { items } }),
        'pricing',
      );
      const total = Number(quote.total);
      span.setAttribute('order.total', total);
      const reservation = await orderApi.call(inventory, 'POST', '/inventory/reservations', '/inventory/reservations', {
        order,
        body: { items },
        timeoutMs: 4000,
      });
      if (reservation.status >= 400) {
        orderApi.log('ERROR', `order ${order.orderId} failed: inventory unavailable (${reservation.status} ${String(reservation.body.message ?? '')})`, order);
        throw new HttpError(503, 'inventory unavailable', String(reservation.body.error ?? 'inventory_unavailable'));
      }
      const pay = await orderApi.call(payment, 'POST', '/payments/authorize', '/payments/authorize', {
        order,
        body: { amount: total },
        timeoutMs: 4000,
        retries: 1,
      });
      if (pay.status >= 400) {
        await orderApi.call(inventory, 'DELETE', '/inventory/reservations/:orderId', `/inventory/reservations/${order.orderId}`, { order });
        if (pay.status === 402) {
          orderApi.log('ERROR', `order ${order.orderId} rejected: payment declined (${String(pay.body.reason ?? 'unknown')})`, order);
          throw new HttpError(402, `payment declined for order ${order.orderId}`, 'payment_declined');
        }
        orderApi.log('ERROR', `order ${order.orderId} failed: payment unavailable (${pay.status})`, order);
        throw new HttpError(503, 'payment unavailable', 'payment_unavailable');
      }
      await orderApi.db(
        'postgresql',
        {
          dbName: 'orders',
          operation: 'INSERT',
          table: 'orders',
          statement: `INSERT INTO orders (id, customer_id, total, currency, status) VALUES ('${order.orderId}', '${customerId}', ${money(total)}, 'EUR', 'ACCEPTED')`,
          medianMs: 4,
        },
        order,
      );
      const event: OrderEvent = {
        ...order,
        items,
        total,
        currency: 'EUR',
        paymentId: String(pay.body.paymentId),
        tier: String(cust.tier ?? 'basic'),
      };
      const ok = await produce(orderApi, 'order-events', nextMessageId('MSG'), order, event, (m) => transport.publishEvent(m), {
        'messaging.message.body.size': JSON.stringify(event).length,
      });
      if (!ok) stats.eventsDropped++;
      stats.ordersAccepted++;
      orderApi.log('INFO', `order ${order.orderId} accepted: ${units} items, ${money(total)} EUR, payment ${String(pay.body.paymentId)}`, order);
      return { status: 201, body: { orderId: order.orderId, status: 'ACCEPTED', total } };
    } catch (err) {
      if (err instanceof HttpError && err.status < 500) stats.ordersRejected++;
      else stats.ordersFailed++;
      throw err;
    }
  });

  // ───────────────────────────── fulfilment (trace 2) ─────────────────────────────
  topic.subscribe((m) =>
    deliver(fulfilment, m, 'fulfilment', async (crashPartWay) => {
      const ev = m.payload;
      const order: OrderRef = { orderId: ev.orderId, customerId: ev.customerId };
      fulfilment.log('INFO', `fulfilment started for order ${ev.orderId} (message ${m.id})`, order, { 'messaging.message.id': m.id });
      const plan = await fulfilment.inSpan('plan shipment', { attributes: orderAttributes(order) }, async (s) => {
        await sleep(lognormal(4, 0.5));
        const p = { warehouse: pick(WAREHOUSES), carrier: pick(CARRIERS) };
        s.setAttributes({ 'shipment.warehouse': p.warehouse, 'shipment.carrier': p.carrier });
        return p;
      });
      expectOk(
        await fulfilment.call(inventory, 'POST', '/inventory/commit', '/inventory/commit', { order, body: { items: ev.items, warehouse: plan.warehouse } }),
        'inventory commit',
      );
      if (crashPartWay) throw new ConsumerCrash('invoicing');
      const inv = expectOk(
        await fulfilment.call(billing, 'POST', '/billing/invoices', '/billing/invoices', { order, body: { total: ev.total } }),
        'invoice',
      );
      const shipmentId = `SHP-${hex(4).toUpperCase()}`;
      await fulfilment.db(
        'postgresql',
        {
          dbName: 'fulfilment',
          operation: 'INSERT',
          table: 'shipments',
          statement: `INSERT INTO shipments (id, order_id, warehouse, carrier) VALUES ('${shipmentId}', '${ev.orderId}', '${plan.warehouse}', '${plan.carrier}')`,
          medianMs: 4,
        },
        order,
      );
      const delay = Math.round(uniform(500, 3000));
      const job: JobPayload = { ...ev, invoiceId: String(inv.invoiceId), shipmentId, carrier: plan.carrier };
      const ok = await produce(fulfilment, 'order-jobs', nextMessageId('JOB'), order, job, (jm) => transport.scheduleJob(jm, delay), {
        'messaging.job.delay_ms': delay,
      });
      if (!ok) stats.jobsDropped++;
      stats.fulfilled++;
      fulfilment.log('INFO', `order ${ev.orderId} shipped from ${plan.warehouse} with ${plan.carrier} (${shipmentId}); settlement job in ${delay} ms`, order, {
        'shipment.id': shipmentId,
      });
    }),
  );

  // ───────────────────────────── scheduler (trace 3) ─────────────────────────────
  jobs.subscribe((m) =>
    deliver(scheduler, m, 'scheduler', async (crashPartWay) => {
      const job = m.payload;
      const order: OrderRef = { orderId: job.orderId, customerId: job.customerId };
      scheduler.log('INFO', `running settlement job ${m.id} for order ${job.orderId}`, order, { 'messaging.message.id': m.id });
      expectOk(
        await scheduler.call(billing, 'POST', '/billing/settlements', '/billing/settlements', {
          order,
          body: { invoiceId: job.invoiceId, paymentId: job.paymentId },
        }),
        'settlement',
      );
      if (crashPartWay) throw new ConsumerCrash('notifying');
      expectOk(
        await scheduler.call(notification, 'POST', '/notifications', '/notifications', {
          order,
          body: { template: 'order_shipped', carrier: job.carrier, shipmentId: job.shipmentId },
        }),
        'notification',
      );
      stats.jobsCompleted++;
      scheduler.log('INFO', `order ${job.orderId} completed: invoice ${job.invoiceId} settled, customer notified`, order);
    }),
  );

  for (const s of [fulfilment, scheduler]) {
    s.route('GET', '/healthz', async () => ({ body: { status: 'ok', service: s.name } }));
  }

  return { services, topic, jobs, stats, nextOrderId };
}
