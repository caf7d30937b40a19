import type { SpanStore } from '../../../core/contracts/span-store';
import { OrderKpiService, SETTLE_US } from '../../../query-api/services/order-kpi-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../helpers/chain-orders';

const M = 60_000_000;

/** The embedded store, with its business-key reads counted (every call still goes to the store). */
function counted(store: SpanStore): { store: SpanStore; minutesRead: number[] } {
  const minutesRead: number[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (name !== 'slowestBusinessKeys') return typeof value === 'function' ? value.bind(target) : value;
      return (key: string, window: { startUs: number }, limit: number) => {
        minutesRead.push(window.startUs);
        return target.slowestBusinessKeys(key, window, limit);
      };
    },
  });
  return { store: proxy, minutesRead };
}

describe('order KPIs read one minute at a time, settled minutes kept', () => {
  let app: EmbeddedQueryApp;
  const nowMs = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('order-kpis');
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-OLD', t0: nowMs - 10 * 60_000 }));
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-NEW', t0: nowMs - 20_000, error: true }));
  });
  afterAll(() => app?.dispose());

  it('finds the orders of the window, and on the next refresh reads only the minutes not yet settled', async () => {
    const { store, minutesRead } = counted(app.stores.spans);
    let now = nowMs * 1000;
    const service = new OrderKpiService(store, [], () => now);
    const window = () => ({ startUs: now - 15 * M, endUs: now });

    const first = await service.orders('order.id', window());
    expect(first.facts.map((f) => [f.value, f.failed]).sort()).toEqual([
      ['ORD-NEW', true],
      ['ORD-OLD', false],
    ]);
    expect(first.truncated).toBe(false);
    expect(minutesRead).toHaveLength(16);

    minutesRead.length = 0;
    now += 10_000_000;
    const again = await service.orders('order.id', window());
    expect(again.facts.map((f) => f.value).sort()).toEqual(['ORD-NEW', 'ORD-OLD']);
    // only the minutes that ended less than SETTLE_US ago are read again
    const unsettled = minutesRead.every((m) => m + M > now - SETTLE_US - 10_000_000);
    expect({ reads: minutesRead.length, unsettled }).toEqual({ reads: 3, unsettled: true });
  });
});
