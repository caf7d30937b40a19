import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../helpers/chain-orders';
import type { RcaAnswer } from '../../../query-api/services/rca-service';

/** GET /api/rca through the real app and embedded store: the injected cause of a slow or failed order comes first. */
describe('root-cause API over the embedded store', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  const now = Date.now();

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('rca-api');
    for (let i = 0; i < 20; i++) await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: `ORD-OK-${i}`, t0: now - 50 * 60_000 + i * 60_000 }));
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-SLOW', t0: now - 5 * 60_000, paymentMs: 2500 }));
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-QUEUED', t0: now - 4 * 60_000, queueMs: 3000 }));
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-FAILED', t0: now - 3 * 60_000, error: true }));
    base = await app.listen({ chains: { businessKeys: ['order.id'], expectedWaits: ['order-jobs'] } });
  });
  afterAll(() => app?.dispose());

  async function get<T>(pathAndQuery: string, status = 200): Promise<T> {
    const res = await fetch(base + pathAndQuery, { signal: AbortSignal.timeout(20_000) });
    expect({ pathAndQuery, status: res.status }).toEqual({ pathAndQuery, status });
    return (await res.json()) as T;
  }
  const top = async (orderId: string) => (await get<RcaAnswer>(`/api/rca?key=order.id&value=${orderId}`)).candidates[0];

  it('names the slow payment call, the queue wait before fulfilment and the failing notification first', async () => {
    expect(await top('ORD-SLOW')).toMatchObject({ service: 'payment', operation: 'POST /payments/charge', evidence: { criticalSelfUs: expect.any(Number) } });
    expect(await top('ORD-QUEUED')).toMatchObject({ service: 'fulfilment', operation: 'process order-events', evidence: { queueWaitUs: expect.any(Number) } });
    expect(await top('ORD-FAILED')).toMatchObject({ service: 'notification', operation: 'POST /notifications', evidence: { originErrors: 1 } });
  });

  it('carries the baseline of operations the roll-ups know', async () => {
    const answer = await get<RcaAnswer>('/api/rca?key=order.id&value=ORD-SLOW');
    const api = answer.candidates.find((c) => c.service === 'order-api' && c.operation === 'POST /orders')!;
    expect(api.evidence.baselineP50Ms).toBeGreaterThan(40);
    expect(api.evidence.baselineP50Ms).toBeLessThan(90);
    expect(answer.durationUs).toBeGreaterThan(2_500_000);
  });

  it('answers 404 for an unknown order and 400 naming a missing parameter', async () => {
    await get('/api/rca?key=order.id&value=ORD-NOPE', 404);
    expect(await get('/api/rca?key=order.id', 400)).toMatchObject({ parameter: 'value' });
    expect(await get('/api/rca?value=x', 400)).toMatchObject({ parameter: 'key' });
  });
});
