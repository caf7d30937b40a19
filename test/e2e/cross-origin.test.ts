import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser } from '../helpers/browser';
import { startTestAllInOne, type TestAllInOne } from '../helpers/all-in-one';
import { TokenStore } from '../../core/security/token-store';
import { hexId, tracesBody } from './otlp-fixtures';

/** A page on another origin (another port) that a developer happens to open while Chainscope runs. */
async function servePage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

function span(traceId: string) {
  return JSON.stringify(tracesBody(traceId, [{ spanId: hexId(8), parentSpanId: '', service: 'evil-page', name: 'GET /x', kind: 2, startMs: Date.now() - 1000, durationMs: 5 }]));
}

function zipkinSpan(traceId: string) {
  return JSON.stringify([{ traceId, id: hexId(8), name: 'get /x', timestamp: (Date.now() - 1000) * 1000, duration: 5000, localEndpoint: { serviceName: 'evil-page' } }]);
}

describeInBrowser('a page on another origin, in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(() => browser?.close());

  it('cannot write telemetry (OTLP, Zipkin; cors or no-cors) nor read the API of a default local instance', async () => {
    const aio = await startTestAllInOne({ zipkinPort: 0, otlpGrpcPort: null });
    const page = await servePage('<!doctype html><title>elsewhere</title>');
    try {
      const tab = await browser.newPage();
      await tab.goto(page.url);
      const ids = { cors: hexId(16), noCors: hexId(16), zipkin: hexId(16) };
      const outcome = await tab.evaluate(
        async ({ otlp, zipkin, api, bodies }) => {
          const attempt = async (f: () => Promise<Response>) => {
            try {
              const res = await f();
              return res.type === 'opaque' ? 'opaque' : `status ${res.status}: ${await res.text()}`;
            } catch (err) {
              return `blocked: ${(err as Error).name}`;
            }
          };
          return {
            corsWrite: await attempt(() => fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies.cors })),
            noCorsWrite: await attempt(() => fetch(`${otlp}/v1/traces`, { method: 'POST', mode: 'no-cors', body: new Blob([bodies.noCors]) })),
            // no Content-Type at all: what Zipkin servers take as JSON
            noCorsZipkin: await attempt(() => fetch(`${zipkin}/api/v2/spans`, { method: 'POST', mode: 'no-cors', body: new Blob([bodies.zipkin]) })),
            read: await attempt(() => fetch(`${api}/api/services`)),
          };
        },
        { otlp: aio.otlpUrl, zipkin: aio.zipkinUrl, api: aio.apiUrl, bodies: { cors: span(ids.cors), noCors: span(ids.noCors), zipkin: zipkinSpan(ids.zipkin) } },
      );
      expect(outcome.corsWrite).toBe('blocked: TypeError');
      expect(outcome.read).toBe('blocked: TypeError');
      // a no-cors request is sent and its answer hidden from the page (opaque, or blocked by CORP): what matters is that the server refused it
      expect(['opaque', 'blocked: TypeError']).toContain(outcome.noCorsWrite);
      expect(['opaque', 'blocked: TypeError']).toContain(outcome.noCorsZipkin);
      expect(aio.counters.get('chainscope_receiver_spans_accepted_total') ?? 0).toBe(0);
      for (const id of Object.values(ids)) expect((await fetch(`${aio.apiUrl}/api/traces/${id}`)).status).toBe(404);
      const services = (await (await fetch(`${aio.apiUrl}/api/services`)).json()) as { data?: string[] } | string[];
      expect(JSON.stringify(services)).not.toContain('evil-page');
    } finally {
      await page.close();
      await aio.dispose();
    }
  }, 60_000);

  it('AUTH=tokens: the login page exchanges a token for an HttpOnly session the page cannot read, and the API answers', async () => {
    const aio = await startTestAllInOne({ auth: 'tokens', zipkinPort: null, otlpGrpcPort: null });
    try {
      const { token } = new TokenStore(`${aio.dataDir}/security/tokens.json`).create('browser', 'read');
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await tab.goto(`${aio.apiUrl}/login`);
      expect(await tab.evaluate(() => fetch('api/services').then((r) => r.status))).toBe(401);
      await tab.fill('#token', 'cs_wrong');
      await tab.click('button[type=submit]');
      await tab.waitForFunction(() => document.getElementById('login-error')?.textContent !== '');
      await tab.fill('#token', token);
      await Promise.all([tab.waitForURL(`${aio.apiUrl}/`), tab.click('button[type=submit]')]);
      expect(await tab.evaluate(() => document.cookie)).not.toContain('chainscope_session');
      expect(await tab.evaluate(() => fetch('api/services').then((r) => r.status))).toBe(200);
      expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
    } finally {
      await aio.dispose();
    }
  }, 60_000);
});
