import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { startTestAllInOne, type TestAllInOne } from '../helpers/all-in-one';
import { waitFor } from '../helpers/wait';
import { XSS_NAME } from './otlp-fixtures';


interface Line {
  service: string;
  host: string;
  timeMs: number;
  severityText: string;
  severityNumber: number;
  body: string;
  traceId?: string;
  spanId?: string;
  attributes?: Record<string, string>;
}

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const kv = (attrs: Record<string, string>) => Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));

/** OTLP/JSON logs, one resource per line (service.name and host.name). */
function logsBody(lines: Line[]): string {
  return JSON.stringify({
    resourceLogs: lines.map((l) => ({
      resource: { attributes: kv({ 'service.name': l.service, 'host.name': l.host }) },
      scopeLogs: [
        {
          scope: { name: 'chainscope-e2e-logs' },
          logRecords: [
            {
              timeUnixNano: nanos(l.timeMs),
              observedTimeUnixNano: nanos(l.timeMs),
              severityNumber: l.severityNumber,
              severityText: l.severityText,
              body: { stringValue: l.body },
              traceId: l.traceId ?? '',
              spanId: l.spanId ?? '',
              attributes: kv(l.attributes ?? {}),
            },
          ],
        },
      ],
    })),
  });
}

describeInBrowser('log search page in Chromium', () => {
  let app: TestAllInOne;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const run = crypto.randomBytes(3).toString('hex');
  const word = `zebra${run}`;
  const checkout = `checkout-${run}`;
  const payments = `payments-${run}`;
  const batch = `batch-${run}`;
  const traceId = crypto.randomBytes(16).toString('hex');
  const spanId = crypto.randomBytes(8).toString('hex');
  const order = `ORD-${run}-7`;
  const now = Date.now();
  const lines: Line[] = [
    { service: checkout, host: 'web-1', timeMs: now - 5 * 60_000, severityText: 'INFO', severityNumber: 9, body: `payment accepted for order ${order} ${word}`, traceId, spanId, attributes: { 'order.id': order, 'http.route': '/pay' } },
    { service: payments, host: 'web-2', timeMs: now - 4 * 60_000, severityText: 'ERROR', severityNumber: 17, body: `payment declined: card expired ${word}`, attributes: { 'order.id': order } },
    { service: payments, host: 'web-2', timeMs: now - 4 * 60_000 + 500, severityText: 'WARN', severityNumber: 13, body: `retrying charge ${word}` },
    { service: checkout, host: 'web-1', timeMs: now - 50 * 60_000, severityText: 'WARN', severityNumber: 13, body: `cart restored from an old session ${word}` },
    { service: payments, host: 'web-2', timeMs: now - 3 * 60_000, severityText: 'INFO', severityNumber: 9, body: `${XSS_NAME} xss${run}` },
    ...[1, 2, 3, 4, 5].map((i) => ({ service: batch, host: 'worker-1', timeMs: now - 20 * 60_000 + i, severityText: 'INFO', severityNumber: 9, body: `batch step ${i} of 5 ${run}` })),
  ];

  const post = async (body: string) => {
    const res = await fetch(`${app.otlpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (res.status !== 200) throw new Error(`POST /v1/logs → ${res.status} ${await res.text()}`);
  };
  /** Posts lines of one service and waits until a search finds them all: 200 means durable, searchable follows once ingest wrote them, and a page opened before that shows nothing. */
  const postStored = async (service: string, body: string, count: number) => {
    await post(body);
    await waitFor(async () => {
      const res = await fetch(`${app.apiUrl}/api/logs?limit=1&q=${encodeURIComponent(`service:${service}`)}&start=${Date.now() - 3_600_000}`);
      return res.status === 200 && ((await res.json()) as { total: number }).total >= count;
    }, `${count} stored lines of ${service}`, 30_000);
  };
  const open = (hash: string) => page.goto(`${app.apiUrl}/${hash}`);
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const bodies = () => page.locator('.log-main .log-row .log-body').allTextContents();

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestAllInOne();
    await post(logsBody(lines));
    await waitFor(async () => {
      const res = await fetch(`${app.apiUrl}/api/logs?limit=1&start=${now - 3_600_000}`);
      return res.status === 200 && ((await res.json()) as { total: number }).total >= lines.length;
    }, 'the fixture lines', 30_000);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.dispose();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  test('search shows the matching lines with highlighted words, attributes and links to trace and chain', async () => {
    await open('#/logs');
    await page.fill('input[name=q]', word);
    await page.click('form.log-query-form button[type=submit]');
    await page.waitForFunction((w) => location.hash.includes(`q=${w}`), word);
    await page.waitForSelector('.log-main .log-row');
    expect((await bodies()).sort()).toEqual(lines.filter((l) => l.body.includes(word)).map((l) => l.body).sort());
    const marks = await page.locator('.log-main .log-row .log-body mark').allTextContents();
    expect(marks.length).toBe(4);
    expect(new Set(marks.map((m) => m.toLowerCase()))).toEqual(new Set([word]));
    expect(await page.textContent('.result-summary')).toContain('4');

    const row = page.locator('.log-main .log-row', { hasText: 'payment accepted' });
    expect(await row.locator('a.trace-link').getAttribute('href')).toBe(`#/trace/${traceId}?span=${spanId}`);
    expect(await row.locator('a.chain-link').getAttribute('href')).toBe(`#/chain/order.id/${order}`);
    await row.locator('.log-expand').click();
    const attrs = (await row.locator('.log-attrs').textContent()) ?? '';
    expect(attrs).toContain('order.id');
    expect(attrs).toContain('http.route');
    expect(attrs).toContain('/pay');
    expect(attrs).toContain('web-1');
    await page.waitForSelector('.log-histogram .hist-bar');
    await page.waitForSelector('.facet[data-field=service] .facet-pick');
    await shot('log-search-page');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.copyFileSync(path.join(ARTIFACTS, 'log-search-page.png'), path.join(REPO, 'docs', 'screenshot-logs.png'));
    }
  });

  test('a syntax error is shown inline at the position the API names', async () => {
    const bad = `${word} AND (level:error`;
    const api = await fetch(`${app.apiUrl}/api/logs?q=${encodeURIComponent(bad)}`);
    expect(api.status).toBe(400);
    const answer = (await api.json()) as { parameter?: string; position?: number };
    expect(answer.parameter).toBe('q');
    await open(`#/logs?q=${encodeURIComponent(bad)}`);
    await page.waitForSelector('.q-error');
    expect(await page.getAttribute('input[name=q]', 'aria-invalid')).toBe('true');
    expect(await page.textContent('.q-echo')).toBe(bad + (answer.position === bad.length ? ' ' : ''));
    if (typeof answer.position === 'number') {
      expect(await page.getAttribute('.q-error', 'data-position')).toBe(String(answer.position));
      expect(await page.textContent('.q-caret')).toBe(`${' '.repeat(answer.position)}^`);
    }
    expect(await page.locator('.log-main .log-row').count()).toBe(0);
    await shot('log-search-syntax-error');
  });

  test('the histogram is stacked by severity; brushing zooms the time range and the results', async () => {
    await open(`#/logs?q=${word}&range=1h`);
    await page.waitForSelector('.log-histogram .hist-bar');
    await page.waitForSelector('.log-main .log-row');
    expect(await page.locator('.log-main .log-row').count()).toBe(4);
    const classes = await page.locator('.log-histogram .hist-bar').evaluateAll((els) => els.map((e) => e.getAttribute('class')));
    expect(classes).toEqual(expect.arrayContaining(['hist-bar sev-error', 'hist-bar sev-warn', 'hist-bar sev-info']));

    // Drag across the last quarter of the chart: the three recent lines, not the one from 50 minutes ago.
    const overlay = (await page.locator('.log-histogram .hist-brush .overlay').boundingBox())!;
    const y = overlay.y + overlay.height / 2;
    await page.mouse.move(overlay.x + overlay.width * 0.75, y);
    await page.mouse.down();
    await page.mouse.move(overlay.x + overlay.width * 0.9, y, { steps: 5 });
    await page.mouse.move(overlay.x + overlay.width - 1, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => location.hash.includes('range=custom'));
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 3);
    expect((await bodies()).some((b) => b.includes('old session'))).toBe(false);
    const params = new URLSearchParams(page.url().split('?')[1]);
    const start = new Date(params.get('start')!).getTime();
    const end = new Date(params.get('end')!).getTime();
    expect(start).toBeGreaterThan(now - 50 * 60_000);
    expect(start).toBeLessThan(now - 5 * 60_000);
    expect(end).toBeGreaterThan(now - 3 * 60_000);
    await page.waitForSelector('.log-histogram .hist-bar');
    await shot('log-search-zoomed');
  });

  test('a facet click adds field:value to the query and filters', async () => {
    await open(`#/logs?q=${word}`);
    const pick = page.locator(`.facet[data-field=service] .facet-pick[data-value="${payments}"]`);
    await pick.waitFor();
    expect(await pick.locator('.facet-count').textContent()).toBe('2');
    expect(await page.locator('.facet[data-field=host] .facet-pick').count()).toBeGreaterThan(0);
    await pick.click();
    await page.waitForFunction((svc) => decodeURIComponent(location.hash).includes(`service:${svc}`), payments);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 2);
    expect(await page.inputValue('input[name=q]')).toBe(`${word} service:${payments}`);
    expect(new Set(await page.locator('.log-main .log-row .svc').allTextContents())).toEqual(new Set([payments]));
  });

  test('field groups filter; only free text in body groups is marked, and a facet adds its clause without wrapping', async () => {
    const marks = () => page.locator('.log-main .log-row .log-body mark').allTextContents();
    // the values of order.id and service appear in the bodies ("payment", the order id) but are not free text
    await open(`#/logs?q=${encodeURIComponent(`order.id:(${order} OR payment) service:(${checkout} OR ${payments})`)}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 2);
    expect((await bodies()).sort()).toEqual(lines.filter((l) => l.attributes?.['order.id'] === order).map((l) => l.body).sort());
    expect(await marks()).toEqual([]);

    await open(`#/logs?q=${encodeURIComponent(`body:(declined OR accepted) -msg:(card OR retrying) service:(${checkout} OR ${payments})`)}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 1);
    expect(await bodies()).toEqual([lines[0].body]);
    expect(await marks()).toEqual(['accepted']);

    const grouped = `service:(${checkout} OR ${payments}) ${word}`;
    await open(`#/logs?q=${encodeURIComponent(grouped)}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 4);
    const pick = page.locator(`.facet[data-field=service] .facet-pick[data-value="${payments}"]`);
    await pick.waitFor();
    await pick.click();
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 2);
    expect(await page.inputValue('input[name=q]')).toBe(`${grouped} service:${payments}`);
  });

  test('context shows the neighbouring lines of the same source with the line itself marked', async () => {
    await open(`#/logs?q=${encodeURIComponent(`"batch step 3" ${run}`)}`);
    await page.waitForSelector('.log-main .log-row');
    expect(await page.locator('.log-main .log-row').count()).toBe(1);
    await page.click('.log-main .log-row .context-button');
    await page.waitForSelector('.log-context .log-row.anchor');
    const ctx = await page.locator('.log-context .log-row .log-body').allTextContents();
    expect(ctx).toEqual([1, 2, 3, 4, 5].map((i) => `batch step ${i} of 5 ${run}`));
    expect(await page.textContent('.log-context .log-row.anchor .log-body')).toBe(`batch step 3 of 5 ${run}`);
    expect(page.url()).toContain('ctx=');
    await shot('log-context');
    await page.click('.log-context .close');
    expect(await page.locator('.log-context').isHidden()).toBe(true);
  });

  test('live tail shows a line posted after the toggle within a few seconds; pause holds lines back', async () => {
    const tailWord = `tail${run}`;
    await open(`#/logs?q=${tailWord}`);
    await page.waitForSelector('.log-main .empty');
    await page.check('input[name=tail]');
    await page.waitForFunction(() => document.querySelector('.tail-status')?.getAttribute('data-state') === 'live');
    expect(page.url()).toContain('tail=1');
    await new Promise((r) => setTimeout(r, 700)); // the server's first poll marks what exists
    const postedAt = Date.now();
    await post(logsBody([{ service: checkout, host: 'web-1', timeMs: Date.now(), severityText: 'ERROR', severityNumber: 17, body: `first live line ${tailWord}` }]));
    await page.waitForSelector('.log-main .log-row.tail-new', { timeout: 5_000 });
    expect(Date.now() - postedAt).toBeLessThan(5_000);
    expect(await page.textContent('.log-main .log-row .log-body')).toBe(`first live line ${tailWord}`);
    expect(await page.locator('.log-main .log-row .log-body mark').allTextContents()).toEqual([tailWord]);

    await page.click('.tail-pause');
    await post(logsBody([{ service: checkout, host: 'web-1', timeMs: Date.now(), severityText: 'INFO', severityNumber: 9, body: `second live line ${tailWord}` }]));
    await page.waitForFunction(() => /1 waiting/.test(document.querySelector('.tail-status')?.textContent ?? ''), undefined, { timeout: 5_000 });
    expect(await page.locator('.log-main .log-row').count()).toBe(1);
    await page.click('.tail-pause');
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 2);
    // newest on top
    expect(await bodies()).toEqual([`second live line ${tailWord}`, `first live line ${tailWord}`]);
    await shot('log-live-tail');
    await page.uncheck('input[name=tail]');
    expect(page.url()).not.toContain('tail=1');
  });

  test("the browser's EventSource reconnects with Last-Event-ID and gets exactly the lines after it", async () => {
    const resumeWord = `resume${run}`;
    const t = Date.now() - 3_000;
    await post(logsBody([1, 2, 3].map((i) => ({ service: checkout, host: 'web-1', timeMs: t + i, severityText: 'INFO', severityNumber: 9, body: `${resumeWord} line ${i}` }))));
    const stored = await waitFor(async () => {
      const body = (await (await fetch(`${app.apiUrl}/api/logs?q=${resumeWord}&sort=time_asc`)).json()) as { logs: { id: string; timeUs: number; body: string }[] };
      return body.logs.length === 3 ? body.logs : undefined;
    }, 'three stored lines');
    const firstId = `${stored[0].timeUs}-${stored[0].id}`;
    // The first connection delivers line 1 and breaks off; the reconnect goes to the server.
    let requests = 0;
    await page.route('**/api/logs/tail?**', async (route) => {
      if (++requests > 1) return route.continue();
      return route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        body: `retry: 200\nid: ${firstId}\nevent: log\ndata: ${JSON.stringify(stored[0])}\n\n`,
      });
    });
    try {
      await open('#/logs');
      const got = await page.evaluate(
        (url) =>
          new Promise<{ id: string; body: string }[]>((resolve) => {
            const out: { id: string; body: string }[] = [];
            const source = new EventSource(url);
            const done = () => {
              source.close();
              resolve(out);
            };
            source.addEventListener('log', (ev) => {
              out.push({ id: (ev as MessageEvent).lastEventId, body: (JSON.parse((ev as MessageEvent<string>).data) as { body: string }).body });
              // a little longer after the third line: a fourth would be a line sent twice
              if (out.length === 3) setTimeout(done, 1_500);
            });
            setTimeout(done, 10_000);
          }),
        `/api/logs/tail?q=${resumeWord}`,
      );
      // Lines 2 and 3 were stored before the reconnect: a new tail would not send them, a resumed one must.
      // (Chromium adds Last-Event-ID below the point where Playwright sees request headers, so the answer is the proof.)
      expect(got.map((g) => g.body)).toEqual([1, 2, 3].map((i) => `${resumeWord} line ${i}`));
      expect(got.map((g) => g.id)).toEqual(stored.map((l) => `${l.timeUs}-${l.id}`));
      expect(requests).toBe(2);
    } finally {
      await page.unroute('**/api/logs/tail?**');
    }
  });

  test('load more follows the cursor to the next page', async () => {
    await open(`#/logs?q=${word}&limit=3`);
    await page.waitForSelector('.log-main .log-row');
    expect(await page.locator('.log-main .log-row').count()).toBe(3);
    await page.click('.load-more');
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 4);
    expect((await bodies()).sort()).toEqual(lines.filter((l) => l.body.includes(word)).map((l) => l.body).sort());
    await page.waitForFunction(() => document.querySelector('.load-more') === null);
  });

  test('free text error finds the ERROR lines; a line with only a severity text is found by level ranges', async () => {
    const svc = `sev-${run}`;
    await postStored(
      svc,
      logsBody([
        { service: svc, host: 'h', timeMs: Date.now() - 1_000, severityText: 'ERROR', severityNumber: 17, body: `card expired ${run}` },
        { service: svc, host: 'h', timeMs: Date.now() - 900, severityText: 'Warning', severityNumber: 0, body: `disk almost full ${run}` },
        { service: svc, host: 'h', timeMs: Date.now() - 800, severityText: 'INFO', severityNumber: 9, body: `all good ${run}` },
      ]),
      3,
    );
    await open(`#/logs?q=${encodeURIComponent(`error service:${svc}`)}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 1, undefined, { timeout: 10_000 });
    expect(await bodies()).toEqual([`card expired ${run}`]);
    await open(`#/logs?q=${encodeURIComponent(`level:>=warn service:${svc}`)}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 2);
    expect((await bodies()).sort()).toEqual([`card expired ${run}`, `disk almost full ${run}`]);
    expect(await page.locator('.log-main .log-row', { hasText: 'disk almost full' }).locator('.sev').textContent()).toBe('Warning');
  });

  test('shipper noise fields are no facets; attribute rows filter in and out; the example names services that exist', async () => {
    const svc = `ship-${run}`;
    const file = (i: number) => ({ 'log.file.path': `/var/log/${run}.log`, 'log.file.offset': String(i * 80), 'order.id': `ORD-${run}-${i % 2}` });
    await postStored(svc, logsBody([1, 2, 3, 4].map((i) => ({ service: svc, host: 'h', timeMs: Date.now() - 1_000 + i, severityText: 'INFO', severityNumber: 9, body: `shipped line ${i} ${run}`, attributes: file(i) }))), 4);
    await open(`#/logs?q=${encodeURIComponent(`service:${svc}`)}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 4, undefined, { timeout: 10_000 });
    await page.locator('.facet[data-field="order.id"] .facet-pick').first().waitFor();
    expect(await page.locator('.facet[data-field^="log.file"]').count()).toBe(0);

    const placeholder = (await page.getAttribute('input[name=q]', 'placeholder')) ?? '';
    const facet = (await (await fetch(`${app.apiUrl}/api/logs/facets?field=service&limit=100&start=${Date.now() - 86_400_000}`)).json()) as { values: { value: string }[] };
    const services = facet.values.map((v) => v.value);
    const named = [...placeholder.matchAll(/service:\(?([^\s)]+)(?: OR ([^\s)]+))?/g)].flatMap((m) => [m[1], m[2]]).filter(Boolean);
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(services).toContain(name);

    const row = page.locator('.log-main .log-row', { hasText: `shipped line 1 ${run}` });
    await row.locator('.log-expand').click();
    await row.locator('tr', { hasText: 'order.id' }).locator('.attr-filter-out').click();
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 2);
    expect(await page.inputValue('input[name=q]')).toBe(`service:${svc} -order.id:ORD-${run}-1`);
    expect((await bodies()).sort()).toEqual([`shipped line 2 ${run}`, `shipped line 4 ${run}`]);

    const kept = page.locator('.log-main .log-row', { hasText: `shipped line 2 ${run}` });
    await kept.locator('.log-expand').click();
    await kept.locator('tr', { hasText: 'log.file.offset' }).locator('.attr-filter-in').click();
    await page.waitForFunction(() => document.querySelectorAll('.log-main .log-row').length === 1);
    expect(await page.inputValue('input[name=q]')).toBe(`service:${svc} -order.id:ORD-${run}-1 log.file.offset:160`);
    // resource rows filter by the fields the language names (service, host)
    await page.locator('.log-main .log-row .log-expand').click();
    expect(await page.locator('.log-main .log-row tr', { hasText: 'service.name' }).locator('.attr-filter-in').count()).toBe(1);
  });

  test('live tail follows the query in the box even when Search was not pressed', async () => {
    const tailWord = `boxtail${run}`;
    await open('#/logs');
    await page.waitForSelector('.log-main .log-row, .log-main .empty');
    await page.fill('input[name=q]', `service:${payments} ${tailWord}`);
    await page.check('input[name=tail]');
    await page.waitForFunction(() => decodeURIComponent(location.hash).includes('tail=1') && document.querySelector('.tail-status')?.getAttribute('data-state') === 'live');
    expect(decodeURIComponent(page.url())).toContain(`q=service:${payments} ${tailWord}`.replace(/ /g, '+'));
    await page.waitForSelector('.log-main .empty');
    await new Promise((r) => setTimeout(r, 700)); // the server's first poll marks what exists
    await post(
      logsBody([
        { service: checkout, host: 'web-1', timeMs: Date.now(), severityText: 'INFO', severityNumber: 9, body: `other service ${tailWord}` },
        { service: payments, host: 'web-2', timeMs: Date.now(), severityText: 'INFO', severityNumber: 9, body: `wanted line ${tailWord}` },
      ]),
    );
    await page.waitForSelector('.log-main .log-row.tail-new', { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.locator('.log-main .log-row.tail-new .log-body').allTextContents()).toEqual([`wanted line ${tailWord}`]);
    await page.uncheck('input[name=tail]');
  });

  test('a hostile log body renders as text', async () => {
    await open(`#/logs?q=xss${run}`);
    await page.waitForSelector('.log-main .log-row');
    expect(await page.textContent('.log-main .log-row .log-body')).toBe(`${XSS_NAME} xss${run}`);
    await page.locator('.log-main .log-row .log-expand').click();
    expect(await page.locator('#app img, #app script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  });
});
