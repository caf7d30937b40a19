import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from 'node:http';
import { Counters } from '../../../core/metrics';
import { createQueryApp } from '../../../query-api/app';
import { MAX_TIME_MS } from '../../../query-api/params';
import { MAX_HISTOGRAM_BUCKETS } from '../../../query-api/services/log-service';
import { openEmbeddedStores } from '../../../storage/embedded';
import { makeLog } from '../../contract/fixtures';

/** Out-of-range parameters through the real app and embedded store: a 400 naming the parameter, fast, never a hang. */
describe('query API parameter bounds', () => {
  let dataDir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bounds-'));
    stores = openEmbeddedStores({ dataDir });
    await stores.logs.start();
    await stores.spans.start();
    await stores.logs.writeLogs({ logs: [makeLog({ service: 'bounds', timeUs: 1_700_000_000_000_000, body: 'one line' })], businessKeys: [] });
    const app = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters() });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stores.logs.shutdown();
    await stores.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

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
