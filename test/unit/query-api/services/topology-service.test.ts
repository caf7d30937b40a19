import type { SpanStore } from '../../../../core/contracts/span-store';
import { TopologyService } from '../../../../query-api/services/topology-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../../helpers/chain-orders';

/** The order in which the real embedded store was called (its reads run when called). */
function recorded(store: SpanStore): { store: SpanStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(name === 'serviceStats' ? `serviceStats ${String(args[0])}` : String(name));
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe('TopologyService.topologyWithStats: a refreshing screen reads its services with the topology', () => {
  let app: EmbeddedQueryApp;
  const t0 = Date.now() - 10 * 60_000;
  const window = { startUs: (t0 - 60_000) * 1000, endUs: (t0 + 120_000) * 1000 };
  const minute = 60_000_000;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('topology-with-stats');
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-1', t0, paymentMs: 300, delayMs: 200 }));
  });
  afterAll(() => app?.dispose());

  it("reads last time's choice alongside the topology, then only what is newly chosen, and gives the choice's stats alone", async () => {
    const { store, calls } = recorded(app.stores.spans);
    const topology = new TopologyService(store);
    const services = (await topology.topology(window)).nodes.filter((n) => n.kind === 'service').map((n) => n.id).sort();
    expect(services.length).toBeGreaterThanOrEqual(3);
    const [a, b, c] = services;
    calls.length = 0;

    const first = await topology.topologyWithStats('screen', window, minute, 5, () => [a, b]);
    expect(calls.filter((x) => x.startsWith('serviceStats'))).toEqual([`serviceStats ${a}`, `serviceStats ${b}`]);
    // nothing chosen before: the stats wait for the topology
    expect(calls.indexOf(`serviceStats ${a}`)).toBeGreaterThan(calls.indexOf('topology'));
    expect([...first.stats.keys()]).toEqual([a, b]);
    expect(first.stats.get(a)).toEqual(await app.stores.spans.serviceStats(a, window, minute));

    calls.length = 0;
    const second = await topology.topologyWithStats('screen', window, minute, 5, () => [b, c]);
    // a and b (chosen last time) before the topology; c after it; a read but not given
    expect(calls.slice(0, 2)).toEqual([`serviceStats ${a}`, `serviceStats ${b}`]);
    expect(calls.filter((x) => x.startsWith('serviceStats'))).toEqual([`serviceStats ${a}`, `serviceStats ${b}`, `serviceStats ${c}`]);
    expect(calls.indexOf(`serviceStats ${c}`)).toBeGreaterThan(calls.indexOf('topology'));
    expect([...second.stats.keys()]).toEqual([b, c]);
    expect(second.stats.get(c)).toEqual(await app.stores.spans.serviceStats(c, window, minute));
    expect(second.topology).toEqual(first.topology);
  });
});
