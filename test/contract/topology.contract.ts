import type { SpanStore } from '../../core/contracts/span-store';
import type { Span } from '../../core/model';
import { bucketOf } from '../../core/analysis/topology-histogram';
import { MAX_STATS_SERVICES } from '../../core/analysis/topology-assemble';
import type { Topology } from '../../core/topology';
import { BASE_US, makeSpan, newTraceId, spanBatch, uniq } from './fixtures';

const MIN = 60_000_000;

/**
 * A small order system: frontend → orders (sync, twice, one error), billing → orders (sync),
 * orders → a postgresql database, orders → a queue → billing (producer and consumer sides),
 * orders → an uninstrumented payment provider. Caller-side peer names of orders are aliases,
 * not external nodes. Written in three batches with a child before its parent.
 */
export function topologyFixture() {
  const names = {
    frontend: uniq('frontend'),
    orders: uniq('orders'),
    billing: uniq('billing'),
    db: uniq('ordersdb'),
    queue: uniq('order-events'),
    psp: uniq('psp'),
    ordersPeer: uniq('orders-lb'),
  };
  // a minute of its own, away from the other tests' data (they write around BASE_US)
  // (aligned to 5 minutes, so a 5-minute step puts both requests in one point)
  const t0 = Math.floor(BASE_US / (5 * MIN)) * 5 * MIN + 3 * 24 * 60 * MIN + Math.floor(Math.random() * 10_000) * 5 * MIN;
  const span = (o: Partial<Span>) => makeSpan({ resource: { 'service.name': o.service ?? 'svc' }, ...o });
  const request = (i: number, error: boolean) => {
    const traceId = newTraceId();
    const start = t0 + i * MIN + 1_000_000;
    const root = span({ traceId, service: names.frontend, name: 'GET /checkout', kind: 'server', startUs: start, durationUs: 50_000 });
    const call = span({
      traceId, service: names.frontend, name: 'POST', kind: 'client', parentSpanId: root.spanId, startUs: start + 10, durationUs: 40_000,
      attributes: { 'peer.service': names.ordersPeer, 'server.address': names.ordersPeer },
    });
    const server = span({
      traceId, service: names.orders, name: 'POST /orders', kind: 'server', parentSpanId: call.spanId, startUs: start + 20, durationUs: 30_000,
      status: error ? { code: 'error', message: 'boom' } : { code: 'unset', message: '' },
    });
    const db = span({
      traceId, service: names.orders, name: 'INSERT orders', kind: 'client', parentSpanId: server.spanId, startUs: start + 30, durationUs: 2_000,
      attributes: { 'db.system': 'postgresql', 'db.name': names.db, 'server.address': 'db-host' },
    });
    const produce = span({
      traceId, service: names.orders, name: `${names.queue} publish`, kind: 'producer', parentSpanId: server.spanId, startUs: start + 40, durationUs: 1_000,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': names.queue },
    });
    const psp = span({
      traceId, service: names.orders, name: 'POST', kind: 'client', parentSpanId: server.spanId, startUs: start + 50, durationUs: 20_000,
      attributes: { 'peer.service': names.psp, 'server.address': `${names.psp}.example.com` },
    });
    const consume = span({
      traceId, service: names.billing, name: `${names.queue} process`, kind: 'consumer', parentSpanId: produce.spanId, startUs: start + 5_000, durationUs: 8_000,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': names.queue },
    });
    const back = span({
      traceId, service: names.billing, name: 'GET', kind: 'client', parentSpanId: consume.spanId, startUs: start + 5_100, durationUs: 3_000,
      attributes: { 'server.address': 'orders.internal' },
    });
    const backServer = span({
      traceId, service: names.orders, name: 'GET /orders/{id}', kind: 'server', parentSpanId: back.spanId, startUs: start + 5_200, durationUs: 2_500,
    });
    return { root, call, server, db, produce, psp, consume, back, backServer };
  };
  const r1 = request(0, false);
  const r2 = request(1, true);
  const batches: Span[][] = [
    // r1 whole; r2's orders spans before frontend's (child first), and billing last
    [...Object.values(r1)],
    [r2.server, r2.db, r2.produce, r2.psp, r2.backServer],
    [r2.root, r2.call, r2.consume, r2.back],
  ];
  return { names, t0, batches, window: { startUs: t0, endUs: t0 + 2 * MIN - 1 } };
}

/** The part of a topology that touches these node ids. */
export function subTopology(t: Topology, ids: string[]): Topology {
  const keep = (id: string) => ids.some((x) => id === x || id.includes(x));
  return {
    nodes: t.nodes.filter((n) => keep(n.id)),
    edges: t.edges.filter((e) => keep(e.source) || keep(e.target)),
  };
}

export function describeTopologyContract(getStore: () => SpanStore, flush: () => Promise<void>): void {
  describe('topology and service stats', () => {
    const write = async (batches: Span[][]) => {
      for (const b of batches) await getStore().writeSpans(spanBatch(b));
      await flush();
    };
    /** Each test writes a fixture of its own (own names, own minutes): none depends on another's data or order. */
    const written = async () => {
      const fx = topologyFixture();
      await write(fx.batches);
      return { fx, ids: Object.values(fx.names) };
    };

    it('derives services, a database, a queue (both sides) and an external peer, with calls and errors', async () => {
      const { fx, ids } = await written();
      const t = subTopology(await getStore().topology(fx.window), ids);
      const n = fx.names;
      const db = `postgresql ${n.db}`;
      expect(t.nodes.map((x) => [x.id, x.kind, x.calls]).sort()).toEqual(
        [
          [n.frontend, 'service', 2],
          [n.orders, 'service', 4],
          [n.billing, 'service', 2],
          [db, 'database', 2],
          [n.queue, 'queue', 2],
          [n.psp, 'external', 2],
        ].sort(),
      );
      expect(t.edges.map((e) => [e.source, e.target, e.kind, e.calls, e.errors]).sort()).toEqual(
        [
          [n.frontend, n.orders, 'sync', 2, 1],
          [n.billing, n.orders, 'sync', 2, 0],
          [n.orders, db, 'sync', 2, 0],
          [n.orders, n.queue, 'async', 2, 0],
          [n.queue, n.billing, 'async', 2, 0],
          [n.orders, n.psp, 'sync', 2, 0],
        ].sort(),
      );
      const orders = t.nodes.find((x) => x.id === n.orders)!;
      expect(orders.errorRate).toBeCloseTo(0.25);
      const fo = t.edges.find((e) => e.source === n.frontend)!;
      // 30 ms server-side, within the histogram's bucket error
      expect(fo.p50Ms).toBeGreaterThan(30 / 1.5);
      expect(fo.p50Ms).toBeLessThan(30 * 1.5);
      expect(fo.p99Ms).not.toBeNull();
      const psp = t.nodes.find((x) => x.id === n.psp)!;
      expect(psp.p95Ms).toBeGreaterThan(20 / 1.5);
      expect(psp.p95Ms).toBeLessThan(20 * 1.5);
    });

    it('a replayed batch changes neither topology nor stats', async () => {
      const { fx, ids } = await written();
      const before = subTopology(await getStore().topology(fx.window), ids);
      const statsBefore = await getStore().serviceStats(fx.names.orders, fx.window, MIN);
      expect(before.edges).toHaveLength(6);
      expect(statsBefore.series.map((p) => p.calls)).toEqual([2, 2]);
      await write(fx.batches);
      await write([fx.batches.flat()]);
      expect(subTopology(await getStore().topology(fx.window), ids)).toEqual(before);
      expect(await getStore().serviceStats(fx.names.orders, fx.window, MIN)).toEqual(statsBefore);
    });

    it('service stats: a point per step, per operation too', async () => {
      const { fx } = await written();
      const stats = await getStore().serviceStats(fx.names.orders, fx.window, MIN);
      expect(stats.service).toBe(fx.names.orders);
      expect(stats.stepUs).toBe(MIN);
      expect(stats.series.map((p) => [p.tUs, p.calls, p.errors])).toEqual([
        [fx.t0, 2, 0],
        [fx.t0 + MIN, 2, 1],
      ]);
      expect(stats.series[0].ratePerSec).toBeCloseTo(2 / 60);
      expect(stats.series[1].errorRate).toBeCloseTo(0.5);
      expect(stats.operations.map((o) => [o.name, o.calls, o.errors, o.series.map((p) => p.calls)]).sort()).toEqual(
        [
          ['GET /orders/{id}', 2, 0, [1, 1]],
          ['POST /orders', 2, 1, [1, 1]],
        ].sort(),
      );
      const wide = await getStore().serviceStats(fx.names.orders, { startUs: fx.t0 - 5 * MIN, endUs: fx.t0 + 10 * MIN }, 5 * MIN);
      expect(wide.series.map((p) => p.calls)).toEqual([0, 4, 0, 0]);
      expect(wide.series[0].p50Ms).toBeNull();
      const unknown = await getStore().serviceStats(uniq('nobody'), fx.window, MIN);
      expect(unknown.series.map((p) => p.calls)).toEqual([0, 0]);
      expect(unknown.operations).toEqual([]);
    });

    it('latency minutes: entry-span calls per minute and latency bucket, per service or of all, as service stats count them', async () => {
      const { fx } = await written();
      const rows = await getStore().latencyMinutes(fx.window, fx.names.orders);
      expect(rows.map((r) => [r.minute, r.bucket])).toEqual(rows.map((r) => [r.minute, r.bucket]).sort((a, b) => a[0] - b[0] || a[1] - b[1]));
      const perMinute = (list: { minute: number; count: number }[]) => {
        const m = new Map<number, number>();
        for (const r of list) m.set(r.minute, (m.get(r.minute) ?? 0) + r.count);
        return [...m];
      };
      expect(perMinute(rows)).toEqual([
        [fx.t0, 2],
        [fx.t0 + MIN, 2],
      ]);
      // the orders server span of the first request took 30 ms
      expect(rows.some((r) => r.minute === fx.t0 && r.bucket === bucketOf(30_000))).toBe(true);
      const stats = await Promise.all([fx.names.frontend, fx.names.orders, fx.names.billing].map((s) => getStore().serviceStats(s, fx.window, MIN)));
      const every = await getStore().latencyMinutes(fx.window);
      expect(perMinute(every)).toEqual(stats[0].series.map((p, i) => [p.tUs, p.calls + stats[1].series[i].calls + stats[2].series[i].calls]));
      await write(fx.batches);
      expect(await getStore().latencyMinutes(fx.window, fx.names.orders)).toEqual(rows);
      expect(await getStore().latencyMinutes(fx.window, uniq('nobody'))).toEqual([]);
      await expect(getStore().latencyMinutes({ startUs: fx.t0, endUs: fx.t0 + 1440 * MIN })).rejects.toMatchObject({ parameter: 'end' });
    });

    it('servicesStats gives each service serviceStats gives, in the order asked; more than MAX_STATS_SERVICES are refused', async () => {
      const { fx } = await written();
      const names = [fx.names.billing, uniq('nobody'), fx.names.frontend, fx.names.orders, fx.names.billing];
      const one = await Promise.all(names.map((s) => getStore().serviceStats(s, fx.window, MIN)));
      const all = await getStore().servicesStats(names, fx.window, MIN);
      expect(all).toEqual(one);
      expect(all.map((x) => x.service)).toEqual(names);
      expect(all[3].series.reduce((sum, p) => sum + p.calls, 0)).toBeGreaterThan(0);
      expect(all[1]).toMatchObject({ operations: [] });
      // a step of five minutes, as the error-operations panel asks for a whole window
      expect(await getStore().servicesStats([fx.names.orders], fx.window, 5 * MIN)).toEqual([await getStore().serviceStats(fx.names.orders, fx.window, 5 * MIN)]);
      expect(await getStore().servicesStats([], fx.window, MIN)).toEqual([]);
      const many = Array.from({ length: MAX_STATS_SERVICES + 1 }, (_, i) => `s${i}`);
      await expect(getStore().servicesStats(many, fx.window, MIN)).rejects.toMatchObject({ parameter: 'services' });
      await expect(getStore().servicesStats([fx.names.orders], fx.window, MIN + 1)).rejects.toMatchObject({ parameter: 'step' });
    });

    it('an empty window is empty; bad windows and steps are refused', async () => {
      const { fx, ids } = await written();
      const far = fx.t0 + 5 * 24 * 60 * MIN;
      expect(subTopology(await getStore().topology({ startUs: far, endUs: far + MIN }), ids)).toEqual({ nodes: [], edges: [] });
      await expect(getStore().topology({ endUs: far })).rejects.toMatchObject({ parameter: 'start' });
      await expect(getStore().serviceStats(fx.names.orders, fx.window, 90_000_000)).rejects.toMatchObject({ parameter: 'step' });
    });
  });
}
