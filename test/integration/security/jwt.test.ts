import http from 'node:http';
import { status as GrpcCode } from '@grpc/grpc-js';
import { TokenStore } from '../../../core/security/token-store';
import { hexId, tracesBody } from '../../e2e/otlp-fixtures';
import { grpcExportWith, uiLogin } from '../../helpers/auth-calls';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { claimsFor, jwksOf, makeKey, signJwt, unsignedJwt, type TestKey } from '../../helpers/jwt-issuer';
import { rawRequest, type RawAnswer } from '../../helpers/raw-http';
import { waitFor } from '../../helpers/wait';

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'chainscope-api';

let aio: TestAllInOne;
let idp: http.Server;
let jwksFetches = 0;
let rsa: TestKey;
let ec: TestKey;

/** A JWT of the test identity provider: `role`, tenant `tenant` (claim `org`), valid for `seconds`. */
function jwt(role: string, extra: Record<string, unknown> = {}, key = rsa): string {
  return signJwt(key, claimsFor(ISSUER, AUDIENCE, { sub: `${role}-user`, roles: [role], org: 'acme', ...extra }));
}

const now = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function spanBody(): string {
  return JSON.stringify(tracesBody(hexId(16), [{ spanId: hexId(8), parentSpanId: '', service: 'jwt-probe', name: 'GET /x', kind: 2, startMs: Date.now() - 1000, durationMs: 5 }]));
}

const grpcExport = (authorization: string) => grpcExportWith(aio.otlpGrpcUrl, authorization);

beforeAll(async () => {
  rsa = makeKey('RS256');
  ec = makeKey('ES256');
  idp = http.createServer((req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(jwksOf(rsa, ec));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const jwtJwksUrl = `http://127.0.0.1:${(idp.address() as { port: number }).port}/.well-known/jwks.json`;
  aio = await startTestAllInOne({ auth: 'tokens', zipkinPort: 0, otlpGrpcPort: 0, jwtIssuer: ISSUER, jwtAudience: [AUDIENCE], jwtJwksUrl, jwtTenantClaim: 'org' });
});
afterAll(async () => {
  await aio.dispose();
  await new Promise<void>((resolve) => idp.close(() => resolve()));
});

describe('AUTH=tokens with JWT_ISSUER: a JWT is accepted wherever a token is', () => {
  const readEndpoints = () => [`${aio.apiUrl}/api/services`, `${aio.apiUrl}/api/traces?limit=2`, `${aio.apiUrl}/jaeger/api/services`, `${aio.apiUrl}/metrics`];

  it('OTLP/HTTP and Zipkin take an ingest JWT; a read JWT is 403 there', async () => {
    const post = (token: string) => rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: spanBody() });
    expect((await post(jwt('ingest'))).status).toBe(200);
    expect((await post(jwt('ingest', {}, ec))).status).toBe(200);
    expect((await post(jwt('read'))).status).toBe(403);
    const zipkin = await rawRequest(`${aio.zipkinUrl}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(jwt('ingest')) }, body: '[]' });
    expect(zipkin.status).toBe(202);
  });

  it('OTLP/gRPC takes an ingest JWT; an expired one is UNAUTHENTICATED with the reason; a read one PERMISSION_DENIED', async () => {
    expect(await grpcExport(`Bearer ${jwt('ingest')}`)).toBeNull();
    const expired = await grpcExport(`Bearer ${jwt('ingest', { exp: Math.floor(Date.now() / 1000) - 3600 })}`);
    expect(expired?.code).toBe(GrpcCode.UNAUTHENTICATED);
    expect(expired?.details).toMatch(/the JWT has expired/);
    expect((await grpcExport(`Bearer ${jwt('read')}`))?.code).toBe(GrpcCode.PERMISSION_DENIED);
  });

  it('the API, the Jaeger API and /metrics take a read JWT; the live tail (SSE) too; the admin API an admin JWT', async () => {
    // /metrics counts every tenant: a JWT of the default tenant reads it, acme's gets 403
    for (const url of readEndpoints()) expect([url, (await rawRequest(url, { headers: bearer(url.endsWith('/metrics') ? jwt('read', { org: 'default' }) : jwt('read')) })).status]).toEqual([url, 200]);
    expect((await rawRequest(`${aio.apiUrl}/metrics`, { headers: bearer(jwt('read')) })).status).toBe(403);
    const controller = new AbortController();
    const tail = await fetch(`${aio.apiUrl}/api/logs/tail`, { headers: bearer(jwt('read')), signal: controller.signal });
    expect(tail.status).toBe(200);
    expect(tail.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();
    expect((await rawRequest(`${aio.apiUrl}/api/admin/tokens`, { headers: bearer(jwt('read')) })).status).toBe(403);
    expect((await rawRequest(`${aio.apiUrl}/api/admin/tokens`, { headers: bearer(jwt('admin')) })).status).toBe(200);
  });

  it('API tokens keep working beside JWTs', async () => {
    const { token } = new TokenStore(`${aio.dataDir}/security/tokens.json`).create('plain reader', 'read');
    await waitFor(async () => (await rawRequest(`${aio.apiUrl}/api/services`, { headers: bearer(token) })).status === 200, 'the API token accepted');
  });

  const refusals: [string, () => string, RegExp][] = [
    ['expired', () => jwt('read', { exp: now() - 3600 }), /the JWT has expired/],
    ['wrong audience', () => jwt('read', { aud: 'another-api' }), /audience \(aud\) \["another-api"\] does not include "chainscope-api"/],
    ['wrong issuer', () => jwt('read', { iss: 'https://evil.example.test' }), /issuer \(iss\) "https:\/\/evil.example.test" is not "https:\/\/idp.example.test"/],
    ['bad signature', () => signJwt({ ...makeKey('RS256'), kid: rsa.kid }, claimsFor(ISSUER, AUDIENCE, { roles: ['read'], org: 'acme' })), /signature does not verify/],
    ['alg none', () => unsignedJwt(claimsFor(ISSUER, AUDIENCE, { roles: ['admin'], org: 'acme' })), /alg "none" is not accepted/],
    ['unknown kid', () => signJwt(makeKey('ES256'), claimsFor(ISSUER, AUDIENCE, { roles: ['read'], org: 'acme' })), /key id \(kid\) "es256-[0-9a-f]+" is not in the JWKS/],
    ['no tenant claim', () => jwt('read', { org: undefined }), /has no org claim \(the tenant\)/],
  ];

  it.each(refusals)('%s: 401 with the reason and WWW-Authenticate, on every port', async (_name, token, reason) => {
    const t = token();
    const answers: RawAnswer[] = [
      ...(await Promise.all(readEndpoints().map((url) => rawRequest(url, { headers: bearer(t) })))),
      await rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(t) }, body: spanBody() }),
      await rawRequest(`${aio.zipkinUrl}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(t) }, body: '[]' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="chainscope"');
      expect(JSON.parse(answer.body).error).toMatch(reason);
    }
    const grpc = await grpcExport(`Bearer ${t}`);
    expect(grpc?.code).toBe(GrpcCode.UNAUTHENTICATED);
    expect(grpc?.details).toMatch(reason);
  });

  it('a flood of unknown kids does not make it fetch the JWKS for each', async () => {
    const before = jwksFetches;
    for (let i = 0; i < 30; i++) await rawRequest(`${aio.apiUrl}/api/services`, { headers: bearer(signJwt(makeKey('ES256'), claimsFor(ISSUER, AUDIENCE))) });
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
  });
});

describe('UI log-in with a JWT', () => {
  const login = (token: string) => uiLogin(aio.apiUrl, token);

  it('exchanges a JWT for a session of its role and tenant that lasts no longer than the JWT', async () => {
    const { cookie, session, body } = await login(jwt('read', { exp: now() + 120 }));
    expect(body).toMatchObject({ role: 'read', tenant: 'acme' });
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeLessThanOrEqual(120);
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status).toBe(200);
    const whoami = JSON.parse((await rawRequest(`${aio.apiUrl}/api/session`, { headers: { cookie: session } })).body);
    expect(whoami).toMatchObject({ role: 'read', tenant: 'acme' });
  });

  it('the session ends when the JWT expires', async () => {
    const { session } = await login(jwt('read', { exp: now() + 2 }));
    expect((await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status).toBe(200);
    await waitFor(async () => (await rawRequest(`${aio.apiUrl}/api/services`, { headers: { cookie: session } })).status === 401, 'the session ended with its JWT', 6000);
  });

  it('a refused JWT gets no session and says why', async () => {
    const { answer, cookie } = await login(jwt('read', { aud: 'another-api' }));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error).toMatch(/audience/);
    expect(cookie).toBe('');
  });
});
