import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { getJson, startTestAllInOne, type TestAllInOne } from '../helpers/all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId, type JsonSpanSpec } from '../helpers/otlp-json';
import { waitFor } from '../helpers/wait';

const SERVER = 2;
const CLIENT = 3;

/** One request: gateway → orders → (payments | inventory), orders → postgres; payments slower and failing now and then. */
function request(startMs: number, i: number): JsonSpanSpec[] {
  const traceId = randomTraceId();
  const root = randomSpanId();
  const call = randomSpanId();
  const orders = randomSpanId();
  const out = randomSpanId();
  const pay = i % 2 === 0;
  return [
    { traceId, spanId: root, name: 'GET /buy', service: 'gateway', startMs, durationMs: 80, kind: SERVER },
    { traceId, spanId: call, parentSpanId: root, name: 'POST', service: 'gateway', startMs: startMs + 1, durationMs: 75, kind: CLIENT, attributes: { 'server.address': 'orders' } },
    { traceId, spanId: orders, parentSpanId: call, name: 'POST /orders', service: 'orders', startMs: startMs + 2, durationMs: 70, kind: SERVER },
    { traceId, spanId: randomSpanId(), parentSpanId: orders, name: 'INSERT', service: 'orders', startMs: startMs + 3, durationMs: 5, kind: CLIENT, attributes: { 'db.system': 'postgresql', 'db.name': 'shop' } },
    { traceId, spanId: out, parentSpanId: orders, name: 'POST', service: 'orders', startMs: startMs + 10, durationMs: pay ? 50 : 8, kind: CLIENT, attributes: { 'server.address': pay ? 'payments' : 'inventory' } },
    { traceId, spanId: randomSpanId(), parentSpanId: out, name: pay ? 'POST /charge' : 'POST /reserve', service: pay ? 'payments' : 'inventory', startMs: startMs + 11, durationMs: pay ? 45 : 6, kind: SERVER, error: pay && i % 4 === 0 },
  ];
}

describeInBrowser('live topology and services table in Chromium', () => {
  let app: TestAllInOne;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const send = async (spans: JsonSpanSpec[]) => {
    const res = await fetch(`${app.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJsonTraces(spans) });
    if (res.status !== 200) throw new Error(`POST /v1/traces → ${res.status}`);
  };
  const positions = () =>
    page.locator('.topo-node').evaluateAll((els) => Object.fromEntries(els.map((e) => [(e as SVGGElement).dataset.id!, e.getAttribute('transform')])));
  /** Marks the drawn map; a redraw replaces it with an unmarked one. */
  const markMap = () => page.evaluate(() => document.querySelector('svg.topo-svg')?.setAttribute('data-old', '1'));
  const redrawn = (timeout: number) => page.waitForSelector('svg.topo-svg:not([data-old])[data-settled=true]', { timeout });

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestAllInOne();
    const now = Date.now();
    await send(Array.from({ length: 24 }, (_, i) => request(now - 150_000 + i * 5_000, i)).flat());
    await waitFor(async () => ((await getJson(`${app.apiUrl}/api/topology`)).body.edges?.length >= 4 ? true : undefined), 'the topology', 30_000);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.dispose();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  test('refreshes on its own; nodes keep their places, a new node joins without moving them; pause stops it', async () => {
    await page.goto(`${app.apiUrl}/#/topology?refresh=10`);
    await page.waitForSelector('svg.topo-svg[data-settled=true]', { timeout: 15_000 });
    expect(await page.inputValue('select[name=refresh]')).toBe('10');
    await page.waitForFunction(() => /next in \d+ s/.test(document.querySelector('.live-status')?.textContent ?? ''));
    const before = await positions();
    expect(Object.keys(before).sort()).toEqual(['gateway', 'inventory', 'orders', 'payments', 'postgresql shop']);

    // the same graph: the redraw puts every node exactly where it was; the selection stays with its panel
    await page.click('.topo-node[data-id=orders]');
    await page.waitForSelector('.topo-side .ops-table tbody tr');
    await markMap();
    await redrawn(15_000);
    expect(await positions()).toEqual(before);
    expect(await page.locator('.topo-node.selected').evaluateAll((els) => els.map((e) => (e as SVGGElement).dataset.id))).toEqual(['orders']);
    await page.waitForSelector('.topo-side .ops-table tbody tr');
    expect(await page.textContent('.topo-side .detail-title')).toBe('orders');

    // a new service calling orders: it appears on the next refresh, the others stay put
    const t = Date.now();
    const traceId = randomTraceId();
    const root = randomSpanId();
    await send([
      { traceId, spanId: root, name: 'POST', service: 'mobile-bff', startMs: t, durationMs: 30, kind: CLIENT, attributes: { 'server.address': 'orders' } },
      { traceId, spanId: randomSpanId(), parentSpanId: root, name: 'POST /orders', service: 'orders', startMs: t + 1, durationMs: 20, kind: SERVER },
    ]);
    await page.waitForSelector('.topo-node[data-id=mobile-bff]', { timeout: 20_000 });
    await page.waitForSelector('svg.topo-svg[data-settled=true]', { timeout: 15_000 });
    const after = await positions();
    for (const [id, transform] of Object.entries(before)) expect([id, after[id]]).toEqual([id, transform]);
    expect(after['mobile-bff']).toMatch(/^translate\(/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'topology-live.png') });

    // paused: no redraw for longer than the interval; resumed: it refreshes again
    await page.click('.live-pause');
    await page.waitForFunction(() => location.hash.includes('live=0'));
    expect(await page.textContent('.live-status')).toContain('paused');
    await markMap();
    await new Promise((r) => setTimeout(r, 11_500));
    expect(await page.locator('svg.topo-svg[data-old]').count()).toBe(1);
    await page.click('.live-pause');
    await redrawn(5_000);
    expect(page.url()).not.toContain('live=0');
  }, 90_000);

  test('rates are per second over the last minutes; labels stay clear of edges', async () => {
    await page.goto(`${app.apiUrl}/#/topology?range=1h&live=0`);
    await page.waitForSelector('svg.topo-svg[data-settled=true]', { timeout: 15_000 });
    expect(await page.textContent('.topo-rate-note')).toMatch(/Rates: calls per second over the 5 min before \d/);
    const topo = (await getJson(`${app.apiUrl}/api/topology`)).body;
    const gateway = topo.nodes.find((n: { id: string }) => n.id === 'gateway');
    // 24 requests over 2 minutes: well above the hour's average of 24/3600 per second
    expect(gateway.ratePerSec).toBeGreaterThan(24 / 3600);
    const sub = await page.textContent('.topo-node[data-id=gateway] .topo-sub');
    expect(sub).toMatch(/^[\d.]+\/(s|min) · /);
    expect(sub).not.toMatch(/\/h /);

    const hits = await page.evaluate(() => {
      const labels = [...document.querySelectorAll('.topo-node')].map((g) => {
        const boxes = [...g.querySelectorAll('text')].map((t) => t.getBoundingClientRect());
        return {
          id: (g as SVGGElement).dataset.id,
          left: Math.min(...boxes.map((b) => b.left)) + 1,
          right: Math.max(...boxes.map((b) => b.right)) - 1,
          top: Math.min(...boxes.map((b) => b.top)) + 1,
          bottom: Math.max(...boxes.map((b) => b.bottom)) - 1,
        };
      });
      const found: string[] = [];
      for (const line of document.querySelectorAll<SVGPathElement>('path.topo-edge-line')) {
        const ctm = line.getScreenCTM()!;
        const length = line.getTotalLength();
        for (let d = 0; d <= length; d += 2) {
          const p = line.getPointAtLength(d);
          const x = ctm.a * p.x + ctm.c * p.y + ctm.e;
          const y = ctm.b * p.x + ctm.d * p.y + ctm.f;
          for (const l of labels) if (x >= l.left && x <= l.right && y >= l.top && y <= l.bottom) found.push(`${(line.parentNode as SVGGElement).dataset.source}→${(line.parentNode as SVGGElement).dataset.target} crosses ${l.id}`);
        }
      }
      return [...new Set(found)];
    });
    expect(hits).toEqual([]);
  });

  test('the services table lists every service with rate, error %, quantiles and sparklines, sorts by a column and opens a service', async () => {
    await page.goto(`${app.apiUrl}/#/topology?range=1h&live=0`);
    await page.waitForSelector('.services-table tbody tr');
    const names = () => page.locator('.services-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.service));
    const overview = (await getJson(`${app.apiUrl}/api/services/stats?start=${Date.now() - 3_600_000}`)).body;
    const services: { service: string; ratePerSec: number; p95Ms: number; errorRate: number }[] = overview.services;
    expect((await names()).sort()).toEqual(services.map((s) => s.service).sort());
    // default: busiest rate first
    expect((await names())[0]).toBe([...services].sort((a, b) => b.ratePerSec - a.ratePerSec || a.service.localeCompare(b.service))[0].service);
    expect(await page.locator('.services-table tbody tr').first().locator('svg.svc-spark').count()).toBe(3);
    expect(await page.locator('.services-table tbody tr[data-service=gateway] svg.svc-spark path').first().getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(await page.textContent('.services-table tbody tr[data-service=payments]')).toMatch(/\d+(\.\d+)?%/);

    await page.click('.services-table th button[data-sort=p95]');
    await page.waitForFunction(() => location.hash.includes('sort=p95'));
    const byP95 = [...services].sort((a, b) => b.p95Ms - a.p95Ms || a.service.localeCompare(b.service)).map((s) => s.service);
    expect(await names()).toEqual(byP95);
    expect(await page.getAttribute('.services-table th:has(button[data-sort=p95])', 'aria-sort')).toBe('descending');
    await page.click('.services-table th button[data-sort=p95]');
    expect(await names()).toEqual([...services].sort((a, b) => a.p95Ms - b.p95Ms || a.service.localeCompare(b.service)).map((s) => s.service));
    expect(page.url()).toContain('asc=1');

    await page.click('.services-table tbody tr[data-service=payments] .svc-name button');
    await page.waitForFunction(() => document.querySelector('.topo-side .detail-title')?.textContent === 'payments');
    await page.screenshot({ path: path.join(ARTIFACTS, 'topology-services.png') });
  });
});
