import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { waitFor } from '../helpers/wait';
import { startAllInOne } from '../../bin/all-in-one';
import { bigTrace, checkoutTrace, hexId, logsBody, tracesBody, XSS_NAME, type FixtureSpan } from './otlp-fixtures';

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
}

/**
 * A trace with a known critical path and one skewed server span (ms from its start):
 *
 *   R   edge GET /order        |0 ──────────────────────────────────────── 100|
 *   D   edge cache warm          |2─8|
 *   A   edge auth                   |5 ──── 20|
 *   B   edge GET /stock (client)            |25 ─────────────────── 85|
 *   C   edge audit log                           |30 ──── 60|
 *   S   inventory GET /stock (server), clock 40 ms behind: sent as -10..40, shown 30..80
 *   S1  inventory SELECT stock, same host as S: sent as -5..35, shown 35..75
 *
 * Critical path: R 0–5, A 5–20, R 20–25, B 25–30, S 30–35, S1 35–75, S 75–80, B 80–85, R 85–100.
 * D ends after A started and C ends after B started: neither is on it.
 */
function skewedTrace(nowMs: number) {
  const t0 = nowMs - 8000;
  const mk = (name: string, service: string, kind: number, from: number, to: number, parent?: FixtureSpan): FixtureSpan => ({
    spanId: hexId(8),
    parentSpanId: parent?.spanId ?? '',
    service,
    name,
    kind,
    startMs: t0 + from,
    durationMs: to - from,
  });
  const R = mk('GET /order', 'edge', 2, 0, 100);
  const D = mk('cache warm', 'edge', 1, 2, 8, R);
  const A = mk('auth', 'edge', 1, 5, 20, R);
  const B = mk('GET /stock', 'edge', 3, 25, 85, R);
  const C = mk('audit log', 'edge', 1, 30, 60, R);
  const S = mk('GET /stock', 'inventory', 2, -10, 40, B);
  const S1 = mk('SELECT stock', 'inventory', 1, -5, 35, S);
  return { spans: [R, D, A, B, C, S, S1], R, D, A, B, C, S, S1, critical: [R, A, B, S, S1], skewUs: 40_000 };
}

describeInBrowser('web UI in Chromium', () => {
  let server: Awaited<ReturnType<typeof startAllInOne>>;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];
  const now = Date.now();
  const big = bigTrace(now);
  const bigTraceId = hexId(16);
  const traceId = hexId(16);
  const checkout = checkoutTrace(now, { traceId: bigTraceId, spanId: big.root.spanId });
  const skewedTraceId = hexId(16);
  const skewed = skewedTrace(now);

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-e2e-'));
    server = await startAllInOne({ port: 0, otlpHttpPort: 0, dataDir, demo: false, log: () => undefined });

    await postJson(`${server.otlpUrl}/v1/traces`, tracesBody(traceId, checkout.spans));
    await postJson(`${server.otlpUrl}/v1/logs`, logsBody(traceId, checkout.logs));
    await postJson(`${server.otlpUrl}/v1/traces`, tracesBody(skewedTraceId, skewed.spans));
    for (let i = 0; i < big.spans.length; i += 1000) {
      await postJson(`${server.otlpUrl}/v1/traces`, tracesBody(bigTraceId, big.spans.slice(i, i + 1000)));
    }
    const spanCount = async (id: string) => {
      const res = await fetch(`${server.apiUrl}/api/traces/${id}`);
      return res.status === 200 ? ((await res.json()) as { spans: unknown[] }).spans.length : 0;
    };
    await waitFor(async () => (await spanCount(traceId)) === checkout.spans.length, 'checkout trace', 30_000, 100);
    await waitFor(async () => (await spanCount(skewedTraceId)) === skewed.spans.length, 'skewed trace', 30_000, 100);
    await waitFor(
      async () => {
        const res = await fetch(`${server.apiUrl}/api/logs?traceId=${traceId}&limit=10`);
        return res.status === 200 && ((await res.json()) as { total: number }).total >= checkout.logs.length;
      },
      'checkout logs',
      30_000,
      100,
    );
    await waitFor(async () => (await spanCount(bigTraceId)) === big.spans.length, '10,000-span trace', 60_000, 100);

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

  const open = async (hash: string) => {
    await page.goto(`${server.apiUrl}/${hash}`);
  };
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  test('waterfall draws one bar per span, shows span details with its logs, renders hostile names as text', async () => {
    await open(`#/trace/${traceId}`);
    await page.waitForSelector('.wf-row');
    const total = checkout.spans.length;
    expect(await page.getAttribute('.wf-body', 'data-total-rows')).toBe(String(total));
    // Rows are virtualized: walk the scroll range and collect every span that got a bar.
    const seen = new Set<string>();
    let errorBars = 0;
    for (let step = 0; step < 20 && seen.size < total; step++) {
      const visible = await page.$$eval('.wf-row', (rows) =>
        rows.map((r) => ({ id: (r as HTMLElement).dataset.spanId!, bars: r.querySelectorAll('.wf-bar').length, error: r.querySelector('.wf-bar.error') !== null })),
      );
      expect(visible.length).toBeGreaterThan(0);
      for (const v of visible) {
        expect(v.bars).toBe(1);
        if (!seen.has(v.id) && v.error) errorBars++;
        seen.add(v.id);
      }
      await page.$eval('.wf-scroll', (el) => (el.scrollTop += el.clientHeight));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    }
    expect(seen).toEqual(new Set(checkout.spans.map((s) => s.spanId)));
    expect(errorBars).toBe(1);
    await page.$eval('.wf-scroll', (el) => (el.scrollTop = 0));
    expect(await page.textContent('.trace-header')).toContain('GET /checkout');
    expect(await page.locator('.axis, .wf-axis .tick').count()).toBeGreaterThan(1);

    // Hostile span name: literal text, no element, no script run. The ?span= deep link selects and scrolls to it.
    await open(`#/trace/${traceId}?span=${checkout.xssSpan.spanId}`);
    const xssRow = page.locator(`.wf-row[data-span-id="${checkout.xssSpan.spanId}"]`);
    await xssRow.waitFor({ state: 'visible' });
    expect(await xssRow.locator('.wf-name').textContent()).toBe(XSS_NAME);
    expect(await xssRow.getAttribute('class')).toContain('selected');
    await page.waitForSelector('.detail .log-line');
    expect(await page.textContent('.detail-title')).toBe(XSS_NAME);
    expect(await page.textContent('.detail')).toContain('<script>window.__xss=2</script>');
    expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();

    // Error span: attributes, status, event and its log lines.
    await page.$eval('.wf-scroll', (el) => (el.scrollTop = 0));
    await page.click(`.wf-row[data-span-id="${checkout.errorSpan.spanId}"]`);
    await page.waitForFunction(() => document.querySelector('.detail')?.textContent?.includes('zebra42'));
    const detail = (await page.textContent('.detail')) ?? '';
    expect(detail).toContain('payment.provider');
    expect(detail).toContain('acme-pay');
    expect(detail).toContain('card declined');
    expect(detail).toContain('exception');
    expect(detail).toContain('charge failed: card declined zebra42');
    expect(page.url()).toContain(`span=${checkout.errorSpan.spanId}`);
    await shot('trace-waterfall');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.copyFileSync(path.join(ARTIFACTS, 'trace-waterfall.png'), path.join(REPO, 'docs', 'screenshot-trace.png'));
    }

    // Collapse the root's subtree, then expand it again.
    await page.$eval('.wf-scroll', (el) => (el.scrollTop = 0));
    await page.locator(`.wf-row[data-span-id="${checkout.root.spanId}"]`).waitFor();
    const renderedBefore = await page.locator('.wf-row').count();
    await page.click(`.wf-row[data-span-id="${checkout.root.spanId}"] .caret`);
    // Left: the collapsed root and the orphan, which became a root of its own.
    expect(await page.locator('.wf-row').count()).toBe(2);
    expect(await page.getAttribute('.wf-body', 'data-total-rows')).toBe('2');
    expect(await page.locator(`.wf-row[data-span-id="${checkout.orphanSpan.spanId}"] .orphan-icon`).count()).toBe(1);
    await page.click(`.wf-row[data-span-id="${checkout.root.spanId}"] .caret`);
    expect(await page.locator('.wf-row').count()).toBe(renderedBefore);
    expect(await page.getAttribute('.wf-body', 'data-total-rows')).toBe(String(total));

    // The root's link goes to the linked trace's page.
    await page.click(`.wf-row[data-span-id="${checkout.root.spanId}"]`);
    expect(await page.getAttribute('.detail ul.links a', 'href')).toBe(`#/trace/${bigTraceId}`);
  });

  test('critical path overlay sits on exactly the expected rows; the skewed server span is corrected and marked', async () => {
    const res = await fetch(`${server.apiUrl}/api/traces/${skewedTraceId}`);
    const body = (await res.json()) as { warnings: string[]; spans: Array<{ spanId: string; startUs: number; skewAdjustedUs: number; criticalPath: boolean }> };
    expect(body.warnings).toEqual(['2 spans corrected for clock skew']);
    const apiSpan = (id: string) => body.spans.find((s) => s.spanId === id)!;
    expect(apiSpan(skewed.S.spanId).skewAdjustedUs).toBe(skewed.skewUs);
    expect(apiSpan(skewed.S1.spanId).skewAdjustedUs).toBe(skewed.skewUs);
    expect(apiSpan(skewed.B.spanId).skewAdjustedUs).toBe(0);
    expect(body.spans.filter((s) => s.criticalPath).map((s) => s.spanId).sort()).toEqual(skewed.critical.map((s) => s.spanId).sort());

    await open(`#/trace/${skewedTraceId}`);
    await page.waitForSelector('.wf-row');
    const rows = () =>
      page.$$eval('.wf-row', (els) =>
        els.map((r) => ({
          id: (r as HTMLElement).dataset.spanId!,
          strips: r.querySelectorAll('.wf-cp').length,
          shownStrips: [...r.querySelectorAll('.wf-cp')].filter((e) => getComputedStyle(e).display !== 'none' && (e as HTMLElement).offsetWidth > 0).length,
          skewIcon: r.querySelector('.skew-icon')?.getAttribute('title') ?? null,
        })),
      );
    const all = await rows();
    expect(all).toHaveLength(skewed.spans.length);
    const byId = new Map(all.map((r) => [r.id, r]));
    expect(all.filter((r) => r.shownStrips > 0).map((r) => r.id).sort()).toEqual(skewed.critical.map((s) => s.spanId).sort());
    // One strip per segment: R has three (0–5, 20–25, 85–100), B and S two, A and S1 one.
    expect(byId.get(skewed.R.spanId)!.strips).toBe(3);
    expect(byId.get(skewed.B.spanId)!.strips).toBe(2);
    expect(byId.get(skewed.S.spanId)!.strips).toBe(2);
    expect(byId.get(skewed.A.spanId)!.strips).toBe(1);
    expect(byId.get(skewed.S1.spanId)!.strips).toBe(1);
    expect(await page.textContent('.legend')).toContain('critical path');
    expect(await page.textContent('.trace-warnings')).toContain('2 spans corrected for clock skew');

    // The skewed server span and its local child carry the icon; the tooltip gives the correction.
    expect(all.filter((r) => r.skewIcon !== null).map((r) => r.id).sort()).toEqual([skewed.S.spanId, skewed.S1.spanId].sort());
    expect(byId.get(skewed.S.spanId)!.skewIcon).toContain('+40ms');
    // Corrected: the server bar now lies inside its client's bar.
    const box = async (id: string) => (await page.locator(`.wf-row[data-span-id="${id}"] .wf-bar`).boundingBox())!;
    const client = await box(skewed.B.spanId);
    const serverBar = await box(skewed.S.spanId);
    expect(serverBar.x).toBeGreaterThanOrEqual(client.x - 0.5);
    expect(serverBar.x + serverBar.width).toBeLessThanOrEqual(client.x + client.width + 0.5);

    // Span details show both.
    await page.click(`.wf-row[data-span-id="${skewed.S.spanId}"]`);
    await page.waitForSelector('.detail .skew-badge');
    const detail = (await page.textContent('.detail')) ?? '';
    expect(detail).toContain('critical path');
    expect(detail).toContain('corrected by +40ms');
    expect(detail).toContain('Reported start');
    expect(detail).toMatch(/Critical path10ms \(10% of the trace\) in 2 segments/);
    await page.click(`.wf-row[data-span-id="${skewed.C.spanId}"]`);
    await page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'audit log');
    expect(await page.locator('.detail .critical-badge').count()).toBe(0);
    expect(await page.textContent('.detail .span-facts')).toContain('Critical pathno');
    await page.click(`.wf-row[data-span-id="${skewed.S.spanId}"]`);
    await shot('critical-path');

    // The toggle hides and shows the overlay.
    await page.uncheck('input[name=critical-path]');
    expect((await rows()).filter((r) => r.shownStrips > 0)).toEqual([]);
    await page.check('input[name=critical-path]');
    expect((await rows()).filter((r) => r.shownStrips > 0)).toHaveLength(skewed.critical.length);
  });

  test('trace search plots a dot per trace; clicking one opens the trace', async () => {
    await open('#/traces');
    await page.waitForSelector('circle.dot');
    expect(await page.locator('circle.dot').count()).toBe(3);
    expect(await page.locator('circle.dot.error').count()).toBe(1);
    expect(await page.locator('table.results tbody tr').count()).toBe(3);
    const options = await page.locator('select[name=service] option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['frontend', 'orders', 'payments', 'gateway']));
    await shot('trace-search');
    await page.click(`circle.dot[data-trace-id="${traceId}"]`);
    await page.waitForSelector('.wf-row');
    expect(page.url()).toContain(`#/trace/${traceId}`);

    // Form state lives in the hash: a service filter survives reload and back.
    await open('#/traces');
    await page.waitForSelector('select[name=service] option[value=payments]', { state: 'attached' });
    await page.selectOption('select[name=service]', 'payments');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('service=payments'));
    await page.waitForSelector('table.results tbody tr');
    expect(await page.locator('table.results tbody tr').count()).toBe(1);
    await page.reload();
    await page.waitForSelector('table.results tbody tr');
    expect(await page.inputValue('select[name=service]')).toBe('payments');
    expect(await page.locator('circle.dot').count()).toBe(1);
  });

  test('log search finds a word and links to its trace', async () => {
    await open('#/logs');
    await page.fill('input[name=q]', 'zebra42');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('q=zebra42'));
    await page.waitForSelector('.log-row');
    expect(await page.locator('.log-row').count()).toBe(1);
    expect(await page.textContent('.log-row')).toContain('charge failed: card declined zebra42');
    expect(await page.textContent('.log-row .sev')).toBe('ERROR');
    expect(await page.textContent('.result-summary')).toContain('1');
    expect(await page.getAttribute('.log-row a.trace-link', 'href')).toMatch(new RegExp(`^#/trace/${traceId}(\\?span=[0-9a-f]{16})?$`));
    await shot('log-search');

    await open('#/logs?q=img');
    await page.waitForSelector('.log-row');
    expect(await page.textContent('.log-row .log-body')).toBe(XSS_NAME);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();

    await open('#/logs?q=zebra42');
    await page.click('.log-row a.trace-link');
    await page.waitForSelector('.wf-row');
    expect(page.url()).toContain(`#/trace/${traceId}`);
  });

  test('errors from the API are shown on the page', async () => {
    await open(`#/trace/${'0'.repeat(31)}1`);
    await page.waitForSelector('.error-box');
    expect(await page.textContent('.error-box')).toContain('404');
    await open('#/trace/not-a-trace-id');
    await page.waitForSelector('.error-box');
    expect(await page.textContent('.error-box')).toContain('400');
    await open('#/traces?minDurationMs=9&maxDurationMs=1');
    await page.waitForSelector('.error-box');
    expect(await page.textContent('.error-box')).toContain('400');
  });

  test('a 10,000-span trace renders virtualized and scrolls to its last span', async () => {
    const started = Date.now();
    await open(`#/trace/${bigTraceId}`);
    await page.waitForSelector('.wf-row');
    const renderMs = Date.now() - started;
    expect(await page.getAttribute('.wf-body', 'data-total-rows')).toBe('10000');
    const rows = await page.locator('.wf-row').count();
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(200);
    expect(await page.evaluate(() => document.querySelectorAll('#app *').length)).toBeLessThan(3000);
    await shot('big-trace-top');

    await page.$eval('.wf-scroll', (el) => (el.scrollTop = el.scrollHeight));
    const lastRow = page.locator(`.wf-row[data-span-id="${big.last.spanId}"]`);
    await lastRow.waitFor({ state: 'visible' });
    expect(await lastRow.locator('.wf-name').textContent()).toBe(big.last.name);
    expect(await page.locator('.wf-row').count()).toBeLessThan(200);
    await lastRow.click();
    await page.waitForSelector('.detail-title');
    expect(await page.textContent('.detail-title')).toBe(big.last.name);
    await shot('big-trace-bottom');
    console.log(`10,000-span trace: first rows after ${renderMs} ms, ${rows} row elements`);
  }, 90_000);
});
