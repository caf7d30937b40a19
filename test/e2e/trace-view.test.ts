import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { decodeTraceRequestJson } from '../../core/otlp';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { waitFor } from '../helpers/wait';
import { TRACK_PADDING_RIGHT } from '../../ui/src/views/waterfallLayout';
import { startAllInOne } from '../../bin/all-in-one';
import { hexId, logsBody, tracesBody, type FixtureLog, type FixtureSpan } from './otlp-fixtures';

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
}

const SPANS = 2_000;
const STEP_MS = 5;
const SERVICES = ['gateway', 'orders', 'payments', 'stock'];
/** Children (1-based, so tree row = index) that fail. */
const ERROR_CHILDREN = [150, 700, 1_200, 1_650, 1_990];

/**
 * A root and 1,999 children started one after another (so the tree order is
 * the start order and row n is child n): services round-robin, five failing
 * children, one with an exception and an annotation event, one with a
 * business attribute, and log lines for one span.
 */
function flatTrace(nowMs: number) {
  const t0 = nowMs - 60_000;
  const root: FixtureSpan = { spanId: hexId(8), parentSpanId: '', service: 'gateway', name: 'POST /batch', kind: 2, startMs: t0, durationMs: SPANS * STEP_MS + 10 };
  const spans: FixtureSpan[] = [root];
  for (let i = 1; i < SPANS; i++) {
    const service = SERVICES[i % SERVICES.length];
    const span: FixtureSpan = { spanId: hexId(8), parentSpanId: root.spanId, service, name: `${service} item ${i}`, kind: 1, startMs: t0 + i * STEP_MS, durationMs: 4, attributes: { 'item.index': i } };
    if (ERROR_CHILDREN.includes(i)) span.error = `item ${i} failed`;
    spans.push(span);
  }
  const withEvents = spans[ERROR_CHILDREN[0]];
  withEvents.durationMs = 40;
  withEvents.events = [
    { offsetMs: 10, name: 'cache miss', attributes: { 'cache.key': 'sku-42' } },
    { offsetMs: 30, name: 'exception', attributes: { 'exception.type': 'OutOfStock', 'exception.message': 'sku-42 sold out quokka7' } },
  ];
  // the minimap test's probe: long enough to be wider than 1 px before zooming
  spans[10].durationMs = 30;
  const tagged = spans[900];
  tagged.attributes = { ...tagged.attributes, 'order.id': 'ord-needle-77' };
  const logs: FixtureLog[] = [
    { timeMs: tagged.startMs + 1, service: tagged.service, severityNumber: 9, severityText: 'INFO', body: 'reserved stock for ord-needle-77 wombat3', spanId: tagged.spanId },
    { timeMs: root.startMs + 1, service: 'gateway', severityNumber: 9, severityText: 'INFO', body: 'batch started', spanId: root.spanId },
  ];
  return { root, spans, withEvents, tagged, logs };
}

describeInBrowser('trace view in Chromium: find, errors, minimap zoom, event markers, logs link, download', () => {
  let server: Awaited<ReturnType<typeof startAllInOne>>;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];
  const traceId = hexId(16);
  const trace = flatTrace(Date.now());

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-e2e-trace-view-'));
    server = await startAllInOne({ port: 0, otlpHttpPort: 0, dataDir, demo: false, log: () => undefined });
    for (let i = 0; i < trace.spans.length; i += 1000) await postJson(`${server.otlpUrl}/v1/traces`, tracesBody(traceId, trace.spans.slice(i, i + 1000)));
    await postJson(`${server.otlpUrl}/v1/logs`, logsBody(traceId, trace.logs));
    await waitFor(
      async () => {
        const res = await fetch(`${server.apiUrl}/api/traces/${traceId}`);
        return res.status === 200 && ((await res.json()) as { spans: unknown[] }).spans.length === SPANS;
      },
      'trace stored',
      60_000,
      100,
    );
    await waitFor(
      async () => ((await (await fetch(`${server.apiUrl}/api/logs?traceId=${traceId}&limit=10`)).json()) as { total: number }).total >= trace.logs.length,
      'logs stored',
      30_000,
      100,
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  const openTrace = async () => {
    await page.goto(`${server.apiUrl}/#/trace/${traceId}`);
    await page.waitForSelector('.wf-row');
    await page.waitForSelector('.minimap canvas');
  };
  const selectedId = () => page.$eval('.wf-row.selected', (r) => (r as HTMLElement).dataset.spanId ?? '');
  /** The row is in the DOM and inside the scroller's visible box. */
  const rowInView = (spanId: string) =>
    page.$eval(
      '.wf-scroll',
      (scroller, id) => {
        const row = scroller.querySelector(`.wf-row[data-span-id="${id}"]`);
        if (!row) return false;
        const a = scroller.getBoundingClientRect();
        const b = row.getBoundingClientRect();
        return b.top >= a.top && b.bottom <= a.bottom;
      },
      spanId,
    );
  const find = async (text: string) => {
    await page.fill('input[name=find]', text);
  };
  const count = () => page.textContent('.find-count');

  test('find in trace: count, highlight, Enter / Shift+Enter walk the matches in tree order and scroll to them', async () => {
    await openTrace();
    // a business attribute value far down the list (row 900 of 2,000)
    await find('ord-needle-77');
    expect(await count()).toBe('1 match');
    await page.press('input[name=find]', 'Enter');
    expect(await count()).toBe('1 of 1');
    expect(await selectedId()).toBe(trace.tagged.spanId);
    expect(await rowInView(trace.tagged.spanId)).toBe(true);
    expect(await page.getAttribute(`.wf-row[data-span-id="${trace.tagged.spanId}"]`, 'class')).toContain('current-match');
    await page.waitForFunction(() => document.querySelector('.detail')?.textContent?.includes('ord-needle-77'));

    // key=value terms, several terms ANDed, span id prefix
    await find(`order.id=ord-needle-77 ${trace.tagged.service}`);
    expect(await count()).toBe('1 of 1');
    await find(trace.withEvents.spanId.slice(0, 10));
    expect(await count()).toBe('1 match');

    // a service: every 4th child is a payments span; Enter steps from the selected row (900) onwards
    const payments = trace.spans.map((s, i) => ({ s, i })).filter(({ s }) => s.service === 'payments');
    await find('PAYMENTS');
    expect(await count()).toBe(`${payments.length} matches`);
    const after900 = payments.filter(({ i }) => i > 900);
    await page.press('input[name=find]', 'Enter');
    expect(await selectedId()).toBe(after900[0].s.spanId);
    expect(await count()).toBe(`${payments.indexOf(after900[0]) + 1} of ${payments.length}`);
    await page.press('input[name=find]', 'Enter');
    expect(await selectedId()).toBe(after900[1].s.spanId);
    await page.press('input[name=find]', 'Shift+Enter');
    await page.press('input[name=find]', 'Shift+Enter');
    const before = payments.filter(({ i }) => i < after900[0].i).at(-1)!;
    expect(await selectedId()).toBe(before.s.spanId);
    expect(await rowInView(before.s.spanId)).toBe(true);
    // every match row in the DOM is highlighted, no other row is
    const marks = await page.$$eval('.wf-row', (rows) => rows.map((r) => [(r as HTMLElement).dataset.spanId, r.classList.contains('match')]));
    const paymentIds = new Set(payments.map(({ s }) => s.spanId));
    for (const [id, marked] of marks) expect([id, marked]).toEqual([id, paymentIds.has(id as string)]);

    await find('no-such-thing-zz');
    expect(await count()).toBe('no match');
    expect(await page.locator('.wf-row.match').count()).toBe(0);
  });

  test('jump to next / previous error, wrapping around; a 2,000-row trace keeps ~60 rows in the DOM', async () => {
    await openTrace();
    expect(await page.getAttribute('.wf-body', 'data-total-rows')).toBe(String(SPANS));
    expect(await page.locator('.wf-row').count()).toBeLessThan(120);
    expect(await page.textContent('.find-errors')).toBe(`${ERROR_CHILDREN.length} errors`);
    const errorIds = ERROR_CHILDREN.map((i) => trace.spans[i].spanId);
    for (const id of errorIds) {
      await page.click('button[aria-label="Next error"]');
      expect(await selectedId()).toBe(id);
      expect(await rowInView(id)).toBe(true);
    }
    await page.click('button[aria-label="Next error"]');
    expect(await selectedId()).toBe(errorIds[0]);
    await page.click('button[aria-label="Previous error"]');
    expect(await selectedId()).toBe(errorIds.at(-1));
    await page.click('button[aria-label="Previous error"]');
    expect(await selectedId()).toBe(errorIds.at(-2));
    expect(await page.textContent('.detail')).toContain(`item ${ERROR_CHILDREN.at(-2)} failed`);
  });

  test('minimap: a brush over a quarter of the trace zooms the time axis four times; Reset zoom shows it whole', async () => {
    await openTrace();
    const probe = trace.spans[10];
    const geometry = () =>
      page.$eval(`.wf-row[data-span-id="${probe.spanId}"]`, (row, padding) => {
        const bar = row.querySelector('.wf-bar') as HTMLElement;
        return { left: parseFloat(bar.style.left), width: parseFloat(bar.style.width), track: (row.querySelector('.wf-track') as HTMLElement).clientWidth - padding };
      }, TRACK_PADDING_RIGHT);
    const lastTick = () => page.$$eval('.wf-axis .tick text', (ts) => ts.map((t) => t.textContent ?? '').at(-1));
    const whole = await geometry();
    const wholeLastTick = await lastTick();
    const box = (await page.locator('.minimap-overlay svg').boundingBox())!;
    await page.mouse.move(box.x + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 8, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + 1 + box.width / 4, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    const zoomed = await geometry();
    // The brush's selection [sx, sx + sw] of a map `map` px wide is the window: the probe's bar moves and grows by map / sw (~4x).
    const brush = await page.$eval('.minimap-brush .selection', (r) => ({ sx: Number(r.getAttribute('x')), sw: Number(r.getAttribute('width')) }));
    const map = box.width;
    expect(brush.sw / map).toBeGreaterThan(0.24);
    expect(brush.sw / map).toBeLessThan(0.26);
    const expectedLeft = (((whole.left / whole.track) * map - brush.sx) / brush.sw) * zoomed.track;
    expect(Math.abs(zoomed.left - expectedLeft)).toBeLessThan(1.5);
    const windowMs = (brush.sw / map) * trace.root.durationMs;
    expect(Math.abs(zoomed.width - Math.max(1, (probe.durationMs / windowMs) * zoomed.track))).toBeLessThan(1);
    expect(zoomed.width).toBeGreaterThan(whole.width);
    expect(await lastTick()).not.toBe(wholeLastTick);
    // the root covers the whole trace: its bar is cut at the track's edges
    const rootBar = await page.$eval(`.wf-row[data-span-id="${trace.root.spanId}"] .wf-bar`, (b) => ({ left: parseFloat((b as HTMLElement).style.left), width: parseFloat((b as HTMLElement).style.width) }));
    expect(rootBar.left).toBeLessThanOrEqual(0);
    expect(rootBar.left + rootBar.width).toBeGreaterThanOrEqual(zoomed.track);
    await page.screenshot({ path: path.join(ARTIFACTS, 'trace-minimap-zoom.png') });
    expect(await page.isEnabled('.minimap-reset')).toBe(true);
    await page.click('.minimap-reset');
    expect(await geometry()).toEqual(whole);
    expect(await page.isEnabled('.minimap-reset')).toBe(false);
  });

  test('span events as markers on their bar; a marker opens the span with that event marked and its attributes shown', async () => {
    await openTrace();
    const span = trace.withEvents;
    await find(span.spanId);
    await page.press('input[name=find]', 'Enter');
    const row = page.locator(`.wf-row[data-span-id="${span.spanId}"]`);
    expect(await row.locator('.wf-event').count()).toBe(2);
    expect(await row.locator('.wf-event.exception').count()).toBe(1);
    const markers = await row.locator('.wf-event').evaluateAll((ms) => ms.map((m) => ({ left: parseFloat((m as HTMLElement).style.left), cls: m.className, title: (m as HTMLElement).title })));
    const bar = await row.locator('.wf-bar').evaluate((b) => ({ left: parseFloat((b as HTMLElement).style.left), width: parseFloat((b as HTMLElement).style.width) }));
    // at 10 and 30 ms of a 40 ms bar
    const annotation = markers.find((m) => !m.cls.includes('exception'))!;
    const exception = markers.find((m) => m.cls.includes('exception'))!;
    expect(Math.abs(annotation.left - (bar.left + bar.width / 4))).toBeLessThan(1.5);
    expect(Math.abs(exception.left - (bar.left + (bar.width * 3) / 4))).toBeLessThan(1.5);
    expect(exception.title).toContain('OutOfStock: sku-42 sold out quokka7');

    await page.click('.detail .close');
    await row.locator('.wf-event.exception').click();
    expect(await selectedId()).toBe(span.spanId);
    const focused = page.locator('.detail ul.events li.focused');
    await focused.waitFor();
    expect(await focused.textContent()).toContain('sku-42 sold out quokka7');
    expect(await focused.getAttribute('class')).toContain('exception');
    expect(await page.textContent('.detail ul.events')).toContain('cache.key');
  });

  test('logs of a span and of the trace open log search with the query filled in and find their lines', async () => {
    await openTrace();
    await find('ord-needle-77');
    await page.press('input[name=find]', 'Enter');
    const link = page.locator('.detail .span-logs-link');
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    const params = new URLSearchParams(href.slice(href.indexOf('?') + 1));
    expect(params.get('q')).toBe(`trace_id:${traceId} span_id:${trace.tagged.spanId}`);
    expect(params.get('range')).toBe('custom');
    await link.click();
    await page.waitForSelector('.log-row');
    expect(await page.inputValue('input[name=q]')).toBe(`trace_id:${traceId} span_id:${trace.tagged.spanId}`);
    const bodies = await page.$$eval('.log-row .log-body', (els) => els.map((e) => e.textContent));
    expect(bodies).toEqual(['reserved stock for ord-needle-77 wombat3']);

    await openTrace();
    await page.click('.trace-logs-link');
    await page.waitForSelector('.log-row');
    expect(await page.inputValue('input[name=q]')).toBe(`trace_id:${traceId}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 2);
  });

  test('Download OTLP/JSON saves the stored trace as an export request that decodes to every span', async () => {
    await openTrace();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.trace-download')]);
    expect(download.suggestedFilename()).toBe(`trace-${traceId}.otlp.json`);
    const file = await download.path();
    const decoded = decodeTraceRequestJson(fs.readFileSync(file!, 'utf8'));
    expect(decoded.rejected).toBe(0);
    expect(decoded.spans).toHaveLength(SPANS);
    expect(new Set(decoded.spans.map((s) => s.spanId))).toEqual(new Set(trace.spans.map((s) => s.spanId)));
    expect(decoded.spans.every((s) => s.traceId === traceId)).toBe(true);
    const withEvents = decoded.spans.find((s) => s.spanId === trace.withEvents.spanId)!;
    expect(withEvents.events.map((e) => e.name)).toEqual(['cache miss', 'exception']);
    expect(withEvents.status).toEqual({ code: 'error', message: `item ${ERROR_CHILDREN[0]} failed` });
  });
});
