import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from 'node:http';
import { Counters } from '../../../core/metrics';
import { createQueryApp } from '../../../query-api/app';
import { openEmbeddedStores } from '../../../storage/embedded';

/** A query-language error becomes a 400 with where it went wrong in the error middleware, the same on every route that takes q. */
describe('log query syntax errors', () => {
  let dataDir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-logq-'));
    stores = openEmbeddedStores({ dataDir });
    server = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters() }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    stores.database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['logs', 'logs/histogram', 'logs/facets?field=service&', 'logs/tail'])('/api/%s answers 400 with parameter, position and expected', async (route) => {
    const url = `${base}/${route}${route.includes('?') ? '' : '?'}q=${encodeURIComponent('service:api AND (')}`;
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: string; parameter: string; position: number; expected: string[] };
    expect(body.parameter).toBe('q');
    expect(body.position).toBe(17);
    expect(body.error).toMatch(/at 17$/);
    expect(body.expected.length).toBeGreaterThan(0);
  });

  it('leaves other 400s as { error, parameter }', async () => {
    const res = await fetch(`${base}/logs?cursor=not-a-cursor`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'cursor is not a cursor returned by this API', parameter: 'cursor' });
  });
});
