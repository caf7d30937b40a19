import type { LogStore } from '../../../core/contracts/log-store';
import type { SpanStore } from '../../../core/contracts/span-store';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { BASE_US, logBatch, makeLog, makeTrace, spanBatch, uniq } from '../../contract/fixtures';

/**
 * The API reads the stores' capabilities: a request that needs what the
 * backend lacks is a 400 naming the parameter, the rest still answers. The
 * stores are the real embedded ones, seen through a view whose capabilities
 * say a feature is missing (as a backend without it would say).
 */
function without<T extends SpanStore | LogStore>(store: T, capabilities: Partial<T['capabilities']>): T {
  return Object.create(store, { capabilities: { value: { ...store.capabilities, ...capabilities } } }) as T;
}

describe('capabilities the query API honours', () => {
  let app: EmbeddedQueryApp;
  let full: string;
  let limited: string;
  const service = uniq('caps');
  const order = uniq('ORD');
  const trace = makeTrace({ service, startUs: BASE_US, overrides: (i) => (i === 0 ? { attributes: { 'order.id': order } } : {}) });
  const log = makeLog({ service, timeUs: BASE_US, body: 'payment declined by bank', attributes: { 'order.id': order } });

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('caps');
    await app.stores.spans.writeSpans(spanBatch(trace));
    await app.stores.logs.writeLogs(logBatch([log]));
    full = await app.listen();
    limited = await app.listen({
      spanStore: without(app.stores.spans, { attributeSearch: false }),
      logStore: without(app.stores.logs, { fullText: false }),
    });
  });
  afterAll(() => app?.dispose());

  async function get(base: string, path: string): Promise<{ status: number; body: Record<string, any> }> {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  const window = `start=${Math.floor(BASE_US / 1000) - 60_000}&end=${Math.floor(BASE_US / 1000) + 60_000}`;
  const q = (text: string) => `q=${encodeURIComponent(text)}&${window}`;

  it('a span store without attribute search: attr and tags are a 400 naming each, other searches answer', async () => {
    const attr = await get(limited, `/api/traces?attr=${encodeURIComponent(`order.id:${order}`)}`);
    expect(attr.status).toBe(400);
    expect(attr.body).toMatchObject({ parameter: 'attr', error: expect.stringMatching(/span store \(embedded\) cannot search traces by attribute/) });
    const tags = await get(limited, `/api/traces?tags=${encodeURIComponent(JSON.stringify({ 'order.id': order }))}`);
    expect([tags.status, tags.body.parameter]).toEqual([400, 'tags']);
    const byService = await get(limited, `/api/traces?service=${service}`);
    expect([byService.status, byService.body.traces.map((t: { traceId: string }) => t.traceId)]).toEqual([200, [trace[0].traceId]]);
    // the same request on the full store finds the trace
    const found = await get(full, `/api/traces?attr=${encodeURIComponent(`order.id:${order}`)}`);
    expect(found.body.traces.map((t: { traceId: string }) => t.traceId)).toEqual([trace[0].traceId]);
  });

  it('a log store without full text: free text in q is a 400 on every log read, fields still answer', async () => {
    for (const text of ['declined', '"declined by"', 'bank*', `service:${service} AND NOT declined`]) {
      for (const path of ['/api/logs', '/api/logs/histogram', '/api/logs/facets', '/api/logs/tail']) {
        const { status, body } = await get(limited, `${path}?${q(text)}`);
        expect({ path, text, status, parameter: body.parameter }).toEqual({ path, text, status: 400, parameter: 'q' });
        expect(body.error).toMatch(/log store \(embedded\) has no full-text search/);
      }
    }
    const byField = await get(limited, `/api/logs?${q(`service:${service} AND order.id:${order}`)}`);
    expect([byField.status, byField.body.logs.map((l: { id: string }) => l.id)]).toEqual([200, [log.id]]);
    const byText = await get(full, `/api/logs?${q('declined')}&service=${service}`);
    expect(byText.body.logs.map((l: { id: string }) => l.id)).toEqual([log.id]);
  });
});
