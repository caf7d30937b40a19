import fs from 'node:fs';
import { status as GrpcCode } from '@grpc/grpc-js';
import { TokenStore } from '../../../core/security/token-store';
import { runTokensCommand } from '../../../bin/tokens-cli';
import { grpcExportWith, uiLogin } from '../../helpers/auth-calls';
import { rawRequest, type RawAnswer } from '../../helpers/raw-http';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { hexId, tracesBody } from '../../e2e/otlp-fixtures';
import { waitFor } from '../../helpers/wait';

type Role = 'ingest' | 'read' | 'admin';
interface Endpoint {
  name: string;
  method: string;
  url: () => string;
  body?: () => string;
  headers?: Record<string, string>;
  needs: Role;
}

let aio: TestAllInOne;
const tokens: Record<Role | 'revoked', string> = { ingest: '', read: '', admin: '', revoked: '' };

function spanBody(traceId = hexId(16)): string {
  return JSON.stringify(tracesBody(traceId, [{ spanId: hexId(8), parentSpanId: '', service: 'auth-probe', name: 'GET /x', kind: 2, startMs: Date.now() - 1000, durationMs: 5 }]));
}

const ENDPOINTS: Endpoint[] = [
  { name: 'OTLP/HTTP traces', method: 'POST', url: () => `${aio.otlpUrl}/v1/traces`, body: () => spanBody(), headers: { 'content-type': 'application/json' }, needs: 'ingest' },
  { name: 'OTLP/HTTP logs', method: 'POST', url: () => `${aio.otlpUrl}/v1/logs`, body: () => '{}', headers: { 'content-type': 'application/json' }, needs: 'ingest' },
  { name: 'OTLP/HTTP metrics', method: 'POST', url: () => `${aio.otlpUrl}/v1/metrics`, body: () => '{}', headers: { 'content-type': 'application/json' }, needs: 'ingest' },
  { name: 'metric names (another lane added it: covered without a change)', method: 'GET', url: () => `${aio.apiUrl}/api/metrics`, needs: 'read' },
  { name: 'Zipkin', method: 'POST', url: () => `${aio.zipkinUrl}/api/v2/spans`, body: () => '[]', headers: { 'content-type': 'application/json' }, needs: 'ingest' },
  { name: 'trace search', method: 'GET', url: () => `${aio.apiUrl}/api/traces?limit=5`, needs: 'read' },
  { name: 'one trace', method: 'GET', url: () => `${aio.apiUrl}/api/traces/${'ab'.repeat(16)}`, needs: 'read' },
  { name: 'services', method: 'GET', url: () => `${aio.apiUrl}/api/services`, needs: 'read' },
  { name: 'logs', method: 'GET', url: () => `${aio.apiUrl}/api/logs?limit=5`, needs: 'read' },
  { name: 'topology', method: 'GET', url: () => `${aio.apiUrl}/api/topology`, needs: 'read' },
  { name: 'chains', method: 'GET', url: () => `${aio.apiUrl}/api/chains`, needs: 'read' },
  { name: 'dashboards', method: 'GET', url: () => `${aio.apiUrl}/api/dashboards`, needs: 'read' },
  { name: 'alerts', method: 'GET', url: () => `${aio.apiUrl}/api/alerts`, needs: 'read' },
  { name: 'settings', method: 'GET', url: () => `${aio.apiUrl}/api/settings`, needs: 'read' },
  { name: 'an API route that does not exist', method: 'GET', url: () => `${aio.apiUrl}/api/no-such-route`, needs: 'read' },
  { name: 'case and dot tricks on the API path', method: 'GET', url: () => `${aio.apiUrl}/API/./services`, needs: 'read' },
  { name: 'Jaeger API', method: 'GET', url: () => `${aio.apiUrl}/jaeger/api/services`, needs: 'read' },
  { name: '/metrics', method: 'GET', url: () => `${aio.apiUrl}/metrics`, needs: 'read' },
  { name: 'admin: list tokens', method: 'GET', url: () => `${aio.apiUrl}/api/admin/tokens`, needs: 'admin' },
  { name: 'admin: create a token', method: 'POST', url: () => `${aio.apiUrl}/api/admin/tokens`, body: () => JSON.stringify({ name: 'x', role: 'read' }), headers: { 'content-type': 'application/json' }, needs: 'admin' },
];

function call(e: Endpoint, token?: string): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...e.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return rawRequest(e.url(), { method: e.method, headers, body: e.body?.() });
}

beforeAll(async () => {
  aio = await startTestAllInOne({ auth: 'tokens', zipkinPort: 0, otlpGrpcPort: 0 });
  const store = new TokenStore(`${aio.dataDir}/security/tokens.json`);
  for (const role of ['ingest', 'read', 'admin'] as const) tokens[role] = store.create(`${role} test`, role).token;
  const revoked = store.create('revoked test', 'admin');
  store.revoke(revoked.record.id);
  tokens.revoked = revoked.token;
});
afterAll(() => aio.dispose());

describe('every endpoint, as an attacker (AUTH=tokens)', () => {
  it.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s: no token → 401 with WWW-Authenticate', async (_name, e) => {
    const answer = await call(e);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="chainscope"');
    expect(answer.body).not.toMatch(/auth-probe|traceID|chainscope_receiver/);
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s: a wrong, a malformed and a revoked token → 401', async (_name, e) => {
    for (const token of [`cs_${'A'.repeat(43)}`, 'not-a-token', tokens.revoked]) expect((await call(e, token)).status).toBe(401);
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s: a token of another role → 403 naming the role needed; the right role passes', async (_name, e) => {
    for (const role of ['ingest', 'read'] as const) {
      const answer = await call(e, tokens[role]);
      if (role === e.needs) expect([401, 403]).not.toContain(answer.status);
      else {
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.body).error).toMatch(new RegExp(`role ${role} may not do this: it needs role ${e.needs}`));
      }
    }
    expect([401, 403]).not.toContain((await call(e, tokens.admin)).status);
  });

  it('refusals are counted by reason (after the tests above)', () => {
    expect(aio.counters.get('chainscope_access_refused_total{reason="unauthenticated"}')).toBeGreaterThanOrEqual(ENDPOINTS.length * 4);
    expect(aio.counters.get('chainscope_access_refused_total{reason="forbidden"}')).toBeGreaterThanOrEqual(ENDPOINTS.length);
  });

  it('health, the UI files and the login page stay open (probes, the login form)', async () => {
    for (const path of ['/api/health', '/login', '/login.js', '/']) expect((await rawRequest(`${aio.apiUrl}${path}`)).status).toBe(200);
  });

  it('the live tail and the dashboard streams (SSE) ask for a token too', async () => {
    const e: Endpoint = { name: 'tail', method: 'GET', url: () => `${aio.apiUrl}/api/logs/tail`, needs: 'read' };
    expect((await call(e)).status).toBe(401);
    expect((await call(e, tokens.ingest)).status).toBe(403);
    const dashboards: Endpoint = { name: 'dashboard stream', method: 'GET', url: () => `${aio.apiUrl}/api/dashboards/order-center/stream`, needs: 'read' };
    expect((await call(dashboards)).status).toBe(401);
    expect((await call(dashboards, tokens.ingest)).status).toBe(403);
    const controller = new AbortController();
    const res = await fetch(`${aio.apiUrl}/api/logs/tail`, { headers: { authorization: `Bearer ${tokens.read}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();
  });

  it('an ingest token writes what a read token then finds', async () => {
    const traceId = hexId(16);
    const write = await rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` }, body: spanBody(traceId) });
    expect(write.status).toBe(200);
    await waitFor(async () => (await rawRequest(`${aio.apiUrl}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${tokens.read}` } })).status === 200, 'the trace written with the ingest token');
  });
});

describe('OTLP/gRPC with AUTH=tokens', () => {
  const exportWith = (authorization?: string) => grpcExportWith(aio.otlpGrpcUrl, authorization);

  it('no token, a wrong or revoked token: UNAUTHENTICATED; a read token: PERMISSION_DENIED; ingest: taken', async () => {
    expect((await exportWith())?.code).toBe(GrpcCode.UNAUTHENTICATED);
    expect((await exportWith(`Bearer cs_${'B'.repeat(43)}`))?.code).toBe(GrpcCode.UNAUTHENTICATED);
    expect((await exportWith(`Bearer ${tokens.revoked}`))?.code).toBe(GrpcCode.UNAUTHENTICATED);
    const denied = await exportWith(`Bearer ${tokens.read}`);
    expect(denied?.code).toBe(GrpcCode.PERMISSION_DENIED);
    expect(denied?.details).toMatch(/needs role ingest/);
    expect(await exportWith(`Bearer ${tokens.ingest}`)).toBeNull();
  });
});

describe('UI session: a token exchanged for an HttpOnly, SameSite=Strict cookie, CSRF on writes', () => {
  const login = (token: string) => uiLogin(aio.apiUrl, token);

  it('behind an HTTPS proxy (X-Forwarded-Proto: https) the cookie is Secure; over plain HTTP it is not', async () => {
    const https = await rawRequest(`${aio.apiUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ token: tokens.read }) });
    expect(String(https.headers['set-cookie'])).toMatch(/; Secure$/);
    expect((await login(tokens.read)).cookie).not.toMatch(/Secure/);
  });

  it('a wrong token gets no session', async () => {
    const { answer, cookie } = await login('cs_wrong');
    expect(answer.status).toBe(401);
    expect(cookie).toBe('');
  });

  it('a read session reads the API; admin routes stay closed to it', async () => {
    const { cookie, session, body } = await login(tokens.read);
    expect(cookie).toMatch(/^chainscope_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\//);
    expect(body.role).toBe('read');
    expect(body.tenant).toBe('default');
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status).toBe(200);
    expect((await rawRequest(`${aio.apiUrl}/api/admin/tokens`, { headers: { cookie: session } })).status).toBe(403);
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: 'chainscope_session=forged' } })).status).toBe(401);
  });

  it('an admin session creates a token only with its CSRF token; logging out ends the session', async () => {
    const { session, body } = await login(tokens.admin);
    const create = (headers: Record<string, string>) =>
      rawRequest(`${aio.apiUrl}/api/admin/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: session, ...headers }, body: JSON.stringify({ name: 'from the UI', role: 'ingest' }) });
    expect((await create({})).status).toBe(403);
    expect((await create({ 'x-csrf-token': 'guess' })).status).toBe(403);
    const made = await create({ 'x-csrf-token': body.csrfToken });
    expect(made.status).toBe(201);
    expect(JSON.parse(made.body).token).toMatch(/^cs_[\w-]{43}$/);
    await rawRequest(`${aio.apiUrl}/api/session`, { method: 'DELETE', headers: { cookie: session } });
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status).toBe(401);
  });

  it('revoking a token ends its sessions and its bearer use (admin API)', async () => {
    const made = JSON.parse((await rawRequest(`${aio.apiUrl}/api/admin/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` }, body: JSON.stringify({ name: 'short-lived', role: 'read' }) })).body);
    const { session } = await login(made.token);
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status).toBe(200);
    const revoked = await rawRequest(`${aio.apiUrl}/api/admin/tokens/${made.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(revoked.status).toBe(200);
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status).toBe(401);
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { authorization: `Bearer ${made.token}` } })).status).toBe(401);
    const list = JSON.parse((await rawRequest(`${aio.apiUrl}/api/admin/tokens`, { headers: { authorization: `Bearer ${tokens.admin}` } })).body);
    expect(JSON.stringify(list)).not.toMatch(/sha256|cs_/);
    expect(list.tokens.find((t: { id: string }) => t.id === made.id).revokedAt).toEqual(expect.any(String));
  });

  it('the admin API makes a token of a tenant (default "default"); a bad tenant name is a 400 naming it; a session knows its tenant', async () => {
    const make = (body: object) =>
      rawRequest(`${aio.apiUrl}/api/admin/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` }, body: JSON.stringify(body) });
    const plain = await make({ name: 'no tenant', role: 'read' });
    expect(JSON.parse(plain.body).tenant).toBe('default');
    const acme = await make({ name: 'acme reader', role: 'read', tenant: 'acme' });
    expect(acme.status).toBe(201);
    expect(JSON.parse(acme.body)).toMatchObject({ tenant: 'acme', role: 'read' });
    const bad = await make({ name: 'bad', role: 'read', tenant: 'Acme/..' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/tenant must match/);
    const { body } = await login(JSON.parse(acme.body).token);
    expect(body.tenant).toBe('acme');
  });
});

describe('chainscope tokens (CLI) on the running instance', () => {
  it('create prints the token once, the file keeps only its hash (mode 0600); revoke takes effect within a second', async () => {
    const env = { DATA_DIR: aio.dataDir };
    const created = runTokensCommand(['create', '--role', 'read', '--name', 'cli'], env);
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^cs_[\w-]{43}$/);
    const file = `${aio.dataDir}/security/tokens.json`;
    expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await waitFor(async () => (await rawRequest(`${aio.apiUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } })).status === 200, 'the CLI-made token accepted');
    const id = runTokensCommand(['list'], env).out.split('\n').find((l) => l.endsWith('\tcli'))!.split('\t')[0];
    expect(runTokensCommand(['revoke', id], env).code).toBe(0);
    await waitFor(async () => (await rawRequest(`${aio.apiUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } })).status === 401, 'the revoked token refused', 5000);
    expect(runTokensCommand(['create', '--role', 'root'], env)).toMatchObject({ code: 1, err: expect.stringMatching(/role must be ingest, read or admin/) });
    expect(runTokensCommand(['revoke', 'nope'], env)).toMatchObject({ code: 1, err: expect.stringMatching(/no token with id "nope"/) });
    expect(runTokensCommand(['create'], env).code).toBe(2);
    expect(runTokensCommand(['create', '--role', 'read', '--tenant', 'ACME'], env)).toMatchObject({ code: 1, err: expect.stringMatching(/tenant must match/) });
    const acme = runTokensCommand(['create', '--role', 'ingest', '--name', 'acme-cli', '--tenant', 'acme'], env);
    expect(acme).toMatchObject({ code: 0, err: expect.stringMatching(/tenant acme/) });
    expect(runTokensCommand(['list'], env).out.split('\n').find((l) => l.endsWith('\tacme-cli'))!.split('\t')[1]).toBe('acme');
  });
});

describe("AUTH=tokens: the all-in-one's own log shipper uses an in-memory ingest credential", () => {
  it('shipped log lines arrive through the authenticated receiver; that credential is nowhere on disk', async () => {
    const logDir = fs.mkdtempSync(`${require('node:os').tmpdir()}/chainscope-auth-logs-`);
    fs.writeFileSync(`${logDir}/app.log`, 'shipped-with-internal-credential line one\n');
    const own = await startTestAllInOne({ auth: 'tokens', logPaths: [`${logDir}/*.log`], logService: 'auth-shipped', zipkinPort: null, otlpGrpcPort: null });
    try {
      const read = new TokenStore(`${own.dataDir}/security/tokens.json`).create('reader', 'read').token;
      const get = async (path: string) => rawRequest(`${own.apiUrl}${path}`, { headers: { authorization: `Bearer ${read}` } });
      await waitFor(async () => {
        const answer = await get('/api/logs?service=auth-shipped&limit=5');
        return answer.status === 200 && /shipped-with-internal-credential/.test(answer.body);
      }, 'the shipped line through the authenticated receiver', 30_000);
      expect(fs.readFileSync(`${own.dataDir}/security/tokens.json`, 'utf8')).not.toMatch(/internal|this process/);
    } finally {
      await own.dispose();
      fs.rmSync(logDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the distributed query role checks tokens too', () => {
  it('401 without a token, 200 with a read token from the shared TOKENS_FILE', async () => {
    const { startRole } = await import('../../../bin/run-role');
    const dataDir = fs.mkdtempSync(`${require('node:os').tmpdir()}/chainscope-query-auth-`);
    const tokensFile = `${dataDir}/shared-tokens.json`;
    const { token } = new TokenStore(tokensFile).create('query reader', 'read');
    const query = await startRole('query', { host: '127.0.0.1', port: 0, dataDir, bus: 'kafka', auth: 'tokens', tokensFile, log: () => {} });
    try {
      expect((await rawRequest(`${query.apiUrl}/api/services`)).status).toBe(401);
      expect((await rawRequest(`${query.apiUrl}/metrics`)).status).toBe(401);
      expect((await rawRequest(`${query.apiUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await query.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
