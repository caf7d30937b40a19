import { status as GrpcCode } from '@grpc/grpc-js';
import { decodeTraceRequestJson, encodeTraceRequestProto } from '../../../core/otlp';
import { TokenStore } from '../../../core/security/token-store';
import { hexId, tracesBody } from '../../e2e/otlp-fixtures';
import { grpcExportWith } from '../../helpers/auth-calls';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { retryDelaySeconds } from '../../helpers/grpc-retry-info';
import { openRawConnection } from '../../helpers/raw-connection';
import { rawRequest } from '../../helpers/raw-http';
import { waitFor } from '../../helpers/wait';

/**
 * Per tenant: 1 span/s and 1 KiB/s with buckets of 30 s (30 spans, 30 KiB at
 * once), so the refill between two requests of a test (milliseconds, seconds
 * on a loaded machine) never decides the outcome; one query at a time.
 */
const SPANS_PER_SECOND = 1;
const BYTES_PER_SECOND = 1024;
const BURST_SECONDS = 30;

let aio: TestAllInOne;
/** Tokens by `<tenant> <role>`, made before the tests (the running instance re-reads its token file at most once a second). */
const tokens = new Map<string, string>();
const TOKENS_MADE: [string, 'ingest' | 'read' | 'admin'][] = [
  ...['spansy', 'calm', 'bytesy', 'grpcy', 'zipkinny'].map((t) => [t, 'ingest'] as [string, 'ingest']),
  ['acme', 'admin'],
  ['acme', 'read'],
  ['globex', 'read'],
  // the operator's read token: /metrics, which counts every tenant, is the default tenant's to read
  ['default', 'read'],
];

function tokenOf(tenant: string, role = 'ingest'): string {
  return tokens.get(`${tenant} ${role}`)!;
}

const ingestTokenOf = (tenant: string) => tokenOf(tenant, 'ingest');

/** An OTLP/JSON request of `count` spans, each with an attribute of `padding` characters. */
function spansJson(count: number, padding = 0): string {
  const traceId = hexId(16);
  const spans = Array.from({ length: count }, (_, i) => ({ spanId: hexId(8), parentSpanId: '', service: 'limits-probe', name: `op ${i}`, kind: 2, startMs: Date.now() - 1000, durationMs: 3, attributes: { pad: 'x'.repeat(padding) } }));
  return JSON.stringify(tracesBody(traceId, spans));
}

function postOtlp(tenant: string, body: string) {
  return rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestTokenOf(tenant)}` }, body });
}

const grpcExport = (tenant: string, request: Buffer) => grpcExportWith(aio.otlpGrpcUrl, `Bearer ${ingestTokenOf(tenant)}`, request);

beforeAll(async () => {
  aio = await startTestAllInOne({
    auth: 'tokens',
    zipkinPort: 0,
    otlpGrpcPort: 0,
    tenantIngestSpansPerSecond: SPANS_PER_SECOND,
    tenantIngestBytesPerSecond: BYTES_PER_SECOND,
    tenantIngestBurstSeconds: BURST_SECONDS,
    tenantQueryConcurrency: 1,
  });
  const store = new TokenStore(`${aio.dataDir}/security/tokens.json`);
  for (const [tenant, role] of TOKENS_MADE) tokens.set(`${tenant} ${role}`, store.create(`${tenant} ${role}`, role, tenant).token);
  await waitFor(async () => (await rawRequest(`${aio.apiUrl}/api/services`, { headers: { authorization: `Bearer ${tokenOf('default', 'read')}` } })).status === 200, 'the tokens made known to the running instance');
});
afterAll(() => aio.dispose());

describe('per-tenant ingest rate (TENANT_INGEST_*)', () => {
  it('OTLP/HTTP: a tenant over its spans/s gets 429 + Retry-After naming the limit; another tenant is untouched', async () => {
    expect((await postOtlp('spansy', spansJson(25))).status).toBe(200);
    const refused = await postOtlp('spansy', spansJson(10));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 8, message: expect.stringMatching(/tenant "spansy" is over its ingest limit of 1 spans\/s \(TENANT_INGEST_SPANS_PER_SECOND\)/) });
    expect((await postOtlp('calm', spansJson(25))).status).toBe(200);
  });

  it('OTLP/HTTP: bytes/s is a limit of its own', async () => {
    expect((await postOtlp('bytesy', spansJson(1, 20_000))).status).toBe(200);
    const refused = await postOtlp('bytesy', spansJson(1, 20_000));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).message).toMatch(/1024 bytes\/s \(TENANT_INGEST_BYTES_PER_SECOND\)/);
  });

  it('OTLP/gRPC: RESOURCE_EXHAUSTED with a RetryInfo delay and the limit named', async () => {
    const request = (count: number) => Buffer.from(encodeTraceRequestProto(decodeTraceRequestJson(spansJson(count)).spans));
    expect(await grpcExport('grpcy', request(25))).toBeNull();
    const refused = await grpcExport('grpcy', request(10));
    expect(refused?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
    expect(refused?.details).toMatch(/tenant "grpcy" is over its ingest limit of 1 spans\/s \(TENANT_INGEST_SPANS_PER_SECOND\)/);
    expect(retryDelaySeconds(refused!)).toBeGreaterThanOrEqual(1);
  });

  it('Zipkin: 429 + Retry-After', async () => {
    const zipkin = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ traceId: hexId(16), id: hexId(8), name: 'z', timestamp: Date.now() * 1000, duration: 10, localEndpoint: { serviceName: 'zipkin-probe' } })));
    const post = (n: number) => rawRequest(`${aio.zipkinUrl}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestTokenOf('zipkinny')}` }, body: zipkin(n) });
    expect((await post(25)).status).toBe(202);
    const refused = await post(10);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatch(/TENANT_INGEST_SPANS_PER_SECOND/);
  });
});

describe('per-tenant query concurrency (TENANT_QUERY_CONCURRENCY=1)', () => {
  it('a second request of a tenant while one runs is 429 + Retry-After naming the limit; other tenants and the freed slot go on', async () => {
    const [acmeAdmin, acmeRead, globexRead] = [tokenOf('acme', 'admin'), tokenOf('acme', 'read'), tokenOf('globex', 'read')];
    // a request whose body is still arriving holds acme's one slot
    const held = await openRawConnection(Number(new URL(aio.apiUrl).port));
    const body = JSON.stringify({ name: 'slow', role: 'read', tenant: 'acme' });
    held.socket.write(`POST /api/admin/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${acmeAdmin}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    const get = (token: string) => rawRequest(`${aio.apiUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } });
    let refused = await get(acmeRead);
    for (let i = 0; refused.status === 200 && i < 50; i++) refused = await get(acmeRead); // until the held request reached the server
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toEqual({ error: expect.stringMatching(/tenant "acme" is over its query limit of 1 requests at once \(TENANT_QUERY_CONCURRENCY\)/), limit: 'query_concurrency', tenant: 'acme' });
    expect((await get(globexRead)).status).toBe(200);
    // the UI's files, login and health take no slot
    expect((await rawRequest(`${aio.apiUrl}/api/health`)).status).toBe(200);
    held.socket.write(body.slice(5));
    await new Promise<void>((resolve) => held.socket.once('data', () => resolve()));
    held.socket.end();
    await held.closed;
    expect((await get(acmeRead)).status).toBe(200);
  });
});

describe('/metrics counts refusals per tenant and limit', () => {
  it('chainscope_tenant_limited_total{tenant,limit}', async () => {
    const metrics = (await rawRequest(`${aio.apiUrl}/metrics`, { headers: { authorization: `Bearer ${tokenOf('default', 'read')}` } })).body;
    expect(metrics).toMatch(/chainscope_tenant_limited_total\{tenant="spansy",limit="ingest_spans"\} 1\b/);
    expect(metrics).toMatch(/chainscope_tenant_limited_total\{tenant="bytesy",limit="ingest_bytes"\} 1\b/);
    expect(metrics).toMatch(/chainscope_tenant_limited_total\{tenant="grpcy",limit="ingest_spans"\} 1\b/);
    expect(metrics).toMatch(/chainscope_tenant_limited_total\{tenant="zipkinny",limit="ingest_spans"\} 1\b/);
    expect(metrics).toMatch(/chainscope_tenant_limited_total\{tenant="acme",limit="query_concurrency"\} [1-9]/);
    expect(metrics).not.toMatch(/tenant="calm"/);
  });
});
