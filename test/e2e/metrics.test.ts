import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { MetricPoint } from '../../core/metric-point';
import { Counters } from '../../core/metrics';
import { QueryServer } from '../../query-api/server';
import { openEmbeddedMetricStore, openEmbeddedStores } from '../../storage/embedded';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { metricPoint } from '../contract/metric-store.contract';
import { waitForScreenUpdate } from '../helpers/wall-screen';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** Twenty minutes (and five ahead, so the last step is whole however long the tests take) of a cumulative request counter (eu: 6/s, us: 2/s, a hostile region: 1/s) and a latency histogram, every 10 s. */
function telemetry(nowMs: number): MetricPoint[] {
  const points: MetricPoint[] = [];
  const startUs = (nowMs - 30 * 60_000) * 1000;
  for (let t = nowMs - 20 * 60_000; t <= nowMs + 5 * 60_000; t += 10_000) {
    const elapsed = (t - (nowMs - 20 * 60_000)) / 1000;
    const base = { service: 'checkout', resource: { 'service.name': 'checkout' }, startUs, timeUs: t * 1000 };
    for (const [region, perSecond] of [['eu', 6], ['us', 2], [HOSTILE, 1]] as const) {
      points.push(metricPoint('http.server.requests', { ...base, attributes: { region }, value: perSecond * elapsed }));
    }
    const n = elapsed * 5;
    // 80 % of the observations in (10, 100] ms, the rest in (100, 1000]
    points.push(metricPoint('http.server.duration', { ...base, kind: 'histogram', unit: 'ms', monotonic: false, value: n * 100, count: n, bounds: [10, 100, 1000], bucketCounts: [0, n * 0.8, n * 0.2, 0] }));
  }
  return points;
}

/**
 * The metrics page and a `metric` dashboard panel in Chromium, over the
 * embedded metric store: pick a metric, group by a label, a quantile of a
 * histogram; label values that are markup stay text.
 */
describeInBrowser('OTLP metrics in Chromium: the metrics page and the metric panel', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-metrics-ui-'));
  const dashboardsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-metrics-dash-'));
  const stores = openEmbeddedStores({ dataDir });
  const metrics = openEmbeddedMetricStore(stores);
  let server: QueryServer;
  let port = 0;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const now = Date.now();

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await Promise.all([stores.spans.start(), stores.logs.start(), metrics.start()]);
    await metrics.writeMetricPoints(telemetry(now));
    fs.writeFileSync(
      path.join(dashboardsDir, 'app-metrics.json'),
      JSON.stringify({
        id: 'app-metrics',
        title: 'App metrics',
        window: '15m',
        panels: [
          { id: 'requests', title: 'Requests per second by region', type: 'metric', x: 0, y: 0, w: 6, h: 3, query: { kind: 'metric', name: 'http.server.requests', groupBy: ['region'], step: '1m' } },
          { id: 'p95', title: 'p95 latency', type: 'metric', x: 6, y: 0, w: 6, h: 3, query: { kind: 'metric', name: 'http.server.duration', fn: 'quantile', quantile: 0.95 } },
        ],
      }),
    );
    server = new QueryServer({
      host: '127.0.0.1',
      port: 0,
      spanStore: stores.spans,
      logStore: stores.logs,
      metricStore: metrics,
      counters: new Counters(),
      uiDir: path.join(REPO, 'ui', 'dist'),
      dashboardsDir,
    });
    port = await server.start();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
    await metrics.shutdown();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(dashboardsDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  const base = () => `http://127.0.0.1:${port}`;

  test('picks a metric, groups by a label, draws one D3 line per group with the rates; markup in a label value stays text', async () => {
    await page.goto(`${base()}/#/metrics`);
    await page.waitForSelector('select[name="name"] option', { state: 'attached' });
    expect(await page.locator('select[name="name"] option').allTextContents()).toEqual(['http.server.duration (histogram, ms)', 'http.server.requests (sum, 1)']);
    await page.selectOption('select[name="name"]', 'http.server.requests');
    await page.waitForFunction(() => location.hash.includes('name=http.server.requests'));
    await page.waitForSelector('.metric-label input[value="region"]');
    await page.check('.metric-label input[value="region"]');
    await page.selectOption('select[name="step"]', '1m');
    await page.click('form[aria-label="Metric query"] button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('.metric-legend li').length === 3);
    expect(await page.locator('svg.metric-chart path.metric-line').count()).toBe(3);
    expect(await page.locator('.result-summary').textContent()).toContain('rate of http.server.requests (per second)');
    const legend = await page.locator('.metric-legend li').evaluateAll((lis) => lis.map((li) => [li.querySelector('.metric-name')!.textContent, li.querySelector('.metric-last')!.textContent]));
    // label order: '<' sorts before letters; the last whole step's rate of each region
    expect(legend).toEqual([
      [`region=${HOSTILE}`, '1'],
      ['region=eu', '6'],
      ['region=us', '2'],
    ]);
    expect(await page.locator('.metric-legend img').count()).toBe(0);
    // the URL carries the query: a reload draws the same
    expect(decodeURIComponent(await page.evaluate(() => location.hash))).toContain('groupBy=region');
    await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-metrics.png') });
  });

  test('a quantile of a histogram, and a 400 (a quantile of a counter) shown beside the form', async () => {
    await page.goto(`${base()}/#/metrics?name=http.server.duration&fn=quantile&quantile=0.5&step=1m`);
    await page.waitForSelector('.metric-legend li');
    // half of the observations lie in (10, 100], 80 % of them there: the median is 10 + 90 * (0.5 / 0.8)
    expect(await page.locator('.metric-legend .metric-last').textContent()).toBe(String(Number((10 + 90 * (0.5 / 0.8)).toPrecision(3))));
    expect(await page.locator('.result-summary').textContent()).toContain('p50 of http.server.duration');
    await page.goto(`${base()}/#/metrics?name=http.server.requests&fn=quantile`);
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').first().textContent()).toMatch(/needs an explicit-bucket histogram/);
  });

  test('a dashboard `metric` panel draws one line per group and its legend', async () => {
    await page.goto(`${base()}/#/screens/app-metrics?refresh=2s`);
    await waitForScreenUpdate(page, 20_000);
    expect(await page.locator('.panel-error').count()).toBe(0);
    expect(await page.locator('[data-panel="requests"] path.chart-line').count()).toBe(3);
    expect(await page.locator('[data-panel="requests"] .chart-key').allTextContents()).toEqual([`region=${HOSTILE} 1`, 'region=eu 6', 'region=us 2']);
    expect(await page.locator('[data-panel="p95"] .chart-key').allTextContents()).toEqual([`http.server.duration ${Number((100 + 900 * (0.15 / 0.2)).toPrecision(3))}`]);
    expect(await page.locator('[data-panel] img').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-metric-panel.png') });
  });
});
