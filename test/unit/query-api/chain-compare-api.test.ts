import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../../../core/limits';
import type { ChainComparisonView } from '../../../core/analysis/chain-compare';
import { demoLikeOrder, writeOrderSpans } from '../../helpers/chain-orders';

/** GET /api/chains/compare through the real app and embedded store, with CHAIN_EXPECTED_WAITS=order-jobs. */
describe('chains compare API', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  const t0 = Date.now() - 20 * 60_000;
  // a journey of healthy orders (payment 40-60 ms, random-ish settlement delays), one slow payment, one long queue wait,
  // one that never reached the scheduler, and one two hours older than the rest
  const healthy = [40, 45, 50, 55, 60].map((paymentMs, i) => demoLikeOrder({ orderId: `ORD-OK-${i}`, t0: t0 + i * 10_000, paymentMs, delayMs: 300 + 200 * i }));
  const slowPay = demoLikeOrder({ orderId: 'ORD-SLOW-PAY', t0: t0 + 60_000, paymentMs: 1_400, delayMs: 400 });
  const slowQueue = demoLikeOrder({ orderId: 'ORD-SLOW-QUEUE', t0: t0 + 70_000, queueMs: 2_000, delayMs: 400 });
  const unfinished = demoLikeOrder({ orderId: 'ORD-SHORT', t0: t0 + 80_000 }).filter((s) => !['scheduler', 'billing', 'notification'].includes(s.service));
  const old = demoLikeOrder({ orderId: 'ORD-OLD', t0: t0 - 2 * 3_600_000 });
  // four hours earlier, a journey of its own: healthy orders, and orders whose inventory commit failed so
  // that they stopped at fulfilment (the scheduler never ran) — a failed order's typical order is a healthy one
  const t4 = t0 - 4 * 3_600_000;
  const failedAtCommit = (orderId: string, at: number) =>
    demoLikeOrder({ orderId, t0: at, paymentMs: 20 })
      .filter((s) => !['scheduler', 'billing', 'notification'].includes(s.service))
      .map((s) => (s.name === 'POST /inventory/commit' ? { ...s, status: { code: 'error' as const, message: 'upstream connection reset' } } : s));
  const earlier = [
    ...[40, 50, 60].map((paymentMs, i) => demoLikeOrder({ orderId: `ORD-E-OK-${i}`, t0: t4 + i * 10_000, paymentMs, delayMs: 1_500 })),
    failedAtCommit('ORD-E-FAIL-0', t4 + 40_000),
    failedAtCommit('ORD-E-FAIL-1', t4 + 50_000),
    failedAtCommit('ORD-E-FAIL-2', t4 + 60_000),
    // healthy, but its settlement came early: the intended delay absorbed a slower payment call
    demoLikeOrder({ orderId: 'ORD-E-SLOW-PAY', t0: t4 + 70_000, paymentMs: 700, delayMs: 200 }),
  ];

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('compare-api');
    for (const spans of [...healthy, slowPay, slowQueue, unfinished, old, ...earlier]) await writeOrderSpans(app.stores.spans, spans);
    base = await app.listen({ chains: { businessKeys: ['order.id'], expectedWaits: ['order-jobs'] } });
  });
  afterAll(() => app?.dispose());

  async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/api/chains/compare?${query}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  async function compare(query: string): Promise<ChainComparisonView> {
    const { status, body } = await get(query);
    expect({ status, body: status === 200 ? 'ok' : body }).toEqual({ status: 200, body: 'ok' });
    return body as unknown as ChainComparisonView;
  }

  it.each([
    ['a=ORD-OK-0', 'key'],
    ['key=order.id', 'a'],
    ['key=order.id&a=', 'a'],
    ['key=customer.id&a=ORD-OK-0', 'key'],
    [`key=order.id&a=${'x'.repeat(MAX_BUSINESS_KEY_VALUE_LENGTH + 1)}`, 'a'],
    [`key=order.id&a=ORD-OK-0&b=${'x'.repeat(MAX_BUSINESS_KEY_VALUE_LENGTH + 1)}`, 'b'],
    ['key=order.id&a=ORD-OK-0&b=%00', 'b'],
    ['key=order.id&a=ORD-OK-0&a=ORD-OK-1', 'a'],
    ['key=order.id&a[x]=1', 'a'],
  ])('answers %s with a 400 naming %s', async (query, parameter) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body.parameter).toBe(parameter);
    expect(String(body.error)).toContain(parameter);
  });

  it('answers 404 for an unknown order on either side', async () => {
    const a = await get('key=order.id&a=ORD-NOPE');
    expect(a.status).toBe(404);
    expect(String(a.body.error)).toContain('ORD-NOPE');
    const b = await get('key=order.id&a=ORD-OK-0&b=ORD-NOPE-B');
    expect(b.status).toBe(404);
    expect(String(b.body.error)).toContain('ORD-NOPE-B');
  });

  it('compares two stored orders: the slower payment call first, stage by stage and hop by hop', async () => {
    const c = await compare('key=order.id&a=ORD-SLOW-PAY&b=ORD-OK-0');
    expect(c.a).toMatchObject({ value: 'ORD-SLOW-PAY', traceCount: 3, stages: ['order-api: POST /orders', 'fulfilment: process order-events', 'scheduler: process order-jobs'] });
    expect(c.b?.value).toBe('ORD-OK-0');
    expect(c.typical).toBeNull();
    expect(c.sameStages).toBe(true);
    expect(c.top).toMatchObject({ kind: 'operation', service: 'payment', operation: 'POST /payments/charge', aUs: 1_400_000, bUs: 40_000, deltaUs: 1_360_000 });
    expect(c.hops[0]).toEqual(c.top);
    // the intake stage grew by the payment call; the scheduled delay differs too (100 ms) but is intended
    expect(c.stages.find((s) => s.label === 'order-api: POST /orders')?.deltaUs).toBe(1_360_000);
    expect(c.hops.find((r) => r.waitKind === 'intended')).toMatchObject({ intended: true, deltaUs: 100_000 });
    expect(c.duration.deltaUs).toBe(1_460_000);
    expect(c.working.deltaUs + c.waiting.deltaUs).toBe(c.duration.deltaUs);
  });

  it('compares with a typical order of the same journey from the hour before, median per row', async () => {
    const c = await compare('key=order.id&a=ORD-SLOW-QUEUE');
    expect(c.b).toBeNull();
    // the five healthy orders and the slow payment one: not the unfinished order (other stages), not the old one, not a itself
    expect(c.typical).toMatchObject({ orders: 6, stages: c.a.stages });
    expect(c.top).toMatchObject({ kind: 'wait', waitKind: 'queue', destination: 'order-events', service: 'fulfilment', operation: 'process order-events', deltaUs: 1_997_000 });
    // median payment of 40, 45, 50, 55, 60, 1400 ms
    expect(c.hops.find((r) => r.operation === 'POST /payments/charge')).toMatchObject({ aUs: 40_000, bUs: 52_500 });

    const pay = await compare('key=order.id&a=ORD-SLOW-PAY');
    expect(pay.top).toMatchObject({ service: 'payment', operation: 'POST /payments/charge', bUs: 50_000, deltaUs: 1_350_000 });
  });

  it('compares a failed order with healthy orders that went on past where it stopped, and names where its error started', async () => {
    const c = await compare('key=order.id&a=ORD-E-FAIL-2');
    // the three healthy orders (the slow-payment one began after a ended); the two other failed ones are left out
    expect(c.typical).toMatchObject({ orders: 3, failedLeftOut: 2 });
    expect(c.typical?.stages).toEqual(['order-api: POST /orders', 'fulfilment: process order-events', 'scheduler: process order-jobs']);
    expect(c.a.stages).toEqual(c.typical?.stages.slice(0, 2));
    expect(c.sameStages).toBe(false);
    // a stopped before the scheduled settlement, so it was faster in total; its failure explains it
    expect(c.duration.deltaUs).toBeLessThan(0);
    expect(c.top).toMatchObject({ kind: 'operation', service: 'inventory', operation: 'POST /inventory/commit', aErrors: 1, bErrors: 0 });
  });

  it('names a slower step even when the intended delay after it shrank by more', async () => {
    const c = await compare('key=order.id&a=ORD-E-SLOW-PAY');
    // payment 700 ms against a median of 50 ms; settlement 200 ms against 1,500 ms
    expect(c.duration.deltaUs).toBeLessThan(0);
    expect(c.top).toMatchObject({ service: 'payment', operation: 'POST /payments/charge', deltaUs: 650_000 });
    expect(c.typical).toMatchObject({ orders: 3, failedLeftOut: 0 });
  });

  it('answers 404 when no other order went through the same stages', async () => {
    const { status, body } = await get('key=order.id&a=ORD-SHORT');
    expect(status).toBe(404);
    expect(String(body.error)).toContain('same stages');
  });

  it('compares orders with different journeys, a stage only one of them has', async () => {
    const c = await compare('key=order.id&a=ORD-OK-0&b=ORD-SHORT');
    expect(c.sameStages).toBe(false);
    expect(c.stages.find((s) => s.label === 'scheduler: process order-jobs')).toMatchObject({ onlyIn: 'a', bUs: 0 });
  });
});
