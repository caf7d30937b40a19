import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { getJson, startTestAllInOne, type TestAllInOne } from '../helpers/all-in-one';
import { otlpJsonLogs, otlpJsonTraces, randomSpanId, randomTraceId, type JsonLogSpec, type JsonSpanSpec } from '../helpers/otlp-json';
import { waitFor } from '../helpers/wait';

const SERVER = 2;
const CLIENT = 3;

/** Shows as "evilexe.png" when the right-to-left override is rendered as-is. */
const BIDI_NAME = 'evil\u202Egnp.exe';
const BIDI_SERVICE = 'pay\u202Esvc\u200B';
/** What the UI must show instead. */
const BIDI_NAME_SHOWN = 'evil\\u202Egnp.exe';
/** Raw hidden characters that must never reach the page's text, titles or SVG labels. */
const RAW_HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u061C\uFEFF]/;
const LONG = 10_000;
/** Viewport slack for the page width: scrollbars and rounding. */
const WIDTH_TOLERANCE = 20;

/**
 * UI robustness (issue 9): the topology panel's step, facets for attribute
 * keys the API refuses, hidden characters in names, 10,000-character names.
 */
describeInBrowser('web UI with hostile names and odd windows', () => {
  let app: TestAllInOne;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every 4xx/5xx answer and failed request the page saw since the last reset. */
  let bad: string[] = [];
  const now = Date.now();
  const t0 = now - 90_000;
  const bidiTraceId = randomTraceId();
  const longTraceId = randomTraceId();
  const longOrder = `ord-long-${randomSpanId()}`;
  const longService = 's'.repeat(LONG);
  const longName = 'o'.repeat(LONG);
  /** The names as stored (the collector cuts over-long values); read back from the API. */
  let storedLongService = '';
  let storedLongName = '';

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestAllInOne();

    const bidiRoot = randomSpanId();
    const bidiClient = randomSpanId();
    const longRoot = randomSpanId();
    const longClient = randomSpanId();
    const spans: JsonSpanSpec[] = [
      // bidi service → inventory, the root named with a right-to-left override
      { traceId: bidiTraceId, spanId: bidiRoot, name: BIDI_NAME, service: BIDI_SERVICE, kind: SERVER, startMs: t0, durationMs: 120, attributes: { 'evil\u202Ekey': `value ${BIDI_NAME}` } },
      { traceId: bidiTraceId, spanId: bidiClient, parentSpanId: bidiRoot, name: 'GET /stock', service: BIDI_SERVICE, kind: CLIENT, startMs: t0 + 10, durationMs: 80, attributes: { 'peer.service': 'inventory' } },
      { traceId: bidiTraceId, spanId: randomSpanId(), parentSpanId: bidiClient, name: 'GET /stock', service: 'inventory', kind: SERVER, startMs: t0 + 15, durationMs: 70 },
      // 10,000-character service and operation → inventory, on an order's chain
      { traceId: longTraceId, spanId: longRoot, name: longName, service: longService, kind: SERVER, startMs: t0 + 1000, durationMs: 300, attributes: { 'order.id': longOrder } },
      { traceId: longTraceId, spanId: longClient, parentSpanId: longRoot, name: longName, service: longService, kind: CLIENT, startMs: t0 + 1010, durationMs: 200, attributes: { 'order.id': longOrder, 'peer.service': 'inventory' } },
      { traceId: longTraceId, spanId: randomSpanId(), parentSpanId: longClient, name: 'GET /reserve', service: 'inventory', kind: SERVER, startMs: t0 + 1020, durationMs: 150, attributes: { 'order.id': longOrder } },
    ];
    const logs: JsonLogSpec[] = [
      { service: BIDI_SERVICE, timeMs: t0 + 20, body: `upload ${BIDI_NAME} accepted`, traceId: bidiTraceId, spanId: bidiRoot, attributes: { 'my key': 'spaced', 'a<b': 'angled', 'order.id': 'ord-facet', 'evil\u202Ekey': 'x' } },
      { service: 'inventory', timeMs: t0 + 30, body: 'stock checked', attributes: { 'my key': 'spaced', 'a<b': 'angled', 'order.id': 'ord-facet-2' } },
      { service: longService, timeMs: t0 + 1030, body: `reserved for ${longOrder}`, traceId: longTraceId, spanId: longRoot, attributes: { 'order.id': longOrder } },
    ];
    for (const [kind, body] of [
      ['traces', otlpJsonTraces(spans)],
      ['logs', otlpJsonLogs(logs)],
    ] as const) {
      const res = await fetch(`${app.otlpUrl}/v1/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
    }
    const trace = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/traces/${longTraceId}`);
      return r.status === 200 && r.body.spans.length === 3 ? r.body : undefined;
    }, 'the long-name trace', 30_000);
    const root = trace.spans.find((s: { spanId: string }) => s.spanId === longRoot);
    storedLongService = root.service;
    storedLongName = root.name;
    await waitFor(async () => ((await getJson(`${app.apiUrl}/api/traces/${bidiTraceId}`)).status === 200 ? true : undefined), 'the bidi trace', 30_000);
    await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/topology?start=${now - 15 * 60_000}&end=${Date.now()}`);
      const ids = (r.body?.nodes ?? []).map((n: { id: string }) => n.id);
      return ids.includes(BIDI_SERVICE) && ids.includes(storedLongService) && ids.includes('inventory') ? true : undefined;
    }, 'topology with both callers of inventory', 30_000);
    await waitFor(async () => ((await getJson(`${app.apiUrl}/api/logs?limit=10`)).body?.total >= logs.length ? true : undefined), 'the logs', 30_000);

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (res) => {
      if (res.status() >= 400) bad.push(`${res.status()} ${res.url()}`);
    });
    page.on('requestfailed', (req) => {
      // The UI aborts the requests of the page it leaves.
      if (!/ERR_ABORTED/.test(req.failure()?.errorText ?? '')) bad.push(`failed ${req.url()} ${req.failure()?.errorText}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.dispose();
  });

  beforeEach(() => {
    bad = [];
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  const open = (hash: string) => page.goto(`${app.apiUrl}/${hash}`);
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  /** Raw hidden characters in the app's text, attributes (titles, aria-labels) and SVG text: there must be none. */
  const rawHiddenOnPage = () =>
    page.evaluate((source) => {
      const re = new RegExp(source);
      const found: string[] = [];
      const app = document.querySelector('#app')!;
      const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (re.test(n.nodeValue ?? '')) found.push(`text in <${n.parentElement?.tagName}>`);
      // Attributes the browser shows; values and data-* carry the real names to the API and are never displayed.
      for (const el of app.querySelectorAll('*')) {
        for (const name of ['title', 'aria-label', 'alt', 'placeholder']) if (re.test(el.getAttribute(name) ?? '')) found.push(`${name} of <${el.tagName}>`);
      }
      return found;
    }, RAW_HIDDEN.source);

  const pageWidth = () => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));

  test('topology in the 15-minute window: clicking a node fills the panel with stats, no request fails', async () => {
    const statsAnswers: number[] = [];
    const onResponse = (res: { url(): string; status(): number }) => {
      // one service's stats (the services table's overview, /api/services/stats, is checked by `bad`)
      if (res.url().includes('/api/services/') && !res.url().includes('/api/services/stats?')) statsAnswers.push(res.status());
    };
    page.on('response', onResponse);
    try {
      await open('#/topology?range=15m');
      await page.waitForSelector('.topo-svg[data-settled="true"]', { timeout: 20_000 });
      await page.click('.topo-node[data-id="inventory"]');
      await page.waitForSelector('.topo-side .red-chart svg');
      await page.waitForSelector('.topo-side .ops-table');
      expect(await page.locator('.topo-side .error-box').count()).toBe(0);
      expect(await page.textContent('.topo-side .ops-table')).toContain('GET /stock');
      expect(statsAnswers).toEqual([200]);
      expect(bad).toEqual([]);
    } finally {
      page.off('response', onResponse);
    }
    // Every window asks for a step the API takes.
    for (const range of ['1h', '6h', '24h']) {
      await open(`#/topology?range=${range}&node=inventory`);
      await page.waitForSelector('.topo-side .red-chart svg');
    }
    expect(bad).toEqual([]);
  });

  test('log page with attribute keys the facet API refuses ("my key", "a<b"): no 4xx, the facets render', async () => {
    await open('#/logs?range=1h');
    await page.waitForSelector('.log-row');
    await page.waitForSelector('.facet[data-field="order.id"] .facet-pick');
    await page.waitForSelector('.facet[data-field="service"] .facet-pick');
    // Every facet box has its answer (no box stuck at "…" or "unavailable").
    await page.waitForFunction(() => [...document.querySelectorAll('.facet-values')].every((ul) => ul.querySelector('.facet-pick')));
    const fields = await page.$$eval('.facet', (boxes) => boxes.map((b) => (b as HTMLElement).dataset.field));
    expect(fields).toEqual(expect.arrayContaining(['service', 'severity', 'order.id']));
    expect(fields).not.toContain('my key');
    expect(fields).not.toContain('a<b');
    expect(bad).toEqual([]);
    // The keys are still shown with the line's attributes.
    await page.locator('.log-row', { hasText: 'stock checked' }).locator('.log-expand').click();
    const attrs = (await page.locator('.log-row', { hasText: 'stock checked' }).locator('.log-attrs').textContent()) ?? '';
    expect(attrs).toContain('my key');
    expect(attrs).toContain('a<b');
    await shot('robust-log-facets');
  });

  test('a right-to-left override in names shows as a visible escape in waterfall, search, topology and logs', async () => {
    // Waterfall and span details.
    await open(`#/trace/${bidiTraceId}`);
    await page.waitForSelector('.wf-row');
    const row = page.locator('.wf-row', { has: page.locator('.wf-name .hidden-char') });
    expect(await row.locator('.wf-name').textContent()).toBe(BIDI_NAME_SHOWN);
    expect(await row.locator('.wf-name .hidden-char').textContent()).toBe('\\u202E');
    expect(await row.locator('.wf-name .hidden-char').getAttribute('title')).toBe('U+202E RIGHT-TO-LEFT OVERRIDE');
    expect(await row.locator('.wf-service').textContent()).toBe('pay\\u202Esvc\\u200B');
    expect(await row.locator('.wf-name').getAttribute('title')).toBe(BIDI_NAME_SHOWN);
    await row.click();
    await page.waitForSelector('.detail .detail-title');
    expect(await page.textContent('.detail .detail-title')).toBe(BIDI_NAME_SHOWN);
    expect(await page.textContent('.detail')).toContain('evil\\u202Ekey');
    await page.waitForSelector('.detail .log-line');
    expect(await page.textContent('.detail .log-line')).toContain(`upload ${BIDI_NAME_SHOWN} accepted`);
    expect(await rawHiddenOnPage()).toEqual([]);
    await shot('robust-bidi-waterfall');

    // Search results (table, service chips, the service picker).
    await open('#/traces?range=1h');
    await page.waitForSelector('.results .trace-link');
    const link = page.locator(`.results a.trace-link[href="#/trace/${bidiTraceId}"]`);
    expect(await link.textContent()).toBe(`pay\\u202Esvc\\u200B ${BIDI_NAME_SHOWN}`);
    expect(await link.locator('.hidden-char').count()).toBe(3);
    await page.waitForFunction(() => document.querySelectorAll('select[name="service"] option').length > 2);
    expect(await rawHiddenOnPage()).toEqual([]);

    // Topology: the SVG label, the node's tooltip, the side panel.
    await open(`#/topology?range=15m&node=${encodeURIComponent(BIDI_SERVICE)}`);
    await page.waitForSelector('.topo-side .red-chart svg');
    const node = page.locator('.topo-node', { has: page.locator('text.topo-label', { hasText: 'pay\\u202Esvc' }) });
    expect(await node.locator('text.topo-label').textContent()).toBe('pay\\u202Esvc\\u200B');
    expect(await node.locator('title').textContent()).toContain('pay\\u202Esvc\\u200B (service)');
    expect(await page.textContent('.topo-side .detail-title')).toBe('pay\\u202Esvc\\u200B');
    expect(await page.textContent('.topo-side .ops-table')).toContain(BIDI_NAME_SHOWN);
    expect(bad).toEqual([]);
    expect(await rawHiddenOnPage()).toEqual([]);
    await shot('robust-bidi-topology');

    // Logs: service, body, and the attribute key when expanded.
    await open('#/logs?range=1h&q=upload');
    const logRow = page.locator('.log-row', { hasText: 'upload' });
    await logRow.waitFor();
    expect(await logRow.locator('.svc').textContent()).toBe('pay\\u202Esvc\\u200B');
    expect(await logRow.locator('.log-body').textContent()).toBe(`upload ${BIDI_NAME_SHOWN} accepted`);
    await logRow.locator('.log-expand').click();
    expect(await logRow.locator('.log-attrs').textContent()).toContain('evil\\u202Ekey');
    await page.waitForSelector('.facet[data-field="service"] .facet-pick');
    expect(await rawHiddenOnPage()).toEqual([]);
    expect(bad).toEqual([]);
  });

  test('10,000-character service and operation names: no page gets wider than the window, the whole name is in a title', async () => {
    expect(storedLongService.length).toBeGreaterThan(1000);
    expect(storedLongName.length).toBeGreaterThan(1000);
    const widths: Record<string, { scroll: number; viewport: number }> = {};
    const titles = () => page.$$eval('#app [title], #app svg title', (els) => els.map((e) => (e.tagName.toLowerCase() === 'title' ? e.textContent ?? '' : e.getAttribute('title') ?? '')));

    await open(`#/chain/order.id/${longOrder}`);
    await page.waitForSelector('.chain-span');
    await page.click('.chain-span');
    await page.waitForSelector('.chain-detail .detail-title');
    await page.waitForSelector('.chain-log-row');
    widths.chain = await pageWidth();
    let all = await titles();
    expect(all).toContain(storedLongService);
    expect(all).toContain(storedLongName);
    expect(all.some((t) => t.startsWith(`${storedLongService}: ${storedLongName}\n`))).toBe(true);
    await shot('robust-long-chain');

    await open(`#/trace/${longTraceId}`);
    await page.waitForSelector('.wf-row');
    await page.click('.wf-row');
    await page.waitForSelector('.detail .detail-title');
    widths.trace = await pageWidth();
    expect(await page.locator('.wf-row .wf-service').first().getAttribute('title')).toBe(storedLongService);
    expect(await page.locator('.detail .detail-title .name').getAttribute('title')).toBe(storedLongName);
    await shot('robust-long-trace');

    await open(`#/topology?range=15m&node=${encodeURIComponent(storedLongService)}`);
    await page.waitForSelector('.topo-side .detail-title');
    // a service name as long as the collector stores (8,192) can be asked about: the panel shows its stats
    await page.waitForSelector('.topo-side .red-chart svg');
    expect(await page.locator('.topo-side .error-box').count()).toBe(0);
    widths.topology = await pageWidth();
    const label = await page.locator(`.topo-node[data-id="${storedLongService}"] text.topo-label`).textContent();
    expect(label!.length).toBeLessThanOrEqual(22);
    expect(await page.locator(`.topo-node[data-id="${storedLongService}"] title`).textContent()).toContain(storedLongService);
    expect(await page.locator('.topo-side .detail-title .name').getAttribute('title')).toBe(storedLongService);
    await shot('robust-long-topology');

    await open('#/traces?range=1h');
    await page.waitForSelector(`.results a.trace-link[href="#/trace/${longTraceId}"]`);
    await page.waitForFunction(() => document.querySelectorAll('select[name="service"] option').length > 2);
    widths.search = await pageWidth();
    all = await titles();
    expect(all).toContain(storedLongService);
    expect(all).toContain(storedLongName);
    await shot('robust-long-search');

    await open('#/logs?range=1h');
    await page.waitForSelector('.log-row');
    await page.waitForSelector('.facet[data-field="service"] .facet-pick');
    widths.logs = await pageWidth();
    expect(await titles()).toContain(storedLongService);

    for (const [where, w] of Object.entries(widths)) {
      expect({ where, scrollWidth: w.scroll, within: w.scroll <= w.viewport + WIDTH_TOLERANCE }).toEqual({ where, scrollWidth: w.scroll, within: true });
    }
    console.log(`page scrollWidth with ${LONG}-character names (viewport 1280): ${JSON.stringify(Object.fromEntries(Object.entries(widths).map(([k, v]) => [k, v.scroll])))}`);
    expect(bad).toEqual([]);
  });
});
