import path from 'node:path';
import type { Page } from 'playwright-core';
import type { AlertEvaluator } from '../../alerting/evaluator';
import { makeLog } from '../contract/fixtures';
import { ARTIFACTS, describeInBrowser } from '../helpers/browser';
import { startOrdersUi, type OrdersUi } from '../helpers/orders-ui';
import { evaluatorOnClock, shopFaults, writeFrontendRules } from '../helpers/shop-incidents';
import { writeShopTraffic } from '../helpers/shop-orders';

const MINUTE_MS = 60_000;
const HOSTILE = '<img src=x onerror="window.__pwned=1"> card ledger locked';

/**
 * Incidents in Chromium: the list, an incident page (causes, the series with
 * its band, the topology around it, affected orders, traces, the log lines
 * that rose, a hostile one shown as text), incidents shaded and anomalies
 * marked on the topology page's RED charts, and incidents shaded on a
 * wall-screen time series. Two faults in a shop's synthetic traffic fire
 * anomaly rules on a simulated clock; a third, still running, is a current anomaly.
 */
describeInBrowser('incidents in Chromium', () => {
  let ui: OrdersUi;
  let page: Page;
  let base: string;
  let evaluator: AlertEvaluator | undefined;
  const M = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS;
  const faults = shopFaults(M);
  // payment is slow again from M + 6 min: a current anomaly, never evaluated
  const paymentSlow = (t: number) => faults.paymentSlow(t) || t >= M + 6 * MINUTE_MS;
  let simulatedNow = M;

  beforeAll(async () => {
    ui = await startOrdersUi([], { width: 1280, height: 1500 }, 'incidents-ui', async (stores, dataDir) => {
      await writeShopTraffic(stores.spans, stores.logs, {
        fromMs: M - 60 * MINUTE_MS,
        toMs: Date.now() - 20_000,
        perMinute: 60,
        paymentMs: (t) => (paymentSlow(t) ? faults.slowPaymentMs(t) : faults.usualPaymentMs(t)),
        inventoryFails: faults.inventoryFailing,
      });
      const hostile = [0, 1, 2].map((k) => makeLog({ service: 'inventory', severityText: 'ERROR', severityNumber: 17, timeUs: (M - 30 * MINUTE_MS + k * 1000) * 1000, body: HOSTILE }));
      await stores.logs.writeLogs({ logs: hostile, businessKeys: [] });
      writeFrontendRules(dataDir);
      const ev = (evaluator = evaluatorOnClock(stores, dataDir, () => simulatedNow));
      for (const at of [M - 30 * MINUTE_MS, M - 29 * MINUTE_MS, M - 24 * MINUTE_MS, M, M + MINUTE_MS, M + 6 * MINUTE_MS]) {
        simulatedNow = at + 1000;
        await ev.evaluateOnce();
      }
      return { incidents: () => ev.incidents() };
    });
    ({ base, page } = ui);
  }, 180_000);

  afterAll(async () => {
    await evaluator?.shutdown();
    await ui?.dispose();
  });

  afterEach(() => {
    expect(ui.pageErrors).toEqual([]);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const openIncident = async (rule: string) => {
    await page.goto(`${base}/#/incidents`);
    await page.waitForSelector('.incident-row');
    // the incident of the rule on frontend's own entry calls (its operations and edges may have one too)
    const row = page.locator('.incident-row', { hasText: rule }).filter({ has: page.locator('td:nth-child(3) .name', { hasText: /^frontend$/ }) });
    await row.locator('a').click();
    await page.waitForSelector('.incident-causes .cause-row');
  };

  test('lists the incidents, newest first, with status and severity', async () => {
    await page.goto(`${base}/#/incidents`);
    await page.waitForSelector('.incident-row');
    expect(await page.locator('.nav a.active').textContent()).toBe('Incidents');
    const rows = await page.locator('.incident-row').evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''));
    const slow = rows.findIndex((r) => r.includes('FrontendSlow'));
    const errors = rows.findIndex((r) => r.includes('FrontendErrors'));
    expect(slow).toBeGreaterThanOrEqual(0);
    expect(errors).toBeGreaterThan(slow);
    expect(rows.every((r) => /resolved/.test(r))).toBe(true);
    await shot('incidents-list');
  });

  test('an incident page puts the slow payment first, with the series, its band, the topology, orders and traces', async () => {
    await openIncident('FrontendSlow');
    expect(await page.locator('.page-title').textContent()).toContain('FrontendSlow');
    const first = page.locator('.incident-causes .cause-row').first();
    expect(await first.getAttribute('data-service')).toBe('payment');
    expect(await first.textContent()).toContain('charge');
    expect(await first.locator('.cause-evidence li').count()).toBeGreaterThan(0);
    // the series with its band, and windows outside it
    await page.waitForSelector('.incident-series svg .incident-band');
    expect(await page.locator('.incident-series .incident-point.outside').count()).toBeGreaterThan(0);
    expect(await page.locator('.incident-series .incident-point:not(.outside)').count()).toBeGreaterThan(0);
    // the topology around frontend, frontend marked, checkout one hop away
    expect(await page.locator('.incident-graph .incident-node.focus').getAttribute('data-node')).toBe('frontend');
    expect(await page.locator('.incident-graph .incident-node[data-node=checkout]').count()).toBe(1);
    // the slow orders link to their chains, each with its own top cause
    const order = page.locator('.incident-orders .order-row').first();
    expect(await order.locator('a').getAttribute('href')).toMatch(/^#\/chain\/order\.id\/ORD-\d+$/);
    expect(await order.textContent()).toContain('payment: charge');
    expect(await page.locator('.incident-traces .trace-row a').first().getAttribute('href')).toMatch(/^#\/trace\/[0-9a-f]{32}$/);
    await shot('incident-page');
    await order.locator('a').click();
    await page.waitForFunction(() => location.hash.startsWith('#/chain/order.id/ORD-'));
  });

  test('the failing inventory incident shows the error lines that rose, a hostile one as text', async () => {
    await openIncident('FrontendErrors');
    expect(await page.locator('.incident-causes .cause-row').first().getAttribute('data-service')).toBe('inventory');
    const logs = await page.locator('.incident-logs .log-row').allTextContents();
    expect(logs.some((l) => l.includes('reserve failed for'))).toBe(true);
    expect(logs.some((l) => l.includes(HOSTILE))).toBe(true);
    expect(await page.locator('.incident-logs img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.incident-orders .order-row.failed').count()).toBeGreaterThan(0);
    await shot('incident-inventory');
  });

  test('an unknown or malformed incident says so', async () => {
    await page.goto(`${base}/#/incident/0123456789abcdef`);
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toMatch(/404 no incident 0123456789abcdef/);
    await page.goto(`${base}/#/incident/${encodeURIComponent('<b>x</b>')}`);
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toMatch(/^400 incident must be/);
    expect(await page.locator('.error-box b').count()).toBe(0);
  });

  test('the RED charts of a service shade its incidents (linking to them) and mark its current anomaly', async () => {
    await page.goto(`${base}/#/topology?range=1h&node=frontend`);
    await page.waitForSelector('.red-chart[data-chart=latency] svg');
    const latency = page.locator('.red-chart[data-chart=latency]');
    await latency.locator('.red-incident').first().waitFor();
    expect(await latency.locator('a .red-incident').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.red-chart[data-chart=error-rate] .red-incident').count()).toBeGreaterThanOrEqual(1);
    // payment is slow again in the last minutes: frontend's p95 is a current anomaly
    expect(await latency.locator('.red-anomaly').count()).toBe(1);
    expect(await latency.locator('.red-anomaly title').textContent()).toMatch(/^anomaly: \d+/);
    await page.locator('.topo-side').screenshot({ path: path.join(ARTIFACTS, 'red-charts-incidents.png') });
    const href = await latency.locator('a').first().getAttribute('href');
    expect(href).toMatch(/^#\/incident\/[0-9a-f]{16}$/);
  });

  test('a wall-screen time series shades the incidents of its window', async () => {
    await page.goto(`${base}/#/screens/order-center`);
    await page.waitForSelector('.chart-incident');
    expect(await page.locator('.chart-incident').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.chart-incidents').first().textContent()).toMatch(/^\d+ incidents?$/);
    await shot('screen-incidents');
  });
});
