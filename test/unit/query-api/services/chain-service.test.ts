import type { SpanStore } from '../../../../core/contracts/span-store';
import { ChainService } from '../../../../query-api/services/chain-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../../helpers/chain-orders';

/** The store reads a slow-chains answer makes, counted on the real embedded store. */
function counted(store: SpanStore): { store: SpanStore; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        reads.set(String(name), (reads.get(String(name)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, reads };
}

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
    const { store, reads } = counted(app.stores.spans);
    const chains = new ChainService(store, app.stores.logs, { businessKeys: ['order.id'] });
    const ranked = await app.stores.spans.slowestOrders('order.id', window, 12, false);
    expect(ranked).toHaveLength(4);

    const first = await chains.slowestOf('order.id', ranked, { limit: 2 });
    expect(first.map((r) => r.value)).toEqual(['ORD-A', 'ORD-C']);
    // one summaries read for all candidates (listed ones are not walked and summarized again), the listed chains' spans in one read
    expect(reads.get('traceSummaries')).toBe(1);
    expect(reads.get('getTraces')).toBe(1);
    expect(reads.get('getTrace')).toBeUndefined();

    reads.clear();
    expect(await chains.slowestOf('order.id', ranked, { limit: 2 })).toEqual(first);
    expect([...reads.keys()]).toEqual([]);

    // candidates that were ranked but not listed before: their spans only
    const more = await chains.slowestOf('order.id', ranked, { limit: 4 });
    expect([...reads.keys()].sort()).toEqual(['getTraces']);
    // the same rows as a service that kept nothing
    expect(more).toEqual(await new ChainService(app.stores.spans, app.stores.logs, { businessKeys: ['order.id'] }).slowestOf('order.id', ranked, { limit: 4 }));
    expect(more.map((r) => r.value)).toEqual(['ORD-A', 'ORD-C', 'ORD-B', 'ORD-D']);
  });
});
