import fs from 'node:fs';
import path from 'node:path';
import { TokenStore } from '../../../core/security/token-store';
import { rawRequest, type RawAnswer } from '../../helpers/raw-http';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { hexId, logsBody, tracesBody } from '../../e2e/otlp-fixtures';
import { waitFor } from '../../helpers/wait';

/**
 * Tenants through the whole all-in-one (AUTH=tokens, embedded store, WAL bus,
 * ingest threads): what one tenant writes, another never reads through any
 * endpoint, ids guessed from the other tenant answer 404, and an admin
 * deletes one tenant's data without touching the other's, audited.
 */
const TENANTS = ['acme', 'globex-2', 'default'] as const;
type Tenant = (typeof TENANTS)[number];

let aio: TestAllInOne;
const tokens = {} as Record<Tenant, { ingest: string; read: string }>;
let admin = '';

/** What each tenant wrote: its own service, trace, log line and order id, all unique to the run. */
const written = {} as Record<Tenant, { service: string; traceId: string; order: string; marker: string }>;

function get(url: string, token: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return rawRequest(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

async function json(url: string, token: string): Promise<any> {
  const answer = await get(url, token);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body);
}

async function write(tenant: Tenant): Promise<void> {
  const w = written[tenant];
  const spanId = hexId(8);
  const now = Date.now();
  const post = (path: string, body: unknown) =>
    rawRequest(`${aio.otlpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[tenant].ingest}` }, body: JSON.stringify(body) });
  const spans = [
    { spanId, parentSpanId: '', service: w.service, name: 'POST /orders', kind: 2, startMs: now - 2000, durationMs: 40, attributes: { 'order.id': w.order } },
    { spanId: hexId(8), parentSpanId: spanId, service: `${w.service}-db`, name: 'INSERT', kind: 2, startMs: now - 1990, durationMs: 10 },
  ];
  expect((await post('/v1/traces', tracesBody(w.traceId, spans))).status).toBe(200);
  const log = { timeMs: now - 1995, service: w.service, severityNumber: 9, severityText: 'INFO', body: `order ${w.order} stored ${w.marker}`, spanId };
  expect((await post('/v1/logs', logsBody(w.traceId, [log]))).status).toBe(200);
}

beforeAll(async () => {
  aio = await startTestAllInOne({ auth: 'tokens' });
  const store = new TokenStore(`${aio.dataDir}/security/tokens.json`);
  for (const tenant of TENANTS) {
    tokens[tenant] = { ingest: store.create(`${tenant} ingest`, 'ingest', tenant).token, read: store.create(`${tenant} read`, 'read', tenant).token };
    const tag = `${tenant.replace(/[^a-z]/g, '')}${hexId(3)}`;
    written[tenant] = { service: `svc-${tag}`, traceId: hexId(16), order: `ORD-${tag}`, marker: `marker${tag}` };
  }
  admin = store.create('admin', 'admin').token;
  for (const tenant of TENANTS) await write(tenant);
  for (const tenant of TENANTS) {
    const { traceId } = written[tenant];
    await waitFor(async () => (await get(`${aio.apiUrl}/api/traces/${traceId}`, tokens[tenant].read)).status === 200, `${tenant}'s trace`);
    await waitFor(async () => (await json(`${aio.apiUrl}/api/logs?q=${written[tenant].marker}`, tokens[tenant].read)).logs?.length === 1, `${tenant}'s log line`);
  }
}, 60_000);
afterAll(() => aio.dispose());

/** Every read endpoint, as (what it is, the URL of it for what `owner` wrote). */
const READS: [string, (owner: Tenant) => string][] = [
  ['trace search by service', (o) => `/api/traces?service=${written[o].service}`],
  ['trace search by tag', (o) => `/api/traces?tags=${encodeURIComponent(JSON.stringify({ 'order.id': written[o].order }))}`],
  ['services', () => '/api/services'],
  ['operations of a service', (o) => `/api/services/${written[o].service}/operations`],
  ['service stats', (o) => `/api/services/${written[o].service}/stats`],
  ['topology', () => '/api/topology'],
  ['log search', (o) => `/api/logs?q=${written[o].marker}`],
  ['log histogram', (o) => `/api/logs/histogram?q=${written[o].marker}`],
  ['log facets', () => '/api/logs/facets?field=service'],
  ['slow chains', () => '/api/chains/slow?key=order.id'],
  ['anomalies', () => '/api/anomalies'],
  ['dashboard data', () => '/api/dashboards/order-center/data'],
  ['Jaeger services', () => '/jaeger/api/services'],
  ['Jaeger trace search', (o) => `/jaeger/api/traces?service=${written[o].service}`],
  ['Jaeger dependencies', () => '/jaeger/api/dependencies'],
];

describe('tenants (AUTH=tokens, embedded store)', () => {
  it.each(READS)('%s: each tenant sees its own data and nothing of the others', async (_name, urlOf) => {
    for (const reader of TENANTS) {
      for (const owner of TENANTS) {
        const url = urlOf(owner);
        const answer = await get(`${aio.apiUrl}${url}`, tokens[reader].read);
        const w = written[owner];
        // what the owner wrote, minus what the request itself names (answers echo their query)
        const mentions = [w.service, w.traceId, w.marker, w.order].some((text) => !decodeURIComponent(url).includes(text) && answer.body.includes(text));
        if (reader !== owner) expect({ reader, owner, status: answer.status, mentions }).toEqual({ reader, owner, status: answer.status, mentions: false });
        else expect([200, 404]).toContain(answer.status);
      }
    }
  });

  it('the reads above do find the owner’s data (each check could fail)', async () => {
    for (const tenant of TENANTS) {
      const w = written[tenant];
      expect((await json(`${aio.apiUrl}/api/services`, tokens[tenant].read)).services ?? []).toContain(w.service);
      expect(JSON.stringify(await json(`${aio.apiUrl}/api/traces?service=${w.service}`, tokens[tenant].read))).toContain(w.traceId);
      expect(JSON.stringify(await json(`${aio.apiUrl}/jaeger/api/services`, tokens[tenant].read))).toContain(w.service);
    }
  });

  it('ids and keys guessed from another tenant answer 404, as unknown ones do', async () => {
    for (const reader of TENANTS) {
      for (const owner of TENANTS) {
        if (reader === owner) continue;
        const w = written[owner];
        const token = tokens[reader].read;
        expect((await get(`${aio.apiUrl}/api/traces/${w.traceId}`, token)).status).toBe(404);
        expect((await get(`${aio.apiUrl}/api/traces/${w.traceId}/otlp`, token)).status).toBe(404);
        expect((await get(`${aio.apiUrl}/jaeger/api/traces/${w.traceId}`, token)).status).toBe(404);
        const chain = await get(`${aio.apiUrl}/api/chains?key=order.id&value=${w.order}`, token);
        expect(chain.status).toBe(404);
      }
    }
    // the owner gets them
    const w = written.acme;
    expect((await get(`${aio.apiUrl}/api/traces/${w.traceId}`, tokens.acme.read)).status).toBe(200);
    expect((await get(`${aio.apiUrl}/api/chains?key=order.id&value=${w.order}`, tokens.acme.read)).status).toBe(200);
  });

  it('a log id from another tenant has no context (404)', async () => {
    const found = await json(`${aio.apiUrl}/api/logs?q=${written.acme.marker}`, tokens.acme.read);
    const id = found.logs[0].id as string;
    expect((await get(`${aio.apiUrl}/api/logs/${id}/context`, tokens.acme.read)).status).toBe(200);
    expect((await get(`${aio.apiUrl}/api/logs/${id}/context`, tokens['globex-2'].read)).status).toBe(404);
  });

  it('the live tail streams only the reader’s tenant', async () => {
    const seen: Record<'acme' | 'globex-2', string> = { acme: '', 'globex-2': '' };
    const controllers: AbortController[] = [];
    const follow = async (tenant: 'acme' | 'globex-2') => {
      const controller = new AbortController();
      controllers.push(controller);
      const res = await fetch(`${aio.apiUrl}/api/logs/tail`, { headers: { authorization: `Bearer ${tokens[tenant].read}` }, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      void (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            seen[tenant] += Buffer.from(value).toString('utf8');
          }
        } catch {
          /* aborted */
        }
      })();
    };
    try {
      await follow('acme');
      await follow('globex-2');
      const line = (tenant: 'acme' | 'globex-2', text: string) =>
        rawRequest(`${aio.otlpUrl}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[tenant].ingest}` },
          body: JSON.stringify(logsBody(hexId(16), [{ timeMs: Date.now(), service: written[tenant].service, severityNumber: 9, severityText: 'INFO', body: text, spanId: hexId(8) }])),
        });
      const acmeText = `tail-acme-${hexId(4)}`;
      const globexText = `tail-globex-${hexId(4)}`;
      expect((await line('acme', acmeText)).status).toBe(200);
      await waitFor(() => seen.acme.includes(acmeText) || undefined, 'acme’s line on acme’s tail', 20_000);
      expect((await line('globex-2', globexText)).status).toBe(200);
      await waitFor(() => seen['globex-2'].includes(globexText) || undefined, 'globex’s line on globex’s tail', 20_000);
      expect(seen['globex-2']).not.toContain(acmeText);
      expect(seen.acme).not.toContain(globexText);
    } finally {
      for (const c of controllers) c.abort();
    }
  }, 60_000);

  it('a tenant’s data lives in its own file under DATA_DIR/tenants; the default tenant’s stays where it was', () => {
    expect(fs.existsSync(path.join(aio.dataDir, 'tenants', 'acme', 'chainscope.db'))).toBe(true);
    expect(fs.existsSync(path.join(aio.dataDir, 'tenants', 'globex-2', 'chainscope.db'))).toBe(true);
    expect(fs.existsSync(path.join(aio.dataDir, 'tenants', 'default'))).toBe(false);
    expect(fs.existsSync(path.join(aio.dataDir, 'chainscope.db'))).toBe(true);
  });

  it('/metrics, which counts every tenant, is the default tenant’s only', async () => {
    expect((await get(`${aio.apiUrl}/metrics`, tokens.default.read)).status).toBe(200);
    const other = await get(`${aio.apiUrl}/metrics`, tokens.acme.read);
    expect(other.status).toBe(403);
    expect(other.body).not.toContain(written.default.service);
  });

  it('an admin deletes one tenant’s data: gone for it, untouched for the others; the audit log says who and what', async () => {
    const del = (query: string) => rawRequest(`${aio.apiUrl}/api/admin/data?${query}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    // bounded inputs: a 400 naming the parameter
    const missing = await del('');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).parameter).toBe('tenant');
    const badTenant = await del('tenant=Not%20A%20Tenant');
    expect(badTenant.status).toBe(400);
    expect(JSON.parse(badTenant.body).parameter).toBe('tenant');
    expect(JSON.parse((await del('tenant=acme&before=yesterday')).body).parameter).toBe('before');
    // a read token may not
    expect((await rawRequest(`${aio.apiUrl}/api/admin/data?tenant=acme`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens.acme.read}` } })).status).toBe(403);

    // older than a time before everything written: nothing goes
    const early = await del(`tenant=acme&before=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    expect(early.status).toBe(200);
    expect(JSON.parse(early.body).stores[0]).toMatchObject({ backend: 'embedded', granularity: 'exact', deleted: { traces: 0, logs: 0 } });
    expect((await get(`${aio.apiUrl}/api/traces/${written.acme.traceId}`, tokens.acme.read)).status).toBe(200);

    const all = await del('tenant=acme');
    expect(all.status).toBe(200);
    const body = JSON.parse(all.body);
    expect(body).toMatchObject({ tenant: 'acme', before: null });
    expect(body.stores[0].deleted.traces).toBe(1);
    expect(body.stores[0].deleted.logs).toBeGreaterThanOrEqual(1);
    expect((await get(`${aio.apiUrl}/api/traces/${written.acme.traceId}`, tokens.acme.read)).status).toBe(404);
    expect((await json(`${aio.apiUrl}/api/logs?q=${written.acme.marker}`, tokens.acme.read)).logs).toEqual([]);
    for (const other of ['globex-2', 'default'] as const) {
      expect((await get(`${aio.apiUrl}/api/traces/${written[other].traceId}`, tokens[other].read)).status).toBe(200);
      expect((await json(`${aio.apiUrl}/api/logs?q=${written[other].marker}`, tokens[other].read)).logs).toHaveLength(1);
    }

    const audit = await json(`${aio.apiUrl}/api/admin/audit?action=data.deleted`, admin);
    expect(audit.entries[0]).toMatchObject({ action: 'data.deleted', actor: expect.stringMatching(/^token:[0-9a-f]{12}$/), detail: { tenant: 'acme', before: null } });
    expect(audit.entries).toHaveLength(2);
    const created = await json(`${aio.apiUrl}/api/admin/audit?action=token.created&limit=3`, admin);
    expect(created.entries).toHaveLength(3);
    expect(created.entries[0].detail).toMatchObject({ name: 'admin', role: 'admin', tenant: 'default' });
    expect(JSON.stringify(created)).not.toContain(admin);
    expect((await get(`${aio.apiUrl}/api/admin/audit`, tokens.default.read)).status).toBe(403);
    expect(JSON.parse((await get(`${aio.apiUrl}/api/admin/audit?action=nope`, admin)).body).parameter).toBe('action');
  });
});
