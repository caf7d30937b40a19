import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { waitFor } from '../helpers/wait';
import { startAllInOne } from '../../bin/all-in-one';
import { hexId, tracesBody, type FixtureSpan } from './otlp-fixtures';

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
}

/** A checkout (shop) calling a fraud check (payment), starting `agoMs` before now. */
function checkout(nowMs: number, agoMs: number, rootMs: number, fraudMs: number, error?: string) {
  const traceId = hexId(16);
  const root: FixtureSpan = { spanId: hexId(8), parentSpanId: '', service: 'shop', name: 'POST /checkout', kind: 2, startMs: nowMs - agoMs, durationMs: rootMs };
  const fraud: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: root.spanId,
    service: 'payment',
    name: 'fraud check',
    kind: 1,
    startMs: nowMs - agoMs + 1,
    durationMs: fraudMs,
    error,
  };
  return { traceId, spans: [root, fraud], root, fraud };
}

describeInBrowser('trace search page in Chromium', () => {
  let server: Awaited<ReturnType<typeof startAllInOne>>;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];
  const now = Date.now();
  // starts spread over ~4 minutes: the chart's ticks fall every 30 s, where minute labels repeated
  const slow = checkout(now, 240_000, 1_500, 1_200);
  const failed = checkout(now, 120_000, 3_000, 40, 'card declined');
  const quick = checkout(now, 10_000, 50, 20);

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-e2e-search-'));
    server = await startAllInOne({ port: 0, otlpHttpPort: 0, dataDir, demo: false, log: () => undefined });
    for (const t of [slow, failed, quick]) await postJson(`${server.otlpUrl}/v1/traces`, tracesBody(t.traceId, t.spans));
    await waitFor(
      async () => {
        const res = await fetch(`${server.apiUrl}/api/traces?service=payment&limit=10`);
        return res.status === 200 && ((await res.json()) as { traces: unknown[] }).traces.length === 3;
      },
      'three traces searchable',
      30_000,
      100,
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  const open = (hash: string) => page.goto(`${server.apiUrl}/${hash}`);
  const rowIds = () => page.$$eval('table.results tbody tr .mono', (cells) => cells.map((c) => c.textContent));

  test('errors only finds the failed trace and shows its failed span under the hit', async () => {
    await open('#/traces');
    await page.waitForSelector('table.results tbody tr');
    expect(await page.locator('table.results tbody tr').count()).toBe(3);
    await page.check('input[name=error]');
    expect(await page.inputValue('select[name=status]')).toBe('error');
    expect(await page.isDisabled('select[name=status]')).toBe(true);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('error=true'));
    await page.waitForFunction(() => document.querySelectorAll('table.results tbody tr').length === 1);
    expect(await rowIds()).toEqual([failed.traceId]);
    const spans = page.locator('table.results .matching-spans li');
    expect(await spans.count()).toBe(1);
    expect(await spans.first().textContent()).toContain('fraud check');
    expect(await spans.first().locator('.badge.error').count()).toBe(1);
    expect(await spans.first().locator('a').getAttribute('href')).toBe(`#/trace/${failed.traceId}?span=${failed.fraud.spanId}`);
    await page.reload();
    await page.waitForSelector('table.results tbody tr');
    expect(await page.isChecked('input[name=error]')).toBe(true);

    // the status select: the slow and the quick fraud checks have status unset
    await open('#/traces?service=payment&status=unset');
    await page.waitForSelector('table.results tbody tr');
    expect(await page.inputValue('select[name=status]')).toBe('unset');
    expect(await rowIds()).toEqual([quick.traceId, slow.traceId]);
  });

  test('an operation with a minimum duration finds traces where that span took it', async () => {
    await open(`#/traces?service=payment&operation=${encodeURIComponent('fraud check')}&minDurationMs=1000`);
    await page.waitForSelector('table.results tbody tr');
    expect(await rowIds()).toEqual([slow.traceId]);
    expect(await page.textContent('table.results .matching-spans li')).toContain('1.2s');
    await shot('trace-search-span-duration');
  });

  test('sort select orders the hits; Load more follows the next page', async () => {
    await open('#/traces');
    await page.waitForSelector('table.results tbody tr');
    await page.selectOption('select[name=sort]', 'longest');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('sort=longest'));
    await page.waitForFunction((first) => document.querySelector('table.results tbody tr .mono')?.textContent === first, failed.traceId);
    expect(await rowIds()).toEqual([failed.traceId, slow.traceId, quick.traceId]);

    await open('#/traces?sort=oldest&limit=2');
    await page.waitForSelector('button.load-more');
    expect(await rowIds()).toEqual([slow.traceId, failed.traceId]);
    await page.click('button.load-more');
    await page.waitForFunction(() => document.querySelectorAll('table.results tbody tr').length === 3);
    expect(await rowIds()).toEqual([slow.traceId, failed.traceId, quick.traceId]);
    expect(await page.locator('circle.dot').count()).toBe(3);
  });

  test('a bad value in the hash is shown as an error, not a broken page', async () => {
    await open('#/traces?range=custom&start=not-a-time');
    await page.waitForSelector('.error-box');
    expect(await page.textContent('.error-box')).toContain('cannot read');
    await open('#/traces?status=failed');
    await page.waitForSelector('.error-box');
    expect(await page.textContent('.error-box')).toContain('400');
  });

  test('the chart never repeats a time label', async () => {
    await open('#/traces');
    await page.waitForSelector('circle.dot');
    const labels = await page.$$eval('.scatter .axis.x .tick text', (ts) => ts.map((t) => t.textContent ?? ''));
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(new Set(labels).size).toBe(labels.length);
    // ticks at most every 30 s over these ~4 minutes: labels carry seconds
    expect(labels.every((l) => /^\d\d:\d\d:\d\d$/.test(l))).toBe(true);
    await shot('trace-search-ticks');
  });

  test('the attribute input grows with its text, up to a bound', async () => {
    await open('#/traces');
    const input = page.locator('input[name=attr]');
    await input.waitFor();
    const fits = () => input.evaluate((el: HTMLInputElement) => el.scrollWidth <= el.clientWidth + 1);
    const width = () => input.evaluate((el: HTMLInputElement) => el.getBoundingClientRect().width);
    const empty = await width();
    await input.fill('order.id:ORD-12345 customer.tier:"gold plus"');
    expect(await fits()).toBe(true);
    const grown = await width();
    expect(grown).toBeGreaterThan(empty);
    await input.fill(`k:${'v'.repeat(400)}`);
    const capped = await width();
    expect(capped).toBeGreaterThan(grown);
    expect(capped).toBeLessThan(700);
    // the grown width survives a reload from the hash
    await input.fill('order.id:ORD-12345 customer.tier:"gold plus"');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('attr='));
    await page.reload();
    await input.waitFor();
    expect(await fits()).toBe(true);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
});
