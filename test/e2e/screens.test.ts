import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Counters } from '../../core/metrics';
import { QueryServer } from '../../query-api/server';
import { openEmbeddedStores } from '../../storage/embedded';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { demoLikeOrder, writeOrderSpans } from '../helpers/chain-orders';
import { makeLog } from '../contract/fixtures';
import { heapSnapshotStats } from '../../bench/heap-snapshot-stats';
import type { DashboardData } from '../../core/wire';
import { paintedAsData } from '../helpers/heatmap-canvas';
import { screenGridFilter, waitForScreenUpdate } from '../helpers/wall-screen';

/**
 * Wall screens in Chromium at 1920×1080: the three shipped dashboards in kiosk
 * mode fit without scrolling and show their data; when the server goes away
 * the screen keeps its data greyed with "stale since …", and when a server
 * comes back on the same port it recovers by itself, without a reload.
 */
describeInBrowser('wall screens in Chromium', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-screens-'));
  const stores = openEmbeddedStores({ dataDir });
  let server: QueryServer | undefined;
  let port = 0;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const now = Date.now();

  async function startServer(): Promise<void> {
    server = new QueryServer({
      host: '127.0.0.1',
      port,
      spanStore: stores.spans,
      logStore: stores.logs,
      counters: new Counters(),
      uiDir: path.join(REPO, 'ui', 'dist'),
      chains: { businessKeys: ['order.id'], expectedWaits: ['order-jobs'] },
    });
    port = await server.start();
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await stores.logs.start();
    await stores.spans.start();
    // 40 orders over the last 40 minutes: slow payments now and then, every seventh fails
    for (let i = 0; i < 40; i++) {
      const t0 = now - (40 - i) * 60_000 + 5_000;
      const order = demoLikeOrder({ orderId: `ORD-${1000 + i}`, t0, paymentMs: i % 5 === 0 ? 900 : 40 + i, delayMs: 300 + (i % 4) * 400, queueMs: i % 9 === 0 ? 700 : 3, error: i % 7 === 3 });
      if (i % 7 === 3) for (const s of order) if (s.service === 'scheduler' && s.kind === 'consumer') s.status = { code: 'error', message: 'notification failed' };
      await writeOrderSpans(stores.spans, order);
    }
    const logs = [];
    for (let i = 0; i < 60; i++) {
      const timeUs = (now - (60 - i) * 50_000) * 1000;
      logs.push(makeLog({ service: 'notification', timeUs, body: i % 3 ? 'smtp relay refused the connection' : 'template order-shipped missing', severityText: 'ERROR', severityNumber: 17 }));
      if (i % 2) logs.push(makeLog({ service: 'payment', timeUs: timeUs + 7, body: 'card issuer slow to answer', severityText: 'WARN', severityNumber: 13 }));
      if (i % 10 === 0) logs.push(makeLog({ service: 'payment', timeUs: timeUs + 9, body: 'charge declined: insufficient funds', severityText: 'ERROR', severityNumber: 17 }));
    }
    await stores.logs.writeLogs({ logs, businessKeys: [] });
    await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  const base = () => `http://127.0.0.1:${port}`;

  /** Opens a screen and waits until every panel has drawn its first data. */
  async function openScreen(id: string, query = 'kiosk=1&refresh=2s&theme=dark'): Promise<void> {
    await page.goto(`${base()}/#/screens/${id}?${query}`);
    await waitForScreenUpdate(page, 20_000);
    expect(await page.locator('.panel-body', { hasText: 'Waiting for data…' }).count()).toBe(0);
    expect(await page.locator('.panel-error').count()).toBe(0);
  }

  /** Every panel lies inside the viewport (1920×1080 unless said) and the page does not scroll. */
  async function expectFitsTheScreen(width = 1920, height = 1080, minFontPx = 19): Promise<void> {
    const fit = await page.evaluate(() => ({
      scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
      outside: [...document.querySelectorAll('.screen-panel')].filter((p) => {
        const r = p.getBoundingClientRect();
        return r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight;
      }).length,
      topbarShown: (document.querySelector('.topbar') as HTMLElement).getBoundingClientRect().height > 0,
      fontPx: parseFloat(getComputedStyle(document.querySelector('.screen')!).fontSize),
    }));
    expect(fit).toEqual({ scroll: [width, height], outside: 0, topbarShown: false, fontPx: expect.any(Number) });
    // large type for a wall: at least 19 px at 1920 wide, twice that at 3840
    expect(fit.fontPx).toBeGreaterThanOrEqual(minFontPx);
  }

  test('order center: orders per minute, success rate, p95, slow orders linking to their chains, the stage funnel; fits 1920×1080', async () => {
    await openScreen('order-center');
    await expectFitsTheScreen();
    // 5 of the 40 orders fall in the last five whole minutes: about one a minute
    expect(await page.locator('[data-panel="orders-per-minute"] .stat-value').textContent()).toMatch(/^\d+\.\d$/);
    expect(await page.locator('[data-panel="success-rate"] .stat-value').textContent()).toMatch(/ %$/);
    const links = await page.locator('[data-panel="slow-orders"] tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((href) => /^#\/chain\/order\.id\/ORD-1\d{3}$/.test(href ?? ''))).toBe(true);
    expect(await page.locator('[data-panel="slow-orders"] tr.row-critical').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="stages"] .funnel-stage').count()).toBe(3);
    expect(await page.locator('[data-panel="stages"] .funnel-stage.slowest').count()).toBe(1);
    await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-wall-screen.png') });
  });

  test('service health: RED per service with sparklines and threshold colours, top error operations, error bursts', async () => {
    await openScreen('service-health');
    await expectFitsTheScreen();
    const services = await page.locator('[data-panel="services"] tbody tr td.cell-name').allTextContents();
    expect(services).toEqual(expect.arrayContaining(['order-api', 'fulfilment', 'scheduler']));
    expect(await page.locator('[data-panel="services"] tbody tr').first().locator('svg.screen-spark').count()).toBe(3);
    // the scheduler fails one job in seven: past the 5 % critical threshold
    expect(await page.locator('[data-panel="services"] tr', { hasText: 'scheduler' }).locator('td.level-critical').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="error-operations"] tbody tr').first().textContent()).toContain('process order-jobs');
    expect(await page.locator('[data-panel="error-bursts"] tbody tr').first().textContent()).toContain('smtp relay refused the connection');
    // the live topology: nodes stay where they are across refreshes, flow on the edges that have calls now
    const places = () => page.locator('[data-panel="topology"] g.topo-node').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-node')} ${g.getAttribute('transform')}`));
    const before = await places();
    expect(before.length).toBeGreaterThanOrEqual(3);
    // a table keeps its header across pushes (Chromium keeps something of every <thead> it lays out)
    await page.locator('[data-panel="services"] thead').evaluate((el) => ((el as unknown as { kept: boolean }).kept = true));
    // an unchanged graph keeps its drawing: the same elements, their figures set again
    await page.locator('[data-panel="topology"] svg.screen-topology').evaluate((el) => ((el as unknown as { kept: boolean }).kept = true));
    const updated = await page.locator('.screen-status').textContent();
    await page.waitForFunction((was) => document.querySelector('.screen-status')?.textContent?.startsWith('updated') && !document.querySelector('.screen-status')!.textContent!.startsWith(was!.slice(0, 16)), updated, { timeout: 15_000 });
    expect(await places()).toEqual(before);
    expect(await page.locator('[data-panel="services"] thead').evaluate((el) => (el as unknown as { kept?: boolean }).kept)).toBe(true);
    expect(await page.locator('[data-panel="services"] table').count()).toBe(1);
    expect(await page.locator('[data-panel="topology"] svg.screen-topology').evaluate((el) => (el as unknown as { kept?: boolean }).kept)).toBe(true);
    expect(await page.locator('[data-panel="topology"] svg.screen-topology').count()).toBe(1);
    expect(await page.locator('[data-panel="topology"] path.topo-edge').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="topology"] path.topo-flow').count()).toBeGreaterThan(0);
    // node outlines are one shape per kind scaled to the node's radius (14–26 px for services, by calls), set as numbers, not as path text each push
    const outlines = await page.locator('[data-panel="topology"] g.topo-node').evaluateAll((gs) =>
      gs.map((g) => {
        const shape = g.querySelector('path')!;
        return { id: g.getAttribute('data-node')!, d: shape.getAttribute('d'), width: shape.getBoundingClientRect().width, scale: (shape as SVGPathElement).transform.baseVal.getItem(0).matrix.a };
      }),
    );
    const topology = ((await (await fetch(`${base()}/api/dashboards/service-health/data`)).json()) as DashboardData).panels.topology;
    if (!topology.ok || topology.data.kind !== 'topology') throw new Error('no topology');
    const serviceNodes = topology.data.nodes.filter((n) => n.kind === 'service');
    const serviceOutlines = outlines.filter((o) => serviceNodes.some((n) => n.id === o.id));
    expect(serviceOutlines.length).toBeGreaterThanOrEqual(3);
    expect(new Set(serviceOutlines.map((o) => o.d)).size).toBe(1);
    for (const o of serviceOutlines) {
      expect(o.width).toBeGreaterThanOrEqual(2 * 14 - 1);
      expect(o.width).toBeLessThanOrEqual(2 * 26 + 4);
    }
    // the node with the most calls is drawn at the largest radius
    const busiest = serviceNodes.reduce((a, b) => (b.calls > a.calls ? b : a));
    expect(serviceOutlines.find((o) => o.id === busiest.id)!.scale).toBeCloseTo(0.26, 2);
    // a node's tooltip is written when the pointer comes onto it, from the figures the screen has now
    const node = page.locator(`[data-panel="topology"] g.topo-node[data-node="${busiest.id}"]`);
    await node.locator('path').hover();
    expect(await node.locator('title').textContent()).toMatch(new RegExp(`^${busiest.id}: \\d+ calls, \\d+\\.\\d % errors$`));
    // the latency heatmap of every service's entry spans: a cell per minute and band with calls, in the shade of its count
    const latency = await paintedAsData(page, 'latency', async () => {
      const data = (await (await fetch(`${base()}/api/dashboards/service-health/data`)).json()) as DashboardData;
      const panel = data.panels.latency;
      if (!panel.ok || panel.data.kind !== 'service-latency') throw new Error('no latency heatmap');
      return panel.data;
    });
    expect(latency.cells.filter((c) => c.step >= 0).length).toBeGreaterThan(10);
    expect(latency.wrong).toEqual([]);
    await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-screen-service-health.png') });
  });

  test("a screen turns its numbers into text without filling V8's number-to-string caches", async () => {
    // a page of its own (its own renderer, its own V8 heap), both screens with numbers, a push a second
    const own = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    own.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      const cdp = await own.context().newCDPSession(own);
      const cacheBytes = async () => {
        const { numberStringCaches } = await heapSnapshotStats(cdp);
        if (!numberStringCaches.smi || !numberStringCaches.double) throw new Error(`this Chromium's heap snapshot shows no number-string caches (${JSON.stringify(numberStringCaches)}): look for them again`);
        return numberStringCaches;
      };
      const initial = await cacheBytes();
      for (const id of ['service-health', 'order-center']) {
        await own.goto(`${base()}/#/screens/${id}?kiosk=1&refresh=1s&theme=dark`);
        for (let push = 0; push < 6; push++) {
          // "updated HH:MM:SS" of the push shown now (none while the screen connects)
          const shown = /^updated \d\d:\d\d:\d\d/.exec((await own.locator('.screen-status').textContent()) ?? '')?.[0] ?? 'none';
          await own.waitForFunction((was) => /^updated /.test(document.querySelector('.screen-status')?.textContent ?? '') && !document.querySelector('.screen-status')!.textContent!.startsWith(was), shown, { timeout: 15_000 });
        }
      }
      // the caches start with 128 entries (Smis 1 KiB, doubles 1.5 KiB) and grow for good to 64 and 48 KiB on their first collision
      expect(initial.smi).toBeLessThan(8192);
      expect(initial.double).toBeLessThan(4096);
      expect(await cacheBytes()).toEqual(initial);
    } finally {
      await own.close();
    }
  }, 60_000);

  test('logs: errors and warnings per minute, by service, the newest distinct errors', async () => {
    await openScreen('logs');
    await expectFitsTheScreen();
    expect(await page.locator('[data-panel="error-warn-rate"] .chart-key').allTextContents()).toEqual([expect.stringMatching(/^ERROR \d+$/), expect.stringMatching(/^WARN \d+$/)]);
    const messages = await page.locator('[data-panel="newest-errors"] .cell-msg').allTextContents();
    expect(messages).toEqual(expect.arrayContaining(['smtp relay refused the connection', 'template order-shipped missing', 'charge declined: insufficient funds']));
    // the live tail: warnings and errors, newest first, as many as the panel's limit
    const tail = await page.locator('[data-panel="live-tail"] li.tail-row .log-severity').allTextContents();
    expect(tail).toHaveLength(14);
    expect(new Set(tail)).toEqual(new Set(['ERROR', 'WARN']));
    await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-screen-logs.png') });
  });

  test('at 3840×2160 the same screens fit, with type twice as large', async () => {
    await page.setViewportSize({ width: 3840, height: 2160 });
    try {
      for (const id of ['order-center', 'service-health', 'logs']) {
        await openScreen(id);
        await expectFitsTheScreen(3840, 2160, 38);
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'screen-order-center-4k.png') });
    } finally {
      await page.setViewportSize({ width: 1920, height: 1080 });
    }
  });

  test('the server goes away: the last data stays greyed with "stale since …"; it comes back on the same port: the screen recovers without a reload', async () => {
    await openScreen('service-health', 'kiosk=1&refresh=1s&theme=dark');
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const rows = await page.locator('[data-panel="services"] tbody tr').count();
    await server!.shutdown();
    server = undefined;
    await page.waitForSelector('.screen.stale', { timeout: 15_000 });
    expect(await page.locator('.screen-status').textContent()).toMatch(/^stale since \d\d:\d\d:\d\d \(\d+s\)(retrying in \d+s|reconnecting…)$/);
    // the data is kept, greyed
    expect(await page.locator('[data-panel="services"] tbody tr').count()).toBe(rows);
    expect(await screenGridFilter(page)).toContain('grayscale');
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-stale.png') });
    // down a few retries long (1 s, 2 s, 4 s …), then back on the same port
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await startServer();
    await page.waitForSelector('.screen:not(.stale)', { timeout: 30_000 });
    await waitForScreenUpdate(page, 10_000);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('[data-panel="services"] tbody tr').count()).toBe(rows);
  }, 90_000);

  test('a playlist rotates the dashboards', async () => {
    await openScreen('logs', 'kiosk=1&theme=dark&playlist=logs,order-center&every=5s');
    await page.waitForFunction(() => location.hash.startsWith('#/screens/order-center?'), null, { timeout: 15_000 });
    await page.waitForSelector('.screen[data-dashboard="order-center"]');
    expect(await page.evaluate(() => location.hash)).toContain('playlist=logs%2Corder-center');
  }, 30_000);

  test('a screen with navigation (not kiosk) lists in #/screens and keeps the top bar', async () => {
    await page.goto(`${base()}/#/screens`);
    await page.waitForSelector('.screen-index a');
    expect(await page.locator('.screen-index > li > a:first-child').allTextContents()).toEqual(['Logs', 'Order center', 'Service health']);
    await page.click('text=(with navigation) >> nth=1');
    await page.waitForSelector('.screen[data-dashboard="order-center"]');
    expect(await page.locator('.topbar').isVisible()).toBe(true);
  });
});
