import { TopologyService } from '../../../../query-api/services/topology-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../../helpers/chain-orders';
import { recordedStore } from '../../../helpers/recorded-store';

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
    const recorded = recordedStore(app.stores.spans);
    // the embedded store reads when called: the order of calls is the order of reads
    const seen = () => recorded.calls.map((c) => (c.method === 'servicesStats' ? `servicesStats ${(c.args[0] as string[]).join(',')}` : c.method));
    const topology = new TopologyService(recorded.store);
    const services = (await topology.topology(window)).nodes.filter((n) => n.kind === 'service').map((n) => n.id).sort();
    expect(services.length).toBeGreaterThanOrEqual(3);
    const [a, b, c] = services;
    recorded.calls.length = 0;

    const first = await topology.topologyWithStats('screen', window, minute, 5, () => [a, b]);
    let calls = seen();
    // one read of both services' stats
    expect(calls.filter((x) => x.startsWith('servicesStats'))).toEqual([`servicesStats ${a},${b}`]);
    // nothing chosen before: the stats wait for the topology
    expect(calls.indexOf(`servicesStats ${a},${b}`)).toBeGreaterThan(calls.indexOf('topology'));
    expect([...first.stats.keys()]).toEqual([a, b]);
    expect(first.stats.get(a)).toEqual(await app.stores.spans.serviceStats(a, window, minute));

    recorded.calls.length = 0;
    const second = await topology.topologyWithStats('screen', window, minute, 5, () => [b, c]);
    calls = seen();
    // a and b (chosen last time) in one read before the topology; c after it; a read but not given
    expect(calls[0]).toBe(`servicesStats ${a},${b}`);
    expect(calls.filter((x) => x.startsWith('servicesStats'))).toEqual([`servicesStats ${a},${b}`, `servicesStats ${c}`]);
    expect(calls.indexOf(`servicesStats ${c}`)).toBeGreaterThan(calls.indexOf('topology'));
    expect([...second.stats.keys()]).toEqual([b, c]);
    expect(second.stats.get(c)).toEqual(await app.stores.spans.serviceStats(c, window, minute));
    expect(second.topology).toEqual(first.topology);
  });
});
