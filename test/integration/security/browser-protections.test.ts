import { rawRequest } from '../../helpers/raw-http';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { hexId, tracesBody } from '../../e2e/otlp-fixtures';
import { seriesName } from '../../../core/metrics';

const OTLP_JSON = { 'content-type': 'application/json' };

function oneSpan(traceId: string) {
  return JSON.stringify(tracesBody(traceId, [{ spanId: hexId(8), parentSpanId: '', service: 'cors-probe', name: 'GET /x', kind: 2, startMs: Date.now() - 1000, durationMs: 5 }]));
}

describe('browser protections of every port (default settings)', () => {
  let aio: TestAllInOne;
  beforeAll(async () => {
    aio = await startTestAllInOne({ zipkinPort: 0, otlpGrpcPort: null });
  });
  afterAll(() => aio.dispose());

  const ports = () => ({
    'query API': `${aio.apiUrl}/api/health`,
    'UI': `${aio.apiUrl}/`,
    '/metrics': `${aio.apiUrl}/metrics`,
    'OTLP/HTTP': `${aio.otlpUrl}/v1/traces`,
    'Zipkin': `${aio.zipkinUrl}/api/v2/spans`,
  });

  it.each(['query API', 'UI', '/metrics', 'OTLP/HTTP', 'Zipkin'] as const)('%s: a foreign Host (DNS rebinding) gets 421 naming ALLOWED_HOSTS', async (name) => {
    const port = new URL(ports()[name]).port;
    const answer = await rawRequest(ports()[name], { headers: { host: `rebind.attacker.example:${port}` } });
    expect(answer.status).toBe(421);
    expect(JSON.parse(answer.body).error).toMatch(/Host "rebind\.attacker\.example:\d+" is not a name of this server: add it to ALLOWED_HOSTS/);
  });

  it.each(['query API', '/metrics', 'OTLP/HTTP'] as const)('%s: loopback names and IP addresses are served', async (name) => {
    const port = new URL(ports()[name]).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `app.localhost:${port}`]) {
      const answer = await rawRequest(ports()[name], { headers: { host } });
      expect([200, 404, 405]).toContain(answer.status);
    }
  });

  it('OTLP/HTTP: no CORS header for any origin, a cross-origin write is refused and nothing is kept', async () => {
    const preflight = await rawRequest(`${aio.otlpUrl}/v1/traces`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const traceId = hexId(16);
    const write = await rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { ...OTLP_JSON, origin: 'https://evil.example' }, body: oneSpan(traceId) });
    expect(write.status).toBe(403);
    expect(write.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(write.body).error).toMatch(/cross-origin request from https:\/\/evil\.example refused: add it to CORS_ALLOWED_ORIGINS/);
    // the same body without an Origin (an SDK, a collector) is taken: the refusal was the origin's
    const sdk = await rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: OTLP_JSON, body: oneSpan(hexId(16)) });
    expect(sdk.status).toBe(200);
    expect((await fetch(`${aio.apiUrl}/api/traces/${traceId}`)).status).toBe(404);
  });

  it('Zipkin: a cross-origin write with no Content-Type (what a no-cors fetch sends) is refused', async () => {
    const answer = await rawRequest(`${aio.zipkinUrl}/api/v2/spans`, { method: 'POST', headers: { origin: 'http://192.168.1.9:3000' }, body: '[]' });
    expect(answer.status).toBe(403);
  });

  it('query API: a same-origin request passes, a foreign origin cannot read', async () => {
    const host = new URL(aio.apiUrl).host;
    expect((await rawRequest(`${aio.apiUrl}/api/health`, { headers: { origin: `http://${host}` } })).status).toBe(200);
    const foreign = await rawRequest(`${aio.apiUrl}/api/health`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refusals are counted on /metrics by reason (after the tests above)', () => {
    expect(aio.counters.get(seriesName('chainscope_access_refused_total', { reason: 'host' }))).toBeGreaterThanOrEqual(5);
    expect(aio.counters.get(seriesName('chainscope_access_refused_total', { reason: 'origin' }))).toBeGreaterThanOrEqual(3);
    expect(aio.counters.toPrometheus()).toMatch(/^chainscope_access_refused_total\{reason="host"\} \d+$/m);
  });

  it('headers a scanner expects, on the API, the UI and the receivers; the UI keeps its strict CSP with frame-ancestors', async () => {
    for (const url of Object.values(ports())) {
      const { headers } = await rawRequest(url);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy']).not.toContain('unsafe-eval');
      expect(headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    }
  });
});

describe('browser protections with ALLOWED_HOSTS and CORS_ALLOWED_ORIGINS', () => {
  let aio: TestAllInOne;
  beforeAll(async () => {
    aio = await startTestAllInOne({ zipkinPort: null, otlpGrpcPort: null, allowedHosts: ['chainscope.internal'], corsAllowedOrigins: ['https://shop.example'] });
  });
  afterAll(() => aio.dispose());

  it('a listed Host is served', async () => {
    const port = new URL(aio.apiUrl).port;
    expect((await rawRequest(`${aio.apiUrl}/api/health`, { headers: { host: `chainscope.internal:${port}` } })).status).toBe(200);
    expect((await rawRequest(`${aio.apiUrl}/api/health`, { headers: { host: `chainscope.other:${port}` } })).status).toBe(421);
  });

  it('a listed origin (browser SDK) gets its preflight answered and may write; others still may not', async () => {
    const preflight = await rawRequest(`${aio.otlpUrl}/v1/traces`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    const write = await rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { ...OTLP_JSON, origin: 'https://shop.example' }, body: oneSpan(hexId(16)) });
    expect(write.status).toBe(200);
    expect(write.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect((await rawRequest(`${aio.otlpUrl}/v1/traces`, { method: 'POST', headers: { ...OTLP_JSON, origin: 'https://shop.example.evil' }, body: oneSpan(hexId(16)) })).status).toBe(403);
  });
});
