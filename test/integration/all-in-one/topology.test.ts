import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId, type JsonSpanSpec } from '../../helpers/otlp-json';
import { waitFor } from '../../helpers/wait';

// OTLP span kinds
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

describe('topology and service stats over the all-in-one', () => {
  let app: TestAllInOne;
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;
  const n = { gateway: 'gateway', checkout: 'checkout', worker: 'fulfilment-worker', queue: 'orders-topic', psp: 'acme-psp' };

  /** One order: gateway → checkout (sync) → redis, → psp, → queue → worker. */
  function order(startMs: number, error: boolean): JsonSpanSpec[] {
    const traceId = randomTraceId();
    const ids = { root: randomSpanId(), call: randomSpanId(), server: randomSpanId(), produce: randomSpanId() };
    return [
      { traceId, spanId: ids.root, name: 'POST /checkout', service: n.gateway, startMs, durationMs: 120, kind: SERVER },
      { traceId, spanId: ids.call, parentSpanId: ids.root, name: 'POST', service: n.gateway, startMs: startMs + 1, durationMs: 110, kind: CLIENT, attributes: { 'server.address': 'checkout.svc', 'server.port': 8080 } },
      { traceId, spanId: ids.server, parentSpanId: ids.call, name: 'POST /orders', service: n.checkout, startMs: startMs + 2, durationMs: 100, kind: SERVER, error },
      { traceId, spanId: randomSpanId(), parentSpanId: ids.server, name: 'GET', service: n.checkout, startMs: startMs + 3, durationMs: 2, kind: CLIENT, attributes: { 'db.system': 'redis', 'server.address': 'sessions' } },
      { traceId, spanId: randomSpanId(), parentSpanId: ids.server, name: 'POST /charges', service: n.checkout, startMs: startMs + 6, durationMs: 40, kind: CLIENT, attributes: { 'peer.service': n.psp } },
      { traceId, spanId: ids.produce, parentSpanId: ids.server, name: 'orders-topic publish', service: n.checkout, startMs: startMs + 50, durationMs: 1, kind: PRODUCER, attributes: { 'messaging.destination.name': n.queue } },
      { traceId, spanId: randomSpanId(), parentSpanId: ids.produce, name: 'orders-topic process', service: n.worker, startMs: startMs + 300, durationMs: 30, kind: CONSUMER, attributes: { 'messaging.destination.name': n.queue } },
    ];
  }
  const body = otlpJsonTraces([...order(minute + 1_000, false), ...order(minute + 61_000, true)]);
  const send = (b: string) =>
    fetch(`${app.otlpUrl}/v1/traces`, { method: 'POST', body: b, headers: { 'Content-Type': 'application/json' } }).then((r) => expect(r.status).toBe(200));
  const window = `start=${minute}&end=${minute + 119_999}`;
  const topology = async () => (await getJson(`${app.apiUrl}/api/topology?${window}`)).body;
  const edgeList = (t: any) => t.edges.map((e: any) => [e.source, e.target, e.kind, e.calls, e.errors]).sort();

  beforeAll(async () => {
    app = await startTestAllInOne();
    await send(body);
    await waitFor(async () => (await topology()).edges.length === 5 || undefined, 'topology edges');
  });
  afterAll(() => app?.dispose());

  it('shows services, the database, the queue on both sides and the external peer', async () => {
    const t = await topology();
    expect(t.nodes.map((x: any) => [x.id, x.kind, x.calls]).sort()).toEqual(
      [
        [n.gateway, 'service', 2],
        [n.checkout, 'service', 2],
        [n.worker, 'service', 2],
        ['redis sessions', 'database', 2],
        [n.queue, 'queue', 2],
        [n.psp, 'external', 2],
      ].sort(),
    );
    expect(edgeList(t)).toEqual(
      [
        [n.gateway, n.checkout, 'sync', 2, 1],
        [n.checkout, 'redis sessions', 'sync', 2, 0],
        [n.checkout, n.psp, 'sync', 2, 0],
        [n.checkout, n.queue, 'async', 2, 0],
        [n.queue, n.worker, 'async', 2, 0],
      ].sort(),
    );
    const checkout = t.nodes.find((x: any) => x.id === n.checkout);
    expect(checkout.errorRate).toBe(0.5);
    expect(checkout.p50Ms).toBeGreaterThan(100 / 1.5);
    expect(checkout.p50Ms).toBeLessThan(100 * 1.5);
  });

  it('re-sending the same request leaves the numbers unchanged', async () => {
    const before = await topology();
    const statsBefore = (await getJson(`${app.apiUrl}/api/services/${n.checkout}/stats?${window}&step=60s`)).body;
    await send(body);
    // a marker sent after the replay: once it is visible, the replay has been written too
    const marker = `marker-${Date.now()}`;
    await send(otlpJsonTraces([{ traceId: randomTraceId(), spanId: randomSpanId(), name: 'tick', service: marker, startMs: Date.now(), durationMs: 1, kind: SERVER }]));
    await waitFor(async () => (await getJson(`${app.apiUrl}/api/services`)).body.services.includes(marker) || undefined, 'marker');
    expect(await topology()).toEqual(before);
    expect((await getJson(`${app.apiUrl}/api/services/${n.checkout}/stats?${window}&step=60s`)).body).toEqual(statsBefore);
  });

  it('service stats: one point per step, per operation too', async () => {
    const { status, body: stats } = await getJson(`${app.apiUrl}/api/services/${n.checkout}/stats?${window}&step=60s`);
    expect(status).toBe(200);
    expect(stats.stepUs).toBe(60_000_000);
    expect(stats.series.map((p: any) => [p.tUs, p.calls, p.errors])).toEqual([
      [minute * 1000, 1, 0],
      [(minute + 60_000) * 1000, 1, 1],
    ]);
    expect(stats.series[0].ratePerSec).toBeCloseTo(1 / 60);
    expect(stats.operations).toHaveLength(1);
    expect(stats.operations[0]).toMatchObject({ name: 'POST /orders', calls: 2, errors: 1, errorRate: 0.5 });
    expect(stats.operations[0].series.map((p: any) => p.calls)).toEqual([1, 1]);
    const twoMin = (await getJson(`${app.apiUrl}/api/services/${n.checkout}/stats?${window}&step=2m`)).body;
    expect(twoMin.series.reduce((s: number, p: any) => s + p.calls, 0)).toBe(2);
    // default window (last 15 minutes) and default step
    const recent = (await getJson(`${app.apiUrl}/api/services/${n.checkout}/stats`)).body;
    expect(recent.series.reduce((s: number, p: any) => s + p.calls, 0)).toBe(2);
    expect((await getJson(`${app.apiUrl}/api/topology`)).body.nodes.length).toBeGreaterThanOrEqual(6);
  });

  it('rates are calls per second over the last whole minutes before the minute the window ends in', async () => {
    const t = await topology();
    // the window ends 59.999 s into its second minute: the rate window is its first minute (one order)
    expect(t.rate).toEqual({ startUs: minute * 1000, endUs: (minute + 60_000) * 1000, seconds: 60 });
    const gateway = t.nodes.find((x: any) => x.id === n.gateway);
    expect(gateway.calls).toBe(2);
    expect(gateway.ratePerSec).toBeCloseTo(1 / 60);
    expect(t.edges.find((e: any) => e.source === n.gateway && e.target === n.checkout).ratePerSec).toBeCloseTo(1 / 60);
    // a window ending later: the second minute counts too, over the two minutes the window touches
    const later = (await getJson(`${app.apiUrl}/api/topology?start=${minute}&end=${minute + 120_000}&rateMinutes=5`)).body;
    expect(later.rate.seconds).toBe(120);
    expect(later.nodes.find((x: any) => x.id === n.gateway).ratePerSec).toBeCloseTo(2 / 120);
    // one minute asked for: only the second minute's order
    const one = (await getJson(`${app.apiUrl}/api/topology?start=${minute}&end=${minute + 120_000}&rateMinutes=1`)).body;
    expect(one.rate).toEqual({ startUs: (minute + 60_000) * 1000, endUs: (minute + 120_000) * 1000, seconds: 60 });
    expect(one.nodes.find((x: any) => x.id === n.checkout).ratePerSec).toBeCloseTo(1 / 60);
  });

  it('services overview: every service with rate, error rate, quantiles and a series, busiest first', async () => {
    const { status, body } = await getJson(`${app.apiUrl}/api/services/stats?start=${minute}&end=${minute + 120_000}&step=60s`);
    expect(status).toBe(200);
    expect(body.stepUs).toBe(60_000_000);
    expect(body.truncated).toBe(false);
    const rows = Object.fromEntries(body.services.map((r: any) => [r.service, r]));
    expect(Object.keys(rows).sort()).toEqual([n.checkout, n.worker, n.gateway].sort());
    expect(rows[n.checkout]).toMatchObject({ calls: 2, errors: 1, errorRate: 0.5 });
    expect(rows[n.checkout].ratePerSec).toBeCloseTo(2 / 120);
    expect(rows[n.checkout].p95Ms).toBeGreaterThan(100 / 1.5);
    expect(rows[n.checkout].series.map((p: any) => [p.tUs, p.calls, p.errors])).toEqual([
      [minute * 1000, 1, 0],
      [(minute + 60_000) * 1000, 1, 1],
      [(minute + 120_000) * 1000, 0, 0],
    ]);
    expect(rows[n.gateway].errorRate).toBe(0);
    // the same figures as the topology's service nodes
    const t = (await getJson(`${app.apiUrl}/api/topology?start=${minute}&end=${minute + 120_000}`)).body;
    for (const node of t.nodes.filter((x: any) => x.kind === 'service')) {
      expect([rows[node.id].calls, rows[node.id].errorRate, rows[node.id].p95Ms, rows[node.id].ratePerSec]).toEqual([node.calls, node.errorRate, node.p95Ms, node.ratePerSec]);
    }
  });

  it('answers 400 naming the parameter', async () => {
    const bad = async (qs: string, path = `/api/services/${n.checkout}/stats`) => (await getJson(`${app.apiUrl}${path}?${qs}`)).body;
    expect((await getJson(`${app.apiUrl}/api/services/${n.checkout}/stats?step=fast`)).status).toBe(400);
    expect((await bad('step=fast')).parameter).toBe('step');
    expect((await bad('step=90s')).parameter).toBe('step');
    expect((await bad(`start=${minute}&end=${minute + 86_400_000}&step=60s`)).parameter).toBe('step');
    expect((await bad(`start=${minute}&end=${minute + 8 * 86_400_000}`, '/api/topology')).parameter).toBe('start');
    expect((await bad(`start=${minute + 1000}&end=${minute}`, '/api/topology')).parameter).toBe('start');
    expect((await bad('rateMinutes=0', '/api/topology')).parameter).toBe('rateMinutes');
    expect((await bad('rateMinutes=1.5', '/api/services/stats')).parameter).toBe('rateMinutes');
    expect((await bad('step=90s', '/api/services/stats')).parameter).toBe('step');
  });
});
