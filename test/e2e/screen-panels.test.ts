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
import { paintedAsData, paintedCells, paintMismatches, type PaintedCell } from '../helpers/heatmap-canvas';
import { waitForScreenUpdate } from '../helpers/wall-screen';

/** A service name and log bodies that try to become markup or to reorder the text around them. */
const HOSTILE_SERVICE = '<img src=x onerror="window.__pwned=1">pay\u202Ement';
const HOSTILE_BODY = '<script>window.__pwned=2</script> card \u202Egnp.exe declined';

/**
 * The heatmap and log-stream panels in Chromium at 1920×1080 on a dashboard
 * of their own (DASHBOARDS_DIR): the heatmap's canvas shows a cell for every
 * minute and band with calls in the shade its count gives, with its p95 line
 * and threshold marks; the live tail keeps its rows
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
    await waitForScreenUpdate(page, 20_000);
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

  test('heatmaps: a painted cell for every minute and band with calls in its shade, the p95 line, the thresholds marked, the service name shown as text', async () => {
    const { data, cells, wrong } = await paintedAsData(page, 'service-latency', () => panelData('service-latency', 'service-latency'));
    expect(data.total).toBe(360);
    expect(wrong).toEqual([]);
    const painted = cells.filter((c) => c.step >= 0);
    expect(painted.reduce((n, c) => n + c.count, 0)).toBe(360);
    expect(painted.length).toBe(data.columns.reduce((n, c) => n + c.counts.filter((x) => x > 0).length, 0));
    // several shades: the fullest cell the lightest, the slow calls' cells darker
    expect(new Set(painted.map((c) => c.step)).size).toBeGreaterThan(2);
    const heatmap = page.locator('[data-panel="service-latency"]');
    // the p95 line in its level's colour (the canvas's CSS colour) across the plot
    expect(await heatmap.locator('canvas.heatmap-canvas').getAttribute('class')).toMatch(/level-(warn|critical)/);
    const linePixels = await heatmap.locator('canvas.heatmap-canvas').evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const rgb = /(\d+), (\d+), (\d+)/.exec(getComputedStyle(c).color)!.slice(1).map(Number);
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2] && d[i + 3] === 255) n++;
      return n;
    });
    expect(linePixels).toBeGreaterThan(50);
    expect(await heatmap.locator('canvas.heatmap-canvas').getAttribute('aria-label')).toContain('Latency heatmap of entry spans of <img');
    expect(await heatmap.locator('.heatmap-mark text').allTextContents()).toEqual(['warn 500 ms', 'critical 1.5 s']);
    // the last whole minute's p95 is one of the slow calls: past warn
    expect(await heatmap.locator('.heatmap-now').getAttribute('class')).toMatch(/level-(warn|critical)/);
    const subject = await heatmap.locator('.heatmap-subject').textContent();
    expect(subject).toContain('<img src=x onerror="window.__pwned=1">pay');
    expect(subject).not.toContain('\u202E');
    expect(await page.locator('.screen img').count()).toBe(0);

    const orders = await paintedAsData(page, 'order-latency', () => panelData('order-latency', 'order-latency'));
    expect(orders.data.total).toBe(12);
    expect(orders.wrong).toEqual([]);
    expect(orders.cells.filter((c) => c.step >= 0).reduce((n, c) => n + c.count, 0)).toBe(12);
  });

  test('the heatmap keeps its canvas and SVG across pushes, painted again in place', async () => {
    const canvas = page.locator('[data-panel="service-latency"] canvas.heatmap-canvas');
    await canvas.evaluate((el) => ((el as unknown as { kept: boolean }).kept = true));
    const updated = await page.locator('.screen-status').textContent();
    await page.waitForFunction((was) => !document.querySelector('.screen-status')!.textContent!.startsWith(was!.slice(0, 16)), updated, { timeout: 15_000 });
    expect(await canvas.evaluate((el) => (el as unknown as { kept?: boolean }).kept)).toBe(true);
    expect(await page.locator('[data-panel="service-latency"] canvas').count()).toBe(1);
    expect(await page.locator('[data-panel="service-latency"] svg').count()).toBe(1);
  });

  test('a push within the same minute leaves the marks and labels as they are: no element, attribute or text of the SVG set again', async () => {
    // a minute turning over moves the time labels: up to three pushes, one of them must change nothing
    let changes = -1;
    for (let tries = 0; tries < 3 && changes !== 0; tries++) {
      changes = await page.evaluate(async () => {
        const plot = document.querySelector('[data-panel="service-latency"] svg.heatmap-plot')!;
        const status = document.querySelector('.screen-status')!;
        const was = status.textContent!.slice(0, 16);
        let seen = 0;
        const observer = new MutationObserver((records) => (seen += records.length));
        observer.observe(plot, { subtree: true, childList: true, attributes: true, characterData: true });
        const deadline = Date.now() + 10_000;
        while (status.textContent!.slice(0, 16) === was && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 100));
        observer.disconnect();
        return status.textContent!.slice(0, 16) === was ? -1 : seen;
      });
    }
    expect(changes).toBe(0);
    expect(await page.locator('[data-panel="service-latency"] .heatmap-bands text').count()).toBeGreaterThan(1);
    expect(await page.locator('[data-panel="service-latency"] .heatmap-times text').allTextContents()).toHaveLength(3);
  });

  test('calls added to the current minute: the shades rescaled on the same canvas, as a fresh drawing of the same data shows them', async () => {
    const before = await paintedAsData(page, 'service-latency', () => panelData('service-latency', 'service-latency'), (d) => d.total === 360);
    expect(before.wrong).toEqual([]);
    const fullest = before.cells.reduce((a, b) => (b.count > a.count ? b : a));
    // 200 fast calls (in a band already drawn) in the current minute: a new fullest cell, so the other cells' shades move down the scale
    const calls = Array.from({ length: 200 }, (_, i) => makeSpan({ service: HOSTILE_SERVICE, name: 'POST /charge', kind: 'server', startUs: Date.now() * 1000 - i, durationUs: 9_000 }));
    await stores.spans.writeSpans(spanBatch(calls));
    const after = await paintedAsData(page, 'service-latency', () => panelData('service-latency', 'service-latency'), (d) => d.total === 560);
    expect(after.data.total).toBe(560);
    expect(after.wrong).toEqual([]);
    // the cell that was fullest (found by its minute, the window may have slid) is a darker shade now
    const shift = after.data.columns.findIndex((c) => c.tUs === before.data.columns[fullest.column].tUs);
    const same = after.cells.find((c) => c.column === shift && c.band === fullest.band)!;
    expect(same.step).toBeLessThan(fullest.step);
    expect(same.rgba).not.toEqual(fullest.rgba);

    const fresh = await page.context().browser()!.newPage({ viewport: page.viewportSize() });
    try {
      await fresh.goto(page.url());
      // the same data in both (a minute turning over between two pushes moves both windows: compare once both show it)
      const deadline = Date.now() + 15_000;
      let inPlace: PaintedCell[] = [];
      let drawnFresh: PaintedCell[] = [];
      do {
        const data = await panelData('service-latency', 'service-latency');
        [inPlace, drawnFresh] = await Promise.all([paintedCells(page, 'service-latency', data), paintedCells(fresh, 'service-latency', data)]);
        if (!paintMismatches(inPlace).length && JSON.stringify(inPlace) === JSON.stringify(drawnFresh)) break;
        await fresh.waitForTimeout(250);
      } while (Date.now() < deadline);
      expect(drawnFresh.reduce((n, c) => n + c.count, 0)).toBe(560);
      expect(paintMismatches(drawnFresh)).toEqual([]);
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
