import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { startTestAllInOne, type TestAllInOne } from '../helpers/all-in-one';
import { waitFor } from '../helpers/wait';
import { hexId, logsBody, tracesBody, XSS_NAME, type FixtureLog, type FixtureSpan } from './otlp-fixtures';


const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const INTERNAL = 1;

interface TraceFixture {
  traceId: string;
  spans: FixtureSpan[];
  logs: FixtureLog[];
}

/**
 * One order over three traces: HTTP intake (publishes order.created), a queue
 * consumer that fulfils it (joined by a span link and the shared
 * messaging.message.id; publishes billing.due) and a delayed billing job
 * (joined the same way). Databases, queues and an external peer give the
 * topology its non-service nodes.
 */
function orderFixture(orderId: string, t0: number, opts: { slowBilling: number } = { slowBilling: 600 }) {
  const intakeId = hexId(16);
  const fulfilId = hexId(16);
  const billingId = hexId(16);
  const msg1 = `msg-${hexId(6)}`;
  const msg2 = `msg-${hexId(6)}`;
  const order = { 'order.id': orderId };

  const root: FixtureSpan = { spanId: hexId(8), parentSpanId: '', service: 'frontend', name: 'POST /orders', kind: SERVER, startMs: t0, durationMs: 320, attributes: { ...order, 'http.request.method': 'POST', 'http.route': '/orders' } };
  const callOrders: FixtureSpan = { spanId: hexId(8), parentSpanId: root.spanId, service: 'frontend', name: 'POST orders/create', kind: CLIENT, startMs: t0 + 10, durationMs: 290, attributes: { ...order, 'peer.service': 'orders' } };
  const create: FixtureSpan = { spanId: hexId(8), parentSpanId: callOrders.spanId, service: 'orders', name: 'POST /create', kind: SERVER, startMs: t0 + 15, durationMs: 280, attributes: { ...order } };
  const insert: FixtureSpan = { spanId: hexId(8), parentSpanId: create.spanId, service: 'orders', name: 'INSERT orders', kind: CLIENT, startMs: t0 + 20, durationMs: 40, attributes: { 'db.system': 'postgresql', 'db.name': 'orders', 'db.statement': 'INSERT INTO orders …' } };
  const xss: FixtureSpan = { spanId: hexId(8), parentSpanId: create.spanId, service: 'orders', name: XSS_NAME, kind: INTERNAL, startMs: t0 + 70, durationMs: 60, attributes: { '<b>key</b>': '<script>window.__xss=2</script>' } };
  const charge: FixtureSpan = { spanId: hexId(8), parentSpanId: create.spanId, service: 'orders', name: 'POST payments/charge', kind: CLIENT, startMs: t0 + 135, durationMs: 120, attributes: { ...order, 'peer.service': 'payments' } };
  const chargeServer: FixtureSpan = { spanId: hexId(8), parentSpanId: charge.spanId, service: 'payments', name: 'POST /charge', kind: SERVER, startMs: t0 + 140, durationMs: 110, attributes: { ...order } };
  const publish1: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: create.spanId,
    service: 'orders',
    name: 'orders.created publish',
    kind: PRODUCER,
    startMs: t0 + 260,
    durationMs: 15,
    attributes: { ...order, 'messaging.system': 'kafka', 'messaging.destination.name': 'orders.created', 'messaging.message.id': msg1, 'messaging.operation': 'publish' },
  };
  const intake: TraceFixture = {
    traceId: intakeId,
    spans: [root, callOrders, create, insert, xss, charge, chargeServer, publish1],
    logs: [
      { timeMs: t0 + 16, service: 'orders', severityNumber: 9, severityText: 'INFO', body: `order ${orderId} accepted`, spanId: create.spanId },
      { timeMs: t0 + 75, service: 'orders', severityNumber: 13, severityText: 'WARN', body: XSS_NAME, spanId: xss.spanId },
    ],
  };

  const f0 = t0 + 1600; // ~1.3 s in the queue
  const consume1: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: '',
    service: 'fulfilment',
    name: 'orders.created process',
    kind: CONSUMER,
    startMs: f0,
    durationMs: 900,
    attributes: { ...order, 'messaging.system': 'kafka', 'messaging.destination.name': 'orders.created', 'messaging.message.id': msg1, 'messaging.operation': 'process' },
    links: [{ traceId: intakeId, spanId: publish1.spanId }],
  };
  const reserve: FixtureSpan = { spanId: hexId(8), parentSpanId: consume1.spanId, service: 'fulfilment', name: 'UPDATE inventory', kind: CLIENT, startMs: f0 + 20, durationMs: 180, attributes: { 'db.system': 'postgresql', 'db.name': 'inventory' } };
  const carrier: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: consume1.spanId,
    service: 'fulfilment',
    name: 'POST carrier/shipments',
    kind: CLIENT,
    startMs: f0 + 220,
    durationMs: 420,
    error: 'carrier timeout',
    attributes: { 'peer.service': 'carrier-api', 'http.response.status_code': 504 },
  };
  const publish2: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: consume1.spanId,
    service: 'fulfilment',
    name: 'billing.due publish',
    kind: PRODUCER,
    startMs: f0 + 860,
    durationMs: 10,
    attributes: { ...order, 'messaging.system': 'kafka', 'messaging.destination.name': 'billing.due', 'messaging.message.id': msg2, 'messaging.operation': 'publish' },
  };
  const fulfil: TraceFixture = {
    traceId: fulfilId,
    spans: [consume1, reserve, carrier, publish2],
    logs: [{ timeMs: f0 + 640, service: 'fulfilment', severityNumber: 17, severityText: 'ERROR', body: `carrier timed out for ${orderId}`, spanId: carrier.spanId }],
  };

  const b0 = f0 + 2500; // the delayed billing job
  const consume2: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: '',
    service: 'billing',
    name: 'billing.due process',
    kind: CONSUMER,
    startMs: b0,
    durationMs: opts.slowBilling,
    attributes: { ...order, 'messaging.system': 'kafka', 'messaging.destination.name': 'billing.due', 'messaging.message.id': msg2, 'messaging.operation': 'process' },
    links: [{ traceId: fulfilId, spanId: publish2.spanId }],
  };
  const invoice: FixtureSpan = { spanId: hexId(8), parentSpanId: consume2.spanId, service: 'billing', name: 'render invoice', kind: INTERNAL, startMs: b0 + 10, durationMs: opts.slowBilling - 40, attributes: { ...order } };
  const billing: TraceFixture = {
    traceId: billingId,
    spans: [consume2, invoice],
    logs: [{ timeMs: b0 + opts.slowBilling - 20, service: 'billing', severityNumber: 9, severityText: 'INFO', body: `invoice sent for ${orderId}`, spanId: invoice.spanId }],
  };
  return { traces: [intake, fulfil, billing], intake, fulfil, billing, carrier, xss, publish1, consume1 };
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

describeInBrowser('chain, topology and slow-orders views in Chromium', () => {
  let server: TestAllInOne;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const orderId = `ORD-E2E-${hexId(3).toUpperCase()}`;
  const t0 = Date.now() - 90_000;
  const order = orderFixture(orderId, t0, { slowBilling: 2500 });
  // Faster orders so the slow list and its sparkline have something to compare.
  const others = [150, 900, 400, 1600, 250, 700].map((billingMs, i) => orderFixture(`${orderId}-${i + 1}`, t0 + 8_000 * (i + 1), { slowBilling: billingMs }));

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestAllInOne();
    for (const o of [order, ...others]) {
      for (const t of o.traces) {
        await postJson(`${server.otlpUrl}/v1/traces`, tracesBody(t.traceId, t.spans));
        await postJson(`${server.otlpUrl}/v1/logs`, logsBody(t.traceId, t.logs));
      }
    }
    await waitFor(
      async () => {
        const r = await getJson(`${server.apiUrl}/api/chains?key=order.id&value=${encodeURIComponent(orderId)}`);
        return r.status === 200 && r.body.traces?.length === 3 && r.body.logs?.length >= 4 ? true : undefined;
      },
      'the chain of the order with its 3 traces and logs',
      30_000,
    );
    await waitFor(
      async () => {
        const r = await getJson(`${server.apiUrl}/api/topology`);
        const kinds = new Set((r.body?.nodes ?? []).map((n: { kind: string }) => n.kind));
        return r.status === 200 && kinds.has('database') && kinds.has('queue') ? true : undefined;
      },
      'topology with a database and a queue',
      30_000,
    );

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  const open = (hash: string) => page.goto(`${server.apiUrl}/${hash}`);
  const shot = async (name: string, docsName?: string) => {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file });
    if (docsName && process.env.UPDATE_SCREENSHOTS === '1') fs.copyFileSync(file, path.join(REPO, 'docs', docsName));
  };

  test('home search with an order id opens the chain timeline: lanes, joins, waits, critical path, stages, logs, details', async () => {
    await open('#/');
    await page.waitForSelector('input[name=q]');
    expect(await page.locator('.nav a').allTextContents()).toEqual(['Home', 'Traces', 'Logs', 'Topology', 'Slow orders', 'Incidents', 'Metrics', 'Screens']);
    await page.fill('input[name=q]', orderId);
    expect(await page.textContent('.home-hint')).toContain(`order.id = ${orderId}`);
    await shot('home');
    await page.click('.home-search button[type=submit]');
    await page.waitForFunction((v) => decodeURIComponent(location.hash) === `#/chain/order.id/${v}`, orderId);
    await page.waitForSelector('.chain-timeline rect.chain-span');

    expect(await page.getAttribute('.chain-timeline', 'data-lanes')).toBe('3');
    expect(await page.locator('.ct-lane-label').count()).toBe(3);
    const spanCount = order.traces.reduce((n, t) => n + t.spans.length, 0);
    expect(await page.locator('rect.chain-span').count()).toBe(spanCount);
    expect(await page.locator('path.join-arrow').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator(`path.join-arrow[data-from-trace-id="${order.intake.traceId}"][data-to-trace-id="${order.fulfil.traceId}"]`).count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator(`path.join-arrow[data-from-trace-id="${order.fulfil.traceId}"][data-to-trace-id="${order.billing.traceId}"]`).count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('rect.wait-shade').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('rect.cp-seg').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('rect.chain-span.on-cp').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.stage-band').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('rect.chain-span.error').count()).toBe(1);
    expect(await page.locator('circle.error-mark').count()).toBe(1);
    const header = (await page.textContent('.chain-header')) ?? '';
    expect(header).toContain(orderId);
    expect(header).toContain('End to end');
    expect(header).toContain('Bottleneck');

    // Logs in time order, hostile text as text.
    const logBodies = await page.locator('.chain-log-row .log-body').allTextContents();
    expect(logBodies).toEqual([`order ${orderId} accepted`, XSS_NAME, `carrier timed out for ${orderId}`, `invoice sent for ${orderId}`]);
    expect(await page.locator('.chain-log-row .sev').first().textContent()).toBe('INFO');

    // Clicking a span opens its details with a link into the full trace.
    await page.click(`rect.chain-span[data-span-id="${order.carrier.spanId}"]`);
    await page.waitForSelector('.chain-detail .detail-title');
    expect(await page.textContent('.chain-detail .detail-title')).toBe('POST carrier/shipments');
    const detail = (await page.textContent('.chain-detail')) ?? '';
    expect(detail).toContain('carrier timeout');
    expect(detail).toContain('carrier-api');
    expect(detail).toContain(`carrier timed out for ${orderId}`);
    expect(await page.getAttribute('.chain-detail a.open-trace', 'href')).toBe(`#/trace/${order.fulfil.traceId}?span=${order.carrier.spanId}`);
    await page.mouse.move(5, 5);
    await shot('chain', 'screenshot-chain.png');

    // Clicking a lane's label zooms the time axis to that trace: its root bar then spans most of the plot.
    const rootBar = page.locator(`rect.chain-span[data-span-id="${order.intake.spans[0].spanId}"]`);
    const widthBefore = Number(await rootBar.getAttribute('width'));
    await page.click(`.ct-lane-label[data-trace-id="${order.intake.traceId}"] text.ct-lane-name`);
    await page.waitForFunction(
      ([id, w]) => Number(document.querySelector(`rect.chain-span[data-span-id="${id}"]`)?.getAttribute('width')) > (w as number) * 5,
      [order.intake.spans[0].spanId, widthBefore] as const,
    );
    await shot('chain-zoomed');
    await page.click('.ct-reset');

    // The hostile span name and attribute: text, no element, no script.
    await page.click(`rect.chain-span[data-span-id="${order.xss.spanId}"]`);
    await page.waitForFunction((n) => document.querySelector('.chain-detail .detail-title')?.textContent === n, XSS_NAME);
    expect(await page.textContent('.chain-detail')).toContain('<script>window.__xss=2</script>');
    expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();

    // The link goes to the trace page with that span selected.
    await page.click('.chain-detail a.open-trace');
    await page.waitForFunction((id) => location.hash.startsWith(`#/trace/${id}`), order.intake.traceId);
    await page.waitForSelector('.wf-row');
  });

  test('a trace id in the home search opens the trace; an unknown order shows the API error', async () => {
    await open('#/');
    await page.fill('input[name=q]', order.billing.traceId.toUpperCase());
    await page.press('input[name=q]', 'Enter');
    await page.waitForFunction((id) => location.hash === `#/trace/${id}`, order.billing.traceId);
    await page.waitForSelector('.wf-row');

    await open('#/chain/order.id/NO-SUCH-ORDER');
    await page.waitForSelector('.error-box');
    expect(await page.textContent('.error-box')).toContain('404');
  });

  test('topology draws services, a database and a queue with directed edges; a node shows RED charts, an edge its calls', async () => {
    await open('#/topology');
    await page.waitForSelector('.topo-node');
    await page.waitForSelector('svg.topo-svg[data-settled=true]', { timeout: 15_000 });
    const ids = await page.locator('.topo-node').evaluateAll((els) => els.map((e) => (e as SVGGElement).dataset.id));
    expect(ids).toEqual(expect.arrayContaining(['frontend', 'orders', 'payments', 'fulfilment', 'billing']));
    expect(await page.locator('.topo-node[data-kind=database]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.topo-node[data-kind=queue]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.topo-node[data-kind=service] path.topo-shape').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.topo-edge[data-source=frontend][data-target=orders]').count()).toBe(1);
    expect(await page.locator('.topo-edge[data-source=orders][data-target=payments]').count()).toBe(1);
    expect(await page.locator('.topo-edge.async').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.topo-edge-line[marker-end]').count()).toBe(await page.locator('.topo-edge').count());

    // Colour toggle switches to p95 without a reload.
    await page.click('button[data-color=p95]');
    await page.waitForFunction(() => location.hash.includes('color=p95'));
    expect(await page.getAttribute('button[data-color=p95]', 'aria-pressed')).toBe('true');

    await page.click('.topo-node[data-id=orders]');
    await page.waitForSelector('.topo-side .red-chart svg path.red-line');
    expect(await page.locator('.topo-side .red-chart').count()).toBe(3);
    expect(await page.textContent('.topo-side .detail-title')).toBe('orders');
    await page.waitForSelector('.topo-side .ops-table tbody tr');
    expect(await page.textContent('.topo-side .ops-table')).toContain('POST /create');
    await shot('topology', 'screenshot-topology.png');

    await page.locator('.topo-edge[data-source=frontend][data-target=orders] path.topo-edge-hit').dispatchEvent('click');
    await page.waitForFunction(() => document.querySelector('.topo-side .detail-title')?.textContent === 'frontend → orders');
    expect(await page.getAttribute('.topo-side a.edge-traces', 'href')).toMatch(/^#\/traces\?service=frontend(&|$)/);
    expect(await page.textContent('.topo-side')).toContain('Calls');

    // Window picker: a new window re-queries and keeps the colour mode.
    await page.click('button[data-range="15m"]');
    await page.waitForFunction(() => location.hash.includes('range=15m'));
    await page.waitForSelector('.topo-node[data-id=frontend]');
    expect(await page.getAttribute('button[data-color=p95]', 'aria-pressed')).toBe('true');
  });

  test('slow orders lists the order with its bottleneck; a row opens its chain', async () => {
    await open('#/slow');
    const row = page.locator(`.slow-row[data-value="${orderId}"]`);
    await row.waitFor();
    expect(await page.locator('.slow-row').count()).toBe(1 + others.length);
    // Slowest first.
    expect(await page.locator('.slow-row').first().getAttribute('data-value')).toBe(orderId);
    expect((await row.locator('td').last().textContent())?.trim()).not.toBe('–');
    expect(await page.locator('.spark-dot').count()).toBe(1 + others.length);
    expect(await page.locator('.slow-row .time-bar').count()).toBe(1 + others.length);
    expect(await page.locator('.slow-legend .legend-item').count()).toBe(4);
    await shot('slow-orders', 'screenshot-slow.png');
    await row.locator('td').nth(1).click();
    await page.waitForFunction((v) => decodeURIComponent(location.hash) === `#/chain/order.id/${v}`, orderId);
    await page.waitForSelector('.chain-timeline rect.chain-span');
    expect(await page.getAttribute('.chain-timeline', 'data-lanes')).toBe('3');
  });
});
