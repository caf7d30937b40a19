import { ChainService } from '../../../../query-api/services/chain-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../../helpers/chain-orders';
import { recordedStore } from '../../../helpers/recorded-store';

describe('ChainService.slowestOf: store reads of a wall screen refreshing the slow-orders table', () => {
  let app: EmbeddedQueryApp;
  // ended more than two minutes ago: settled
  const t0 = Date.now() - 10 * 60_000;
  const window = { startUs: (t0 - 1000) * 1000, endUs: (t0 + 120_000) * 1000 };

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('chain-service-reads');
    const orders = [
      demoLikeOrder({ orderId: 'ORD-A', t0, delayMs: 3000 }),
      demoLikeOrder({ orderId: 'ORD-B', t0: t0 + 10_000, paymentMs: 900, delayMs: 500 }),
      demoLikeOrder({ orderId: 'ORD-C', t0: t0 + 20_000, queueMs: 1200, delayMs: 200 }),
      demoLikeOrder({ orderId: 'ORD-D', t0: t0 + 30_000, delayMs: 700, error: true }),
    ];
    for (const spans of orders) await writeOrderSpans(app.stores.spans, spans);
  });
  afterAll(() => app?.dispose());

  it('walks and summarizes the candidates once, reads the listed chains in one getTraces read, and reads nothing again for settled ones', async () => {
    const { store, calls } = recordedStore(app.stores.spans);
    const count = (method: string) => calls.filter((c) => c.method === method).length;
    const methods = () => [...new Set(calls.map((c) => c.method))].sort();
    const chains = new ChainService(store, app.stores.logs, { businessKeys: ['order.id'] });
    const ranked = await app.stores.spans.slowestOrders('order.id', window, 12, false);
    expect(ranked).toHaveLength(4);

    const first = await chains.slowestOf('order.id', ranked, { limit: 2 });
    expect(first.map((r) => r.value)).toEqual(['ORD-A', 'ORD-C']);
    // one summaries read for all candidates (listed ones are not walked and summarized again), the listed chains' spans in one read
    expect(count('traceSummaries')).toBe(1);
    expect(count('getTraces')).toBe(1);
    expect(count('getTrace')).toBe(0);

    calls.length = 0;
    expect(await chains.slowestOf('order.id', ranked, { limit: 2 })).toEqual(first);
    expect(methods()).toEqual([]);

    // candidates that were ranked but not listed before: their spans only
    const more = await chains.slowestOf('order.id', ranked, { limit: 4 });
    expect(methods()).toEqual(['getTraces']);
    // the same rows as a service that kept nothing
    expect(more).toEqual(await new ChainService(app.stores.spans, app.stores.logs, { businessKeys: ['order.id'] }).slowestOf('order.id', ranked, { limit: 4 }));
    expect(more.map((r) => r.value)).toEqual(['ORD-A', 'ORD-C', 'ORD-B', 'ORD-D']);
  });
});
