import type { IncidentEvidence, IncidentRcaAnswer, IncidentsAnswer } from '../../../core/wire/incidents';
import { evaluatorOnClock, shopFaults, startShopIncidents, writeFrontendRules, type ShopIncidents } from '../../helpers/shop-incidents';

const MINUTE_MS = 60_000;

/**
 * Incidents end to end over a real embedded store: two faults injected in a
 * shop's synthetic traffic (inventory failing, later payment slow) fire
 * anomaly rules on the symptom at the front (frontend's error rate, then its
 * latency); each firing opens an incident whose evidence and ranking, read
 * over HTTP from the query API, put the injected cause first. The evaluator
 * runs on a simulated clock in the past, the API on the real one.
 */
describe('incidents with evidence, over HTTP', () => {
  let shop: ShopIncidents;
  // M: a whole minute ten minutes ago; payment is slow from M − 3 min to M + 3 min, inventory fails from M − 33 min to M − 27 min
  const M = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS;
  const faults = shopFaults(M);

  beforeAll(async () => {
    shop = await startShopIncidents(
      'incidents',
      {
        fromMs: M - 60 * MINUTE_MS,
        toMs: M + 9 * MINUTE_MS,
        perMinute: 60,
        paymentMs: (t) => (faults.paymentSlow(t) ? faults.slowPaymentMs(t) : faults.usualPaymentMs(t)),
        inventoryFails: faults.inventoryFailing,
      },
      writeFrontendRules,
      M,
    );
  }, 120_000);

  afterAll(async () => {
    await shop?.dispose();
  });

  const get = <T>(p: string) => shop.get<T>(p);
  const at = (ms: number) => shop.at(ms);
  /** The incident of a rule on frontend's own entry calls (the rule's service filter also takes its operations and edges). */
  const frontendIncident = (answer: IncidentsAnswer, rule: string) =>
    answer.incidents.find((i) => i.rule === rule && i.series?.kind === 'service' && i.series.service === 'frontend');

  it('lists no incident before an alert fires, and 404/400 for an unknown or malformed id', async () => {
    await at(M - 40 * MINUTE_MS + 1000);
    const list = await get<IncidentsAnswer>('/api/incidents');
    expect(list).toEqual({ status: 200, body: { evaluating: true, incidents: [] } });
    expect((await get('/api/incidents/0123456789abcdef')).status).toBe(404);
    const bad = await get<{ error: string; parameter?: string }>('/api/incidents/..%2Fetc');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/incident/);
    expect((await get('/api/rca?incident=xyz')).status).toBe(400);
    expect((await get('/api/rca?incident=0123456789abcdef&key=order.id&value=A')).status).toBe(400);
  });

  it('opens an incident for failing inventory and ranks inventory first, with the error logs and failed orders as evidence', async () => {
    await at(M - 30 * MINUTE_MS + 1000);
    await at(M - 29 * MINUTE_MS + 1000);
    const incident = frontendIncident((await get<IncidentsAnswer>('/api/incidents')).body, 'FrontendErrors');
    expect(incident).toMatchObject({ status: 'firing', metric: 'error_rate', severity: 'warning' });
    // the fault ends at M − 27 min: the window [M − 27, M − 24) is healthy
    await at(M - 24 * MINUTE_MS + 1000);
    const { status, body } = await get<IncidentEvidence>(`/api/incidents/${incident!.id}`);
    expect(status).toBe(200);
    expect(body.incident).toMatchObject({ id: incident!.id, status: 'resolved', resolvedAtMs: M - 24 * MINUTE_MS + 1000 });
    expect(body.missing).toEqual([]);
    expect(body.causes[0]).toMatchObject({ service: 'inventory', operation: 'reserve' });
    expect(body.causes[0].evidence.originErrors).toBeGreaterThan(0);
    expect(body.causes[0].evidence.errorLogs.now).toBeGreaterThan(body.causes[0].evidence.errorLogs.before);
    expect(body.logs[0]).toMatchObject({ service: 'inventory', severity: 'ERROR', pattern: expect.stringContaining('reserve failed for') });
    expect(body.logs.find((l) => l.service === 'search')).toBeUndefined();
    expect(body.orders.length).toBeGreaterThan(0);
    expect(body.orders.filter((o) => o.errorCount > 0).length).toBeGreaterThan(0);
    expect(body.orders.find((o) => o.errorCount > 0)!.topCause).toMatchObject({ service: 'inventory' });
    expect(body.series).toMatchObject({ metric: 'error_rate', series: { kind: 'service', service: 'frontend' } });
    expect(body.series!.band).not.toBeNull();
    // the points before the fault lie inside the band, one in the fault above it
    const band = body.series!.band!;
    const before = body.series!.points.filter((p) => p.tUs + body.series!.stepUs <= (M - 33 * MINUTE_MS) * 1000 && p.value !== null);
    expect(before.length).toBeGreaterThan(0);
    for (const p of before) expect(p.value!).toBeLessThanOrEqual(band.high);
    expect(body.series!.points.some((p) => p.value !== null && p.value > band.high)).toBe(true);
    const rca = await get<IncidentRcaAnswer>(`/api/rca?incident=${incident!.id}`);
    expect(rca.status).toBe(200);
    expect(rca.body.candidates.map((c) => c.service)).toEqual(body.causes.map((c) => c.service));
  }, 60_000);

  it('opens an incident for a slow payment, ranks payment first and shows the slow orders, traces through frontend and the topology around it', async () => {
    await at(M + 1000);
    await at(M + MINUTE_MS + 1000);
    const list = (await get<IncidentsAnswer>('/api/incidents')).body;
    const incident = frontendIncident(list, 'FrontendSlow');
    expect(incident).toMatchObject({ status: 'firing', metric: 'latency_p95_ms', severity: 'critical' });
    // newest first: the payment incident before the inventory one
    expect(list.incidents.indexOf(incident!)).toBeLessThan(list.incidents.findIndex((i) => i.rule === 'FrontendErrors'));

    const rca = await get<IncidentRcaAnswer>(`/api/rca?incident=${incident!.id}`);
    expect(rca.status).toBe(200);
    expect(rca.body.candidates[0]).toMatchObject({ service: 'payment', operation: 'charge' });
    expect(rca.body.candidates[0].evidence.ordersRankedFirst).toBeGreaterThan(0);
    expect(rca.body.candidates.find((c) => c.service === 'frontend')?.evidence.explainedBy ?? ['payment']).toContain('payment');

    const { body } = await get<IncidentEvidence>(`/api/incidents/${incident!.id}`);
    expect(body.causes[0].service).toBe('payment');
    expect(body.orders[0].durationUs).toBeGreaterThan(500_000);
    expect(body.orders[0]).toMatchObject({ key: 'order.id', value: expect.stringMatching(/^ORD-/), topCause: { service: 'payment', operation: 'charge' } });
    expect(body.traces.length).toBeGreaterThan(0);
    expect(body.traces[0].durationUs).toBeGreaterThan(500_000);
    expect(body.traces[0].services).toContain('frontend');
    expect(body.topology.nodes.find((n) => n.id === 'frontend')).toMatchObject({ focus: true });
    expect(body.topology.nodes.map((n) => n.id)).toContain('checkout');
    // far enough to reach the first causes: payment is two hops from frontend, postgres three
    expect(body.topology.nodes.map((n) => n.id)).toContain('payment');
    expect(body.topology.nodes.map((n) => n.id)).not.toContain('postgres');
    expect(body.anomalies.some((a) => a.series.kind === 'service' && a.series.service === 'payment' && a.metric === 'latency_p95_ms')).toBe(true);
    const band = body.series!.band!;
    expect(band.low).toBeLessThanOrEqual(band.center);
    expect(band.high).toBeGreaterThan(band.center);
    expect(body.series!.points.filter((p) => p.value !== null && p.value > band.high).length).toBeGreaterThan(0);
  }, 60_000);

  it('keeps the incidents across a restart of the evaluator', async () => {
    const { evaluator } = shop;
    let simulatedNow = shop.now();
    const again = evaluatorOnClock(shop.app.stores, shop.dir, () => simulatedNow);
    await again.loadSaved();
    expect(again.incidents()).toEqual(evaluator.incidents());
    simulatedNow = M + 2 * MINUTE_MS + 1000;
    await again.evaluateOnce();
    // still one incident per firing: the payment one goes on under the same id
    expect(again.incidents().map((i) => i.id)).toEqual(expect.arrayContaining(evaluator.incidents().map((i) => i.id)));
    const slow = again.incidents().filter((i) => i.rule === 'FrontendSlow' && i.series?.kind === 'service');
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ status: 'firing', id: frontendIncident({ evaluating: true, incidents: evaluator.incidents() }, 'FrontendSlow')!.id });
    await again.shutdown();
  }, 60_000);
});
