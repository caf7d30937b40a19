import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { MAX_TIME_MS } from '../../../query-api/params';
import { MAX_HISTOGRAM_BUCKETS } from '../../../query-api/services/log-service';
import { makeLog } from '../../contract/fixtures';

/** Out-of-range parameters through the real app and embedded store: a 400 naming the parameter, fast, never a hang. */
describe('query API parameter bounds', () => {
  let app: EmbeddedQueryApp;
  let base: string;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('bounds');
    await app.stores.logs.writeLogs({ logs: [makeLog({ service: 'bounds', timeUs: 1_700_000_000_000_000, body: 'one line' })], businessKeys: [] });
    base = await app.listen();
  });
  afterAll(() => app?.dispose());

  async function get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(base + pathAndQuery, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  async function rejected(pathAndQuery: string): Promise<unknown> {
    const { status, body } = await get(pathAndQuery);
    expect({ pathAndQuery, status }).toEqual({ pathAndQuery, status: 400 });
    return body.parameter;
  }

  const huge = '99999999999999999999999';

  it('answers a histogram ending (or starting and ending) past year 2200 with a 400, not an endless loop', async () => {
    expect(await rejected(`/api/logs/histogram?end=${huge}`)).toBe('end');
    expect(await rejected(`/api/logs/histogram?start=${huge}&end=${huge}`)).toBe('start');
    expect(await rejected(`/api/logs?end=${MAX_TIME_MS + 1}`)).toBe('end');
    expect(await rejected('/api/topology?start=9999-01-01T00:00:00Z')).toBe('start');
  });

  it('draws a histogram over the whole accepted range with a bounded number of buckets', async () => {
    const { status, body } = await get(`/api/logs/histogram?start=0&end=${MAX_TIME_MS}`);
    expect(status).toBe(200);
    const buckets = body.buckets as { tUs: number; total: number }[];
    expect(buckets.length).toBeGreaterThan(1);
    expect(buckets.length).toBeLessThanOrEqual(MAX_HISTOGRAM_BUCKETS);
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(1);
    expect(await rejected(`/api/logs/histogram?start=0&end=${MAX_TIME_MS}&interval=1ms`)).toBe('interval');
    expect(await rejected('/api/logs/histogram?interval=99999999999999999999d')).toBe('interval');
  });

  it('starts the default histogram window no earlier than 1970', async () => {
    const { status, body } = await get('/api/logs/histogram?end=0');
    expect(status).toBe(200);
    expect((body.buckets as { tUs: number }[]).every((b) => b.tUs >= 0)).toBe(true);
  });

  it('bounds durations, steps, counts and path names', async () => {
    expect(await rejected('/api/traces?minDurationMs=1e300')).toBe('minDurationMs');
    expect(await rejected(`/api/services/${'s'.repeat(8193)}/operations`)).toBe('service');
    expect(await rejected(`/api/services/x/stats?step=${huge}`)).toBe('step');
    expect(await rejected('/api/services/x/stats?start=0&end=86400000&step=1m')).toBe('step');
    expect(await rejected(`/api/services/x/stats?start=0&end=${MAX_TIME_MS}`)).toBe('start');
    expect(await rejected('/api/services/stats?start=0&end=86400000&step=1m')).toBe('step');
    expect(await rejected('/api/services/stats?step=90s')).toBe('step');
    for (const bad of ['0', '61', '2.5', 'five', '1e300']) {
      expect(await rejected(`/api/topology?rateMinutes=${bad}`)).toBe('rateMinutes');
      expect(await rejected(`/api/services/stats?rateMinutes=${bad}`)).toBe('rateMinutes');
    }
    expect(await rejected('/api/logs/abc/context?before=1e9')).toBe('before');
    expect(await rejected('/api/logs?limit=1e300')).toBe('limit');
  });

  it('refuses NUL in string parameters (SQLite FTS5 read it as the end of the query: a 500 the fuzzer found)', async () => {
    expect(await rejected('/api/logs?q=ab%00cd')).toBe('q');
    expect(await rejected('/api/logs/facets?field=service&service=a%00')).toBe('service');
    expect(await rejected('/api/traces?attr=k:%00')).toBe('attr');
    expect(await rejected('/api/services/a%00b/operations')).toBe('service');
  });
});
