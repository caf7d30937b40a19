import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import type { TraceSearchAnswer } from '../../../core/wire';
import type { StatusCode } from '../../../core/model';
import { BASE_US, makeSpan, spanBatch, uniq } from '../../contract/fixtures';

/** GET /api/traces: status filters and their tag spellings, sort and paging, span-level duration, matching spans. */
describe('GET /api/traces search', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  const front = uniq('front');
  const pay = uniq('payment');

  function trace(startUs: number, durationUs: number, fraud: [number, StatusCode]) {
    const root = makeSpan({ service: front, name: 'POST /checkout', startUs, durationUs });
    const check = makeSpan({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      service: pay,
      name: 'fraud check',
      startUs: startUs + 5,
      durationUs: fraud[0],
      status: { code: fraud[1], message: '' },
    });
    return [root, check];
  }
  // slow: the fraud check took 1.2 s of a 1.5 s trace; failed: a fast fraud check that failed in a 3 s trace
  const slow = trace(BASE_US + 1_000, 1_500_000, [1_200_000, 'ok']);
  const failed = trace(BASE_US + 2_000, 3_000_000, [40_000, 'error']);
  const quick = trace(BASE_US + 3_000, 50_000, [20_000, 'unset']);
  const all = [quick[0].traceId, failed[0].traceId, slow[0].traceId];

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('trace-search');
    await app.stores.spans.writeSpans(spanBatch([...slow, ...failed, ...quick]));
    base = await app.listen();
  });
  afterAll(() => app?.dispose());

  async function get(query: string): Promise<{ status: number; body: TraceSearchAnswer & { error?: string; parameter?: string } }> {
    const res = await fetch(`${base}/api/traces?service=${encodeURIComponent(pay)}&${query}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as TraceSearchAnswer & { error?: string; parameter?: string } };
  }
  async function ids(query: string): Promise<string[]> {
    const { status, body } = await get(query);
    expect({ query, status, error: body.error }).toEqual({ query, status: 200, error: undefined });
    return body.traces.map((t) => t.traceId);
  }
  const tags = (value: unknown) => `tags=${encodeURIComponent(JSON.stringify(value))}`;
  const attr = (text: string) => `attr=${encodeURIComponent(text)}`;

  it('error=true, status=error and the status spelled as a tag find the same traces', async () => {
    const failing = [failed[0].traceId];
    for (const q of ['error=true', 'error=1', 'status=error', attr('error:true'), tags({ error: true }), tags({ 'otel.status_code': 'ERROR' }), attr('status.code:2'), 'error=true&status=error']) {
      expect({ q, ids: await ids(q) }).toEqual({ q, ids: failing });
    }
    expect(await ids('status=ok')).toEqual([slow[0].traceId]);
    expect(await ids(attr('otel.status_code:OK'))).toEqual([slow[0].traceId]);
    expect(await ids(`${tags({ 'status.code': 0 })}`)).toEqual([quick[0].traceId]);
    expect(await ids('error=false')).toEqual(all);
  });

  it('answers conflicting or unknown status filters with a 400 naming the parameter', async () => {
    const cases: Array<[string, string, RegExp?]> = [
      ['error=true&status=ok', 'status'],
      [`status=ok&${attr('error:true')}`, 'status'],
      ['status=failed', 'status'],
      ['error=maybe', 'error'],
      [attr('error:false'), 'attr', /use error=true/],
      [tags({ error: 'yes' }), 'tags', /use error=true/],
      [tags({ 'otel.status_code': 'BAD' }), 'tags', /ERROR, OK or UNSET/],
      [attr('status.code:7'), 'attr', /0 \(unset\), 1 \(ok\) or 2 \(error\)/],
      ['sort=fastest', 'sort'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${'x'.repeat(5_000)}`, 'cursor'],
    ];
    for (const [q, parameter, message] of cases) {
      const { status, body } = await get(q);
      expect({ q, status, parameter: body.parameter }).toEqual({ q, status: 400, parameter });
      if (message) expect(body.error).toMatch(message);
    }
  });

  it('applies minDurationMs to the operation span when an operation is given, else to the trace', async () => {
    expect(await ids('operation=fraud%20check&minDurationMs=1000')).toEqual([slow[0].traceId]);
    expect(await ids('minDurationMs=1000')).toEqual([failed[0].traceId, slow[0].traceId]);
    expect(await ids('operation=fraud%20check&maxDurationMs=50')).toEqual([quick[0].traceId, failed[0].traceId]);
  });

  it('sorts and pages with next until the last hit, in every order', async () => {
    const durations = new Map([...slow, ...failed, ...quick].filter((s) => s.parentSpanId === '').map((s) => [s.traceId, s.durationUs]));
    const expected: Record<string, string[]> = {
      newest: all,
      oldest: [...all].reverse(),
      longest: [...all].sort((x, y) => durations.get(y)! - durations.get(x)!),
      shortest: [...all].sort((x, y) => durations.get(x)! - durations.get(y)!),
    };
    for (const [sort, order] of Object.entries(expected)) {
      expect(await ids(`sort=${sort}`)).toEqual(order);
      const paged: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const { status, body } = await get(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(status).toBe(200);
        paged.push(...body.traces.map((t) => t.traceId));
        cursor = body.next;
        if (!cursor) break;
      }
      expect({ sort, paged }).toEqual({ sort, paged: order });
    }
    const { body } = await get('sort=newest&limit=1');
    const wrongSort = await get(`sort=oldest&cursor=${body.next}`);
    expect({ status: wrongSort.status, parameter: wrongSort.body.parameter }).toEqual({ status: 400, parameter: 'cursor' });
    expect(wrongSort.body.error).toMatch(/sort=newest/);
  });

  it('lists the matching spans of each hit', async () => {
    const { body } = await get('operation=fraud%20check&error=true');
    expect(body.traces).toHaveLength(1);
    expect(body.traces[0].matchingSpans).toEqual([
      { spanId: failed[1].spanId, service: pay, name: 'fraud check', startUs: failed[1].startUs, durationUs: 40_000, status: 'error' },
    ]);
    expect(body.next).toBeUndefined();
  });
});
