import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { decodeTraceRequestJson } from '../../../core/otlp';
import type { Span } from '../../../core/model';
import type { TraceView } from '../../../core/wire';
import { BASE_US, makeSpan, spanBatch, uniq } from '../../contract/fixtures';

/** GET /api/traces/:traceId/otlp: the stored trace as an OTLP/JSON export request, as an attachment. */
describe('GET /api/traces/:traceId/otlp', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  const front = uniq('front');
  const pay = uniq('payment');
  const root = makeSpan({
    service: front,
    name: 'POST /checkout',
    kind: 'client',
    startUs: BASE_US + 10_000,
    durationUs: 100_000,
    attributes: { 'http.status_code': 500, 'order.id': 'o-1', ratio: 0.25, tags: ['a', 'b'], big: '9007199254740993' },
    resource: { 'service.name': front, 'host.name': 'web-1' },
  });
  // A server span on another host whose clock runs 50 ms behind: the trace view shifts it, the download must not.
  const skewed = makeSpan({
    traceId: root.traceId,
    parentSpanId: root.spanId,
    service: pay,
    name: 'charge',
    startUs: BASE_US + 10_000 - 50_000,
    durationUs: 80_000,
    status: { code: 'error', message: 'card declined' },
    events: [{ timeUs: BASE_US - 20_000, name: 'exception', attributes: { 'exception.type': 'Declined', 'exception.message': 'insufficient funds' } }],
    links: [{ traceId: makeSpan().traceId, spanId: 'abcdefabcdefabcd', attributes: { reason: 'retry' } }],
    resource: { 'service.name': pay, 'host.name': 'pay-7' },
  });

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('trace-otlp');
    await app.stores.spans.writeSpans(spanBatch([root, skewed]));
    base = await app.listen();
  });
  afterAll(() => app?.dispose());

  const byId = (a: Span, b: Span) => a.spanId.localeCompare(b.spanId);

  it('round trip: the answer decodes, with the project decoder, to exactly the stored spans', async () => {
    const res = await fetch(`${base}/api/traces/${root.traceId}/otlp`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="trace-${root.traceId}.otlp.json"`);
    const decoded = decodeTraceRequestJson(await res.text());
    expect(decoded.rejected).toBe(0);
    expect(decoded.truncated).toBe(0);
    const stored = await app.stores.spans.getTrace(root.traceId);
    expect(stored).toHaveLength(2);
    expect([...decoded.spans].sort(byId)).toEqual([...stored].sort(byId));
    expect([...decoded.spans].sort(byId)).toEqual([root, skewed].sort(byId));
  });

  it('carries the stored times, not the clock-skew-corrected ones the trace view shows', async () => {
    const view = (await (await fetch(`${base}/api/traces/${root.traceId}`)).json()) as TraceView;
    const shown = view.spans.find((s) => s.spanId === skewed.spanId)!;
    expect(shown.skewAdjustedUs).not.toBe(0);
    const request = await (await fetch(`${base}/api/traces/${root.traceId.toUpperCase()}/otlp`)).json();
    const spans = request.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans));
    const charge = spans.find((s: any) => s.spanId === skewed.spanId);
    expect(charge.startTimeUnixNano).toBe(`${skewed.startUs}000`);
    expect(charge.status).toEqual({ code: 2, message: 'card declined' });
    expect(request.resourceSpans.map((r: any) => r.resource.attributes.find((kv: any) => kv.key === 'service.name').value.stringValue).sort()).toEqual([front, pay].sort());
  });

  it('compressed when the client asks', async () => {
    const res = await fetch(`${base}/api/traces/${root.traceId}/otlp`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    // fetch decodes transparently; the header says what came over the wire
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(decodeTraceRequestJson(await res.text()).spans).toHaveLength(2);
  });

  it('400 naming traceId for a malformed id, 404 for an unknown trace', async () => {
    const bad = await fetch(`${base}/api/traces/not-a-trace/otlp`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ parameter: 'traceId' });
    const unknown = await fetch(`${base}/api/traces/${'f'.repeat(32)}/otlp`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-disposition')).toBeNull();
  });
});
