import crypto from 'node:crypto';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonLogs, otlpJsonTraces, randomSpanId, randomTraceId, type JsonSpanSpec } from '../../helpers/otlp-json';
import { waitFor } from '../../helpers/wait';

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

describe('business call chains over the all-in-one', () => {
  let app: TestAllInOne;
  const run = crypto.randomBytes(4).toString('hex');
  const order = `ORD-${run}-1`;
  const fastOrder = `ORD-${run}-2`;
  const mailedOrder = `ORD-${run}-3`;
  const t0 = Date.now() - 120_000;
  const [A, B, C, F, M] = [randomTraceId(), randomTraceId(), randomTraceId(), randomTraceId(), randomTraceId()];
  const ids = { aRoot: randomSpanId(), aPub: randomSpanId(), bRoot: randomSpanId(), bStock: randomSpanId(), bSched: randomSpanId(), cRoot: randomSpanId(), cPsp: randomSpanId() };
  const messageId = `msg-${run}`;
  const chainUrl = (value: string, extra = '') => `${app.apiUrl}/api/chains?key=order.id&value=${encodeURIComponent(value)}${extra}`;

  beforeAll(async () => {
    app = await startTestAllInOne({ businessKeyPatterns: [{ key: 'order.id', pattern: 'order (ORD-[\\w-]+)' }] });
    // A: HTTP intake publishes order.created; B: fulfilment consumes it (same messaging id), slow in inventory,
    // schedules billing; C: the delayed billing job links to B's schedule span and fails at the PSP.
    const spans: JsonSpanSpec[] = [
      { traceId: A, spanId: ids.aRoot, name: 'POST /orders', service: 'order-api', startMs: t0, durationMs: 100, kind: 2, attributes: { 'order.id': order } },
      { traceId: A, spanId: ids.aPub, parentSpanId: ids.aRoot, name: 'orders publish', service: 'order-api', startMs: t0 + 50, durationMs: 10, kind: 4, attributes: { 'messaging.message.id': messageId } },
      { traceId: B, spanId: ids.bRoot, name: 'orders process', service: 'fulfilment', startMs: t0 + 300, durationMs: 400, kind: 5, attributes: { 'messaging.message.id': messageId } },
      { traceId: B, spanId: ids.bStock, parentSpanId: ids.bRoot, name: 'reserve stock', service: 'inventory', startMs: t0 + 320, durationMs: 330, kind: 3 },
      { traceId: B, spanId: ids.bSched, parentSpanId: ids.bRoot, name: 'schedule billing', service: 'fulfilment', startMs: t0 + 660, durationMs: 30 },
      { traceId: C, spanId: ids.cRoot, name: 'charge', service: 'billing', startMs: t0 + 1000, durationMs: 200, links: [{ traceId: B, spanId: ids.bSched }] },
      { traceId: C, spanId: ids.cPsp, parentSpanId: ids.cRoot, name: 'call psp', service: 'psp-gateway', startMs: t0 + 1010, durationMs: 170, kind: 3, error: 'card declined' },
      // a fast order: one short trace
      { traceId: F, spanId: randomSpanId(), name: 'POST /orders', service: 'order-api', startMs: t0 + 5, durationMs: 20, kind: 2, attributes: { 'order.id': fastOrder } },
      // a trace that mentions its order only in a log body
      { traceId: M, spanId: randomSpanId(), name: 'send mail', service: 'mailer', startMs: t0 + 7, durationMs: 5 },
    ];
    await post(`${app.otlpUrl}/v1/traces`, otlpJsonTraces(spans));
    await post(
      `${app.otlpUrl}/v1/logs`,
      otlpJsonLogs([
        { service: 'billing', timeMs: t0 + 1100, body: `charging card for order ${order}`, traceId: C, spanId: ids.cRoot },
        { service: 'fulfilment', timeMs: t0 + 400, body: 'stock reserved', traceId: B, spanId: ids.bStock },
        { service: 'mailer', timeMs: t0 + 10, body: `confirmation mailed for order ${mailedOrder}`, traceId: M },
      ]),
    );
    await waitFor(async () => {
      const { status, body } = await getJson(chainUrl(order));
      return (status === 200 && body.traceCount === 3 && body.logs.length === 2) || undefined;
    }, 'the chain of three traces with its logs');
  });
  afterAll(() => app?.dispose());

  it('returns the whole chain: traces, joins, waits, stages, critical path, errors, bottleneck, logs', async () => {
    const { status, body } = await getJson(chainUrl(order));
    expect(status).toBe(200);
    expect(body).toMatchObject({ key: 'order.id', value: order, traceCount: 3, truncated: false });
    const t0Us = t0 * 1000;
    expect(body.startUs).toBe(t0Us);
    expect(body.endUs).toBe(t0Us + 1_200_000);
    expect(body.durationUs).toBe(1_200_000);
    expect(body.traces.map((t: { traceId: string; stage: string }) => [t.traceId, t.stage])).toEqual([
      [A, 'order-api: POST /orders'],
      [B, 'fulfilment: orders process'],
      [C, 'billing: charge'],
    ]);
    expect(body.spans).toHaveLength(7);
    expect(new Set(body.spans.map((s: { traceId: string }) => s.traceId))).toEqual(new Set([A, B, C]));
    expect(body.joins).toEqual(
      expect.arrayContaining([
        { kind: 'message', fromTraceId: A, fromSpanId: ids.aPub, toTraceId: B, toSpanId: ids.bRoot, waitUs: 240_000 },
        { kind: 'link', fromTraceId: B, fromSpanId: ids.bSched, toTraceId: C, toSpanId: ids.cRoot, waitUs: 310_000 },
      ]),
    );
    expect(body.joins).toHaveLength(2);
    expect(body.waits).toEqual([
      { kind: 'queue', fromTraceId: A, fromSpanId: ids.aPub, toTraceId: B, toSpanId: ids.bRoot, startUs: t0Us + 60_000, endUs: t0Us + 300_000, onCriticalPath: true },
      { kind: 'queue', fromTraceId: B, fromSpanId: ids.bSched, toTraceId: C, toSpanId: ids.cRoot, startUs: t0Us + 690_000, endUs: t0Us + 1_000_000, onCriticalPath: true },
    ]);
    expect([body.workingUs, body.waitingUs, body.queueWaitUs, body.durationUs]).toEqual([650_000, 550_000, 550_000, 1_200_000]);
    expect(body.stages.map((s: { name: string }) => s.name)).toEqual(['order-api: POST /orders', 'fulfilment: orders process', 'billing: charge']);
    const path = body.criticalPath.map((s: { wait?: boolean; spanId?: string }) => (s.wait ? 'wait' : s.spanId));
    expect(path).toEqual([ids.aRoot, ids.aPub, 'wait', ids.bRoot, ids.bStock, ids.bRoot, ids.bSched, 'wait', ids.cRoot, ids.cPsp, ids.cRoot]);
    expect(body.criticalPath[0].startUs).toBe(t0Us);
    expect(body.criticalPath.at(-1).endUs).toBe(t0Us + 1_200_000);
    expect(body.errors).toEqual([{ traceId: C, spanId: ids.cPsp, service: 'psp-gateway', name: 'call psp', message: 'card declined' }]);
    expect(body.bottleneck).toEqual({ kind: 'span', service: 'inventory', operation: 'reserve stock', selfUs: 330_000 });
    expect(body.logs.map((l: { body: string }) => l.body)).toEqual(['stock reserved', `charging card for order ${order}`]);
  });

  it('finds a chain from the same order in a log body only (BUSINESS_KEY_PATTERNS)', async () => {
    const { status, body } = await getJson(chainUrl(mailedOrder));
    expect(status).toBe(200);
    expect(body.traces.map((t: { traceId: string }) => t.traceId)).toEqual([M]);
    expect(body.logs[0].body).toBe(`confirmation mailed for order ${mailedOrder}`);
  });

  it('lists the slowest chains first, with their bottleneck', async () => {
    const window = `&start=${t0 - 1_000}&end=${t0 + 60_000}`;
    const { status, body } = await getJson(`${app.apiUrl}/api/chains/slow?key=order.id${window}&limit=5`);
    expect(status).toBe(200);
    expect(body.chains[0]).toEqual({
      value: order,
      startUs: t0 * 1000,
      endUs: t0 * 1000 + 1_200_000,
      durationUs: 1_200_000,
      workingUs: 650_000,
      waitingUs: 550_000,
      queueWaitUs: 550_000,
      intendedWaitUs: 0,
      gapUs: 0,
      traceCount: 3,
      errorCount: 1,
      bottleneck: { kind: 'span', service: 'inventory', operation: 'reserve stock', selfUs: 330_000 },
    });
    expect(body.chains.map((c: { value: string }) => c.value)).toEqual([order, fastOrder, mailedOrder]);
    const one = await getJson(`${app.apiUrl}/api/chains/slow?key=order.id${window}&limit=1`);
    expect(one.body.chains.map((c: { value: string }) => c.value)).toEqual([order]);
  });

  it('answers 400 naming the parameter, and 404 for an unknown value', async () => {
    const badKey = await getJson(`${app.apiUrl}/api/chains?key=colour&value=x`);
    expect(badKey.status).toBe(400);
    expect(badKey.body.parameter).toBe('key');
    expect(badKey.body.error).toMatch(/order\.id/);
    expect((await getJson(`${app.apiUrl}/api/chains?key=order.id`)).body.parameter).toBe('value');
    expect((await getJson(`${app.apiUrl}/api/chains?value=x`)).status).toBe(400);
    expect((await getJson(`${app.apiUrl}/api/chains/slow?key=colour`)).body.parameter).toBe('key');
    expect((await getJson(`${app.apiUrl}/api/chains/slow?key=order.id&limit=zero`)).body.parameter).toBe('limit');
    expect((await getJson(chainUrl(order, '&start=2026-13-99'))).status).toBe(400);
    const missing = await getJson(chainUrl(`ORD-${run}-missing`));
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/ORD-/);
  });

  it('a window that ends before the order began finds nothing', async () => {
    expect((await getJson(chainUrl(order, `&end=${t0 - 60_000}`))).status).toBe(404);
  });
});
