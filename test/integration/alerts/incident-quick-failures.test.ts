import fs from 'node:fs';
import path from 'node:path';
import type { IncidentEvidence, IncidentRcaAnswer, IncidentsAnswer } from '../../../core/wire/incidents';
import { startShopIncidents, type ShopIncidents } from '../../helpers/shop-incidents';

const MINUTE_MS = 60_000;

/**
 * The detection bench's error-fault misses, rebuilt on a real embedded store:
 * inventory fails for one minute and a failed reservation ends the order at
 * once (the failed orders are the quickest of all), and in the very next
 * minute payment turns slow (another fault). The error alert judged the
 * inventory minute; its incident is read after it resolved, so its evidence
 * window holds the slow-payment minute too. The orders ranked must be the
 * failed ones of the judged minute, not the slowest orders of the whole
 * window, and inventory must come first.
 */
describe('an incident of quick failures followed by another fault', () => {
  let shop: ShopIncidents;
  const M = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS;
  const inventoryFailing = (t: number) => t >= M && t < M + MINUTE_MS;
  const paymentSlow = (t: number) => t >= M + MINUTE_MS && t < M + 3 * MINUTE_MS;
  // like the shipped default rule: the last whole minute, no `for`
  const writeErrorRule = (dir: string) => {
    fs.mkdirSync(path.join(dir, 'rules'), { recursive: true });
    const rule = { name: 'FrontendErrors', severity: 'critical', condition: { kind: 'anomaly', metric: 'error_rate', service: 'frontend', window: '1m' } };
    fs.writeFileSync(path.join(dir, 'rules', 'errors.json'), JSON.stringify({ rules: [rule] }));
  };

  beforeAll(async () => {
    const traffic = {
      fromMs: M - 30 * MINUTE_MS,
      toMs: M + 4 * MINUTE_MS,
      perMinute: 120,
      paymentMs: (t: number) => (paymentSlow(t) ? 600 + (t % 50) : 15 + (t % 7)),
      inventoryFails: inventoryFailing,
      failureEndsOrder: true,
    };
    shop = await startShopIncidents('incident-quick-failures', traffic, writeErrorRule, M);
  }, 120_000);

  afterAll(async () => {
    await shop?.dispose();
  });

  const get = async <T>(p: string): Promise<T> => {
    const { status, body } = await shop.get<T>(p);
    expect(status).toBe(200);
    return body;
  };
  const at = (ms: number) => shop.at(ms);

  it('ranks the failed orders of the judged minute and puts inventory first, though slower orders of payment\'s fault fill the rest of the window', async () => {
    await at(M + MINUTE_MS + 1000);
    const incident = (await get<IncidentsAnswer>('/api/incidents')).incidents.find((i) => i.rule === 'FrontendErrors' && i.series?.kind === 'service');
    expect(incident).toMatchObject({ status: 'firing', detectionStartUs: M * 1000, detectionEndUs: (M + MINUTE_MS) * 1000 });
    // the inventory minute is over: the next one resolves the alert, and the evidence window reaches into payment's fault
    await at(M + 2 * MINUTE_MS + 1000);
    await at(M + 3 * MINUTE_MS + 1000);
    const evidence = await get<IncidentEvidence>(`/api/incidents/${incident!.id}`);
    expect(evidence.incident.status).toBe('resolved');
    expect(evidence.windowEndUs).toBeGreaterThan((M + 2 * MINUTE_MS) * 1000);
    expect(evidence.missing).toEqual([]);
    const ranked = evidence.orders.filter((o) => o.topCause !== null);
    expect(ranked.length).toBeGreaterThan(0);
    for (const o of ranked) {
      expect(o.errorCount).toBeGreaterThan(0);
      expect(o.startUs).toBeGreaterThanOrEqual(M * 1000);
      expect(o.startUs).toBeLessThan((M + MINUTE_MS) * 1000);
      expect(o.topCause).toMatchObject({ service: 'inventory', operation: 'reserve' });
    }

    const rca = await get<IncidentRcaAnswer>(`/api/rca?incident=${incident!.id}`);
    expect(rca.candidates[0]).toMatchObject({ service: 'inventory', operation: 'reserve' });
    expect(rca.candidates[0].evidence.ordersRankedFirst).toBe(ranked.length);
    expect(rca.candidates.find((c) => c.service === 'payment')?.evidence.orderShare ?? 0).toBe(0);
  }, 60_000);
});
