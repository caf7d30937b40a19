import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonLogs, otlpJsonTraces, randomSpanId, randomTraceId, type JsonSpanSpec } from '../../helpers/otlp-json';
import { waitFor } from '../../helpers/wait';

describe('query API over the all-in-one', () => {
  let app: TestAllInOne;
  const now = Date.now();
  const fast = randomTraceId();
  const slow = randomTraceId();
  const service = `api-test-${Date.now()}`;

  beforeAll(async () => {
    app = await startTestAllInOne();
    const rootFast = randomSpanId();
    const rootSlow = randomSpanId();
    const spans: JsonSpanSpec[] = [
      { traceId: fast, spanId: rootFast, name: 'GET /catalog', service, startMs: now - 60_000, durationMs: 20, kind: 2, attributes: { 'order.id': 'ORD-A' } },
      { traceId: fast, spanId: randomSpanId(), parentSpanId: rootFast, name: 'cache get', service: `${service}-cache`, startMs: now - 59_995, durationMs: 2 },
      { traceId: slow, spanId: rootSlow, name: 'POST /orders', service, startMs: now - 1_000, durationMs: 900, kind: 2, attributes: { 'order.id': 'ORD-B' } },
      { traceId: slow, spanId: randomSpanId(), parentSpanId: rootSlow, name: 'charge', service: `${service}-pay`, startMs: now - 990, durationMs: 800, error: true },
    ];
    await fetch(`${app.otlpUrl}/v1/traces`, { method: 'POST', body: otlpJsonTraces(spans), headers: { 'Content-Type': 'application/json' } });
    await fetch(`${app.otlpUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: otlpJsonLogs([
        { service, timeMs: now - 950, body: 'payment card declined for order ORD-B', severityText: 'ERROR', severityNumber: 17, traceId: slow, spanId: rootSlow },
        { service, timeMs: now - 59_990, body: 'catalog served from cache', traceId: fast, spanId: rootFast },
        { service, timeMs: now - 500, body: 'card was not declined, declined later', severityText: 'WARN', severityNumber: 13 },
      ]),
    });
    await waitFor(async () => (await getJson(`${app.apiUrl}/api/logs?service=${service}`)).body.total === 3 || undefined, 'logs');
    await waitFor(async () => (await getJson(`${app.apiUrl}/api/traces?service=${service}`)).body.traces.length === 2 || undefined, 'traces');
  });
  afterAll(() => app.dispose());

  it('health, services and operations', async () => {
    expect((await getJson(`${app.apiUrl}/api/health`)).body.status).toBe('ok');
    expect((await getJson(`${app.apiUrl}/api/services`)).body.services).toEqual(expect.arrayContaining([service, `${service}-pay`]));
    expect((await getJson(`${app.apiUrl}/api/services/${service}/operations`)).body.operations).toEqual(['GET /catalog', 'POST /orders']);
    expect((await getJson(`${app.apiUrl}/api/services/no-such-service/operations`)).body.operations).toEqual([]);
  });

  it('finds traces newest first with summaries, and filters by duration, attribute, operation and time', async () => {
    const all = (await getJson(`${app.apiUrl}/api/traces?service=${service}`)).body.traces;
    expect(all.map((t: any) => t.traceId)).toEqual([slow, fast]);
    expect(all[0]).toMatchObject({ rootService: service, rootName: 'POST /orders', spanCount: 2, errorCount: 1 });
    expect(all[0].services.sort()).toEqual([service, `${service}-pay`].sort());
    expect(all[0].durationUs).toBe(900_000);
    const ids = async (qs: string) => (await getJson(`${app.apiUrl}/api/traces?service=${service}&${qs}`)).body.traces.map((t: any) => t.traceId);
    expect(await ids('minDurationMs=500')).toEqual([slow]);
    expect(await ids('maxDurationMs=100')).toEqual([fast]);
    expect(await ids('attr=order.id:ORD-A')).toEqual([fast]);
    expect(await ids('operation=POST%20/orders')).toEqual([slow]);
    expect(await ids(`start=${now - 10_000}`)).toEqual([slow]);
    expect(await ids(`end=${new Date(now - 30_000).toISOString()}`)).toEqual([fast]);
    expect(await ids('limit=1')).toEqual([slow]);
  });

  it('answers 400 naming the parameter, 404 for unknown traces and routes', async () => {
    for (const [qs, parameter] of [
      ['limit=abc', 'limit'],
      ['minDurationMs=-5', 'minDurationMs'],
      ['start=not-a-date', 'start'],
      ['attr=novalue', 'attr'],
      ['minDurationMs=10&maxDurationMs=1', 'minDurationMs'],
    ]) {
      const r = await getJson(`${app.apiUrl}/api/traces?${qs}`);
      expect(r.status).toBe(400);
      expect(r.body.parameter).toBe(parameter);
      expect(r.body.error).toContain(parameter);
    }
    const malformed = await getJson(`${app.apiUrl}/api/traces/not-hex`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/32 hex/);
    const unknown = await getJson(`${app.apiUrl}/api/traces/${randomTraceId()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/not found/);
    expect((await getJson(`${app.apiUrl}/api/nope`)).status).toBe(404);
    expect((await getJson(`${app.apiUrl}/api/logs?traceId=xyz`)).body.parameter).toBe('traceId');
  });

  it('caps limits instead of failing', async () => {
    const r = await getJson(`${app.apiUrl}/api/traces?service=${service}&limit=999999`);
    expect(r.status).toBe(200);
    expect(r.body.traces).toHaveLength(2);
  });

  it('searches logs by words, phrases, severity, service and trace, newest first', async () => {
    const bodies = async (qs: string) => (await getJson(`${app.apiUrl}/api/logs?service=${service}&${qs}`)).body.logs.map((l: any) => l.body);
    expect(await bodies('q=declined')).toEqual(['card was not declined, declined later', 'payment card declined for order ORD-B']);
    expect(await bodies('q=%22card%20declined%22')).toEqual(['payment card declined for order ORD-B']);
    expect(await bodies('q=cache%20served')).toEqual(['catalog served from cache']);
    expect(await bodies('severity=error')).toEqual(['payment card declined for order ORD-B']);
    expect(await bodies(`traceId=${fast.toUpperCase()}`)).toEqual(['catalog served from cache']);
    // q is the query language now: broken syntax is a 400 with where and what was expected
    const bad = await getJson(`${app.apiUrl}/api/logs?service=${service}&q=%22unclosed`);
    expect([bad.status, bad.body]).toEqual([400, expect.objectContaining({ parameter: 'q', position: 9, expected: ['"'] })]);
    expect(await bodies('q=%22NEAR(card%20declined)%20OR%20*%22')).toEqual([]);
    const r = await getJson(`${app.apiUrl}/api/logs?service=${service}&limit=1`);
    expect(r.body.total).toBe(3);
    expect(r.body.logs).toHaveLength(1);
    expect(r.body.logs[0]).toMatchObject({ service, severity: 'WARN', traceId: '', timeUs: (now - 500) * 1000 });
  });
});
