import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { MAX_ATTRIBUTE_FILTERS } from '../../../query-api/routes/traces';
import { BASE_US, makeTrace, spanBatch, uniq } from '../../contract/fixtures';

/** GET /api/traces with Jaeger's `tags` JSON and our `attr=key:value`, through the real app and embedded store. */
describe('GET /api/traces tags', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  const order = uniq('ORD');
  const service = uniq('tags');
  const hit = makeTrace({ service, startUs: BASE_US, overrides: (i) => (i === 1 ? { attributes: { 'order.id': order, 'http.status_code': 503, cached: false } } : {}) });
  const other = makeTrace({ service, startUs: BASE_US + 1, overrides: (i) => (i === 1 ? { attributes: { 'order.id': `${order}-2`, 'http.status_code': 503 } } : {}) });

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('tags', { indexedAttributes: ['order.id'] });
    await app.stores.spans.writeSpans(spanBatch([...hit, ...other]));
    base = await app.listen();
  });
  afterAll(() => app?.dispose());

  async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/api/traces?${query}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const tags = (value: unknown) => `tags=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`;
  async function ids(query: string): Promise<string[]> {
    const { status, body } = await get(query);
    expect({ query, status }).toEqual({ query, status: 200 });
    return (body.traces as { traceId: string }[]).map((t) => t.traceId);
  }

  it('takes a JSON object of key to value, the same filter as attr', async () => {
    const h = hit[0].traceId;
    expect(await ids(tags({ 'order.id': order }))).toEqual([h]);
    expect(await ids(`attr=${encodeURIComponent(`order.id:${order}`)}`)).toEqual([h]);
    expect(await ids(`service=${service}&${tags({ 'order.id': order, 'http.status_code': '503' })}`)).toEqual([h]);
    // numbers and booleans match their text
    expect(await ids(tags({ 'http.status_code': 503 }))).toEqual([other[0].traceId, h]);
    expect(await ids(tags({ cached: false }))).toEqual([h]);
    // tags and attr together, and tags repeated: all must match
    expect(await ids(`${tags({ 'http.status_code': '503' })}&attr=${encodeURIComponent(`order.id:${order}`)}`)).toEqual([h]);
    expect(await ids(`${tags({ 'http.status_code': '503' })}&${tags({ 'order.id': `${order}-2` })}`)).toEqual([other[0].traceId]);
    expect(await ids(tags({}))).toEqual([other[0].traceId, h]);
    expect(await ids(tags({ 'order.id': uniq('none') }))).toEqual([]);
  });

  it('answers a malformed tags parameter with a 400 naming it', async () => {
    const many = Object.fromEntries(Array.from({ length: MAX_ATTRIBUTE_FILTERS + 1 }, (_, i) => [`k${i}`, 'v']));
    const half = Object.fromEntries(Array.from({ length: MAX_ATTRIBUTE_FILTERS }, (_, i) => [`k${i}`, 'v']));
    for (const bad of ['{"a":', '["a","b"]', 'null', '"order.id"', '42', { a: null }, { a: { b: 1 } }, { a: [1] }, { '': 'v' }, many]) {
      const { status, body } = await get(tags(bad));
      expect({ bad, status, parameter: body.parameter }).toEqual({ bad, status: 400, parameter: 'tags' });
    }
    const { status, body } = await get(`${tags(half)}&attr=x:y`);
    expect({ status, parameter: body.parameter }).toEqual({ status: 400, parameter: 'tags' });
    expect((await get(`tags=${'x'.repeat(5_000)}`)).status).toBe(400);
  });
});
