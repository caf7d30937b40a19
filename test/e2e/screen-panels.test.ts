import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { DashboardData, PanelData } from '../../core/wire';
import type { openEmbeddedStores } from '../../storage/embedded';
import { describeInBrowser, REPO } from '../helpers/browser';
import { demoLikeOrder } from '../helpers/chain-orders';
import { startOrdersUi, type OrdersUi } from '../helpers/orders-ui';
import { makeLog, makeSpan, spanBatch } from '../contract/fixtures';

/** A service name and log bodies that try to become markup or to reorder the text around them. */
const HOSTILE_SERVICE = '<img src=x onerror="window.__pwned=1">pay\u202Ement';
const HOSTILE_BODY = '<script>window.__pwned=2</script> card \u202Egnp.exe declined';

/**
 * The heatmap and log-stream panels in Chromium at 1920×1080 on a dashboard
 * of their own (DASHBOARDS_DIR): the heatmap's cells add up to the panel's
 * data, with its p95 line and threshold marks; the live tail keeps its rows
 * as the same elements across pushes of the one stream and adds new records
 * on top; hostile service names and log bodies show as text.
 */
describeInBrowser('heatmap and log-stream panels in Chromium', () => {
  const dashboardsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-screen-panels-dash-'));
  let ui: OrdersUi;
  let page: Page;
  let stores: ReturnType<typeof openEmbeddedStores>;
  const now = Date.now();
  let base = '';

  const dashboard = {
    id: 'panels',
    title: 'Panels',
    refresh: '10s',
    panels: [
      {
        id: 'service-latency', title: 'Payment latency', type: 'heatmap', x: 0, y: 0, w: 6, h: 3,
        query: { kind: 'service-latency', service: HOSTILE_SERVICE },
        thresholds: { p95Ms: { warn: 500, critical: 1500 } },
      },
      { id: 'order-latency', title: 'Order latency', type: 'heatmap', x: 6, y: 0, w: 6, h: 3, query: { kind: 'order-latency' } },
      { id: 'tail', title: 'Live tail', type: 'logstream', x: 0, y: 3, w: 12, h: 3, window: '15m', query: { kind: 'log-tail', q: 'level:>=warn', limit: 8 } },
    ],
  };

  beforeAll(async () => {
    fs.writeFileSync(path.join(dashboardsDir, 'panels.json'), JSON.stringify(dashboard));
    const orders = Array.from({ length: 12 }, (_, i) => demoLikeOrder({ orderId: `ORD-${i}`, t0: now - (25 - 2 * i) * 60_000, paymentMs: 30 + i * 80, delayMs: 200 + (i % 3) * 500 }));
    ui = await startOrdersUi(orders, { width: 1920, height: 1080 }, 'screen-panels', async (opened) => {
      stores = opened;
      // the hostile service: 30 minutes of fast calls (5–40 ms) and a few slow ones (0.8–2 s), slower in the last ten
      const spans = [];
      for (let m = 0; m < 30; m++) {
        for (let i = 0; i < 12; i++) {
          const slow = i === 0 || (m >= 20 && i < 4);
          spans.push(makeSpan({ service: HOSTILE_SERVICE, name: 'POST /charge', kind: 'server', startUs: (now - (30 - m) * 60_000 + i * 3_000) * 1000, durationUs: slow ? 800_000 + m * 40_000 : 5_000 + i * 3_000 }));
        }
      }
      await stores.spans.writeSpans(spanBatch(spans));
      const logs = [];
      for (let i = 0; i < 6; i++) {
        logs.push(makeLog({ service: HOSTILE_SERVICE, timeUs: (now - (6 - i) * 60_000) * 1000, body: `${HOSTILE_BODY} #${i}`, severityText: 'ERROR', severityNumber: 17 }));
        logs.push(makeLog({ service: 'order-api', timeUs: (now - (6 - i) * 60_000) * 1000 + 5, body: `slow answer #${i}`, severityText: 'WARN', severityNumber: 13 }));
        logs.push(makeLog({ service: 'order-api', timeUs: (now - (6 - i) * 60_000) * 1000 + 9, body: `fine #${i}`, severityText: 'INFO', severityNumber: 9 }));
      }
      await stores.logs.writeLogs({ logs, businessKeys: [] });
      return { dashboardsDir };
    });
    ({ base, page } = ui);
    await page.goto(`${base}/#/screens/panels?kiosk=1&refresh=1s&theme=dark`);
    await page.waitForFunction(() => document.querySelector('.screen-status')?.textContent?.startsWith('updated'), null, { timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await ui?.dispose();
    fs.rmSync(dashboardsDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    expect(ui.pageErrors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  async function panelData<K extends PanelData['kind']>(id: string, kind: K): Promise<Extract<PanelData, { kind: K }>> {
    const data = (await (await fetch(`${base}/api/dashboards/panels/data`)).json()) as DashboardData;
    const result = data.panels[id];
    if (!result.ok) throw new Error(result.error);
    expect(result.data.kind).toBe(kind);
    return result.data as Extract<PanelData, { kind: K }>;
  }

  test('heatmaps: every count in a cell, the p95 line, the thresholds marked, the service name shown as text', async () => {
    const data = await panelData('service-latency', 'service-latency');
    expect(data.total).toBe(360);
    const heatmap = page.locator('[data-panel="service-latency"]');
    const counts = await heatmap.locator('.heatmap-cells rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(360);
    expect(counts.length).toBe(data.columns.reduce((n, c) => n + c.counts.filter((x) => x > 0).length, 0));
    // slow calls sit above fast ones: the highest cell is one of the few slow calls of a minute
    const topCell = await heatmap.locator('.heatmap-cells rect').evaluateAll((rects) => {
      const ys = rects.map((r) => Number(r.getAttribute('y')));
      return Number(rects[ys.indexOf(Math.min(...ys))].getAttribute('data-count'));
    });
    expect(topCell).toBeLessThanOrEqual(3);
    expect(await heatmap.locator('path.heatmap-p95-line').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/);
    expect(await heatmap.locator('.heatmap-mark text').allTextContents()).toEqual(['warn 500 ms', 'critical 1.5 s']);
    // the last whole minute's p95 is one of the slow calls: past warn
    expect(await heatmap.locator('.heatmap-now').getAttribute('class')).toMatch(/level-(warn|critical)/);
    const subject = await heatmap.locator('.heatmap-subject').textContent();
    expect(subject).toContain('<img src=x onerror="window.__pwned=1">pay');
    expect(subject).not.toContain('\u202E');
    expect(await page.locator('.screen img').count()).toBe(0);

    const orders = await panelData('order-latency', 'order-latency');
    expect(orders.total).toBe(12);
    const orderCounts = await page.locator('[data-panel="order-latency"] .heatmap-cells rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect(orderCounts.reduce((a, b) => a + b, 0)).toBe(12);
  });

  test('the heatmap keeps its elements across pushes (a D3 join, not a new drawing)', async () => {
    const firstCell = page.locator('[data-panel="service-latency"] .heatmap-cells rect').first();
    await firstCell.evaluate((el) => ((el as unknown as { kept: boolean }).kept = true));
    const updated = await page.locator('.screen-status').textContent();
    await page.waitForFunction((was) => !document.querySelector('.screen-status')!.textContent!.startsWith(was!.slice(0, 16)), updated, { timeout: 15_000 });
    expect(await firstCell.evaluate((el) => (el as unknown as { kept?: boolean }).kept)).toBe(true);
    expect(await page.locator('[data-panel="service-latency"] svg').count()).toBe(1);
  });

  test('calls added to the current minute: its cells and the rescaled shades set in place, as a fresh drawing of the same data shows them', async () => {
    const cellsOf = (p: Page) =>
      p.locator('[data-panel="service-latency"] .heatmap-cells rect').evaluateAll((rects) =>
        rects
          .map((r) => {
            const column = /translate\(([-\d.]+),/.exec(r.parentElement?.getAttribute('transform') ?? '')?.[1] ?? 'none';
            return [Number(column) + Number(r.getAttribute('x')), ...['y', 'width', 'height', 'fill', 'data-count'].map((a) => r.getAttribute(a))].join(' ');
          })
          .sort(),
      );
    const total = async (p: Page) => (await cellsOf(p)).reduce((n, cell) => n + Number(cell.split(' ')[5]), 0);
    // the fullest cell so far: its shade is the top of the scale until the new calls come
    const fullest = await page.locator('[data-panel="service-latency"] .heatmap-cells').evaluateHandle((layer) => {
      const rects = [...layer.querySelectorAll('rect')];
      return rects.reduce((a, b) => (Number(b.getAttribute('data-count')) > Number(a.getAttribute('data-count')) ? b : a));
    });
    const fillBefore = await fullest.evaluate((el) => el.getAttribute('fill'));
    // 200 fast calls (in a band already drawn) in the current minute: a new fullest cell, so the other cells' shades move down the scale
    const calls = Array.from({ length: 200 }, (_, i) => makeSpan({ service: HOSTILE_SERVICE, name: 'POST /charge', kind: 'server', startUs: Date.now() * 1000 - i, durationUs: 9_000 }));
    await stores.spans.writeSpans(spanBatch(calls));
    await page.waitForFunction(() => [...document.querySelectorAll('[data-panel="service-latency"] .heatmap-cells rect')].reduce((n, r) => n + Number(r.getAttribute('data-count')), 0) === 560, null, { timeout: 15_000 });
    // the same element, in the page still, with a darker shade
    expect(await fullest.evaluate((el) => el.isConnected)).toBe(true);
    expect(await fullest.evaluate((el) => el.getAttribute('fill'))).not.toBe(fillBefore);

    const fresh = await page.context().browser()!.newPage({ viewport: page.viewportSize() });
    try {
      await fresh.goto(page.url());
      // the same data in both (a minute turning over between two pushes moves both windows: compare once both show it)
      const deadline = Date.now() + 15_000;
      let inPlace: string[] = [];
      let drawnFresh: string[] = [];
      do {
        [inPlace, drawnFresh] = await Promise.all([cellsOf(page), cellsOf(fresh)]);
        if (inPlace.length && inPlace.join() === drawnFresh.join()) break;
        await fresh.waitForTimeout(250);
      } while (Date.now() < deadline);
      expect(await total(fresh)).toBe(560);
      expect(inPlace).toEqual(drawnFresh);
    } finally {
      await fresh.close();
    }
  });

  test('the live tail: warnings and errors newest first, new records on top of the same rows, hostile text shown as text', async () => {
    const tail = page.locator('[data-panel="tail"]');
    const rows = () => tail.locator('li.tail-row .cell-msg').allTextContents();
    const first = await rows();
    expect(first).toHaveLength(8);
    expect(first[0]).toBe('slow answer #5');
    expect(first[1]).toContain('<script>window.__pwned=2</script> card ');
    expect(first[1]).not.toContain('\u202E');
    expect(first.some((b) => b.startsWith('fine'))).toBe(false);
    expect(await tail.locator('script').count()).toBe(0);
    expect(await tail.locator('li.level-critical').count()).toBe(4);
    expect(await tail.locator('li.tail-new').count()).toBe(0);
    const kept = tail.locator('li.tail-row').first();
    await kept.evaluate((el) => ((el as unknown as { kept: boolean }).kept = true));

    await stores.logs.writeLogs({
      logs: [
        makeLog({ service: 'payment', timeUs: Date.now() * 1000, body: 'gateway timeout, retrying', severityText: 'ERROR', severityNumber: 17 }),
        makeLog({ service: 'payment', timeUs: Date.now() * 1000 + 1, body: 'only info', severityText: 'INFO', severityNumber: 9 }),
      ],
      businessKeys: [],
    });
    await page.waitForFunction(() => document.querySelector('[data-panel="tail"] li.tail-row .cell-msg')?.textContent === 'gateway timeout, retrying', null, { timeout: 15_000 });
    const next = await rows();
    expect(next).toEqual(['gateway timeout, retrying', ...first.slice(0, 7)]);
    expect(await tail.locator('li.tail-row').first().getAttribute('class')).toContain('tail-new');
    // the row that was on top is the same element, one place down
    expect(await tail.locator('li.tail-row').nth(1).evaluate((el) => (el as unknown as { kept?: boolean }).kept)).toBe(true);
    await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-screen-panels.png') });
  });
});
