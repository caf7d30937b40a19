import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser } from '../helpers/browser';
import { startTestAllInOne, type TestAllInOne } from '../helpers/all-in-one';
import { claimsFor, jwksOf, makeKey, signJwt, type TestKey } from '../helpers/jwt-issuer';
import { XSS_NAME } from './otlp-fixtures';

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'chainscope-ui';

describeInBrowser('UI log-in with a JWT (AUTH=tokens, JWT_ISSUER), in Chromium', () => {
  let browser: Browser;
  let aio: TestAllInOne;
  let key: TestKey;
  let jwksDir: string;

  beforeAll(async () => {
    key = makeKey('ES256');
    jwksDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-e2e-jwks-'));
    fs.writeFileSync(path.join(jwksDir, 'jwks.json'), jwksOf(key));
    aio = await startTestAllInOne({ auth: 'tokens', zipkinPort: null, otlpGrpcPort: null, jwtIssuer: ISSUER, jwtAudience: [AUDIENCE], jwtJwksFile: path.join(jwksDir, 'jwks.json') });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await aio?.dispose();
    fs.rmSync(jwksDir, { recursive: true, force: true });
  });

  it('a refused JWT shows why, as text (a hostile issuer does not run); a valid one logs in to an HttpOnly session', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await tab.goto(`${aio.apiUrl}/login`);
    const tryToken = async (token: string) => {
      await tab.evaluate(() => (document.getElementById('login-error')!.textContent = ''));
      await tab.fill('#token', token);
      await tab.click('button[type=submit]');
      await tab.waitForFunction(() => document.getElementById('login-error')?.textContent !== '');
      return tab.evaluate(() => document.getElementById('login-error')!.textContent);
    };
    const now = Math.floor(Date.now() / 1000);
    expect(await tryToken(signJwt(key, claimsFor(ISSUER, AUDIENCE, { exp: now - 3600 })))).toMatch(/^Not accepted: the JWT has expired/);
    expect(await tryToken(signJwt(key, claimsFor(ISSUER, 'another-app')))).toMatch(/does not include "chainscope-ui"/);
    const hostile = await tryToken(signJwt(key, claimsFor(XSS_NAME, AUDIENCE)));
    expect(hostile).toContain(XSS_NAME);
    expect(await tab.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await tab.locator('#login-error img').count()).toBe(0);

    await tab.fill('#token', signJwt(key, claimsFor(ISSUER, AUDIENCE, { sub: 'alice', roles: ['read'] })));
    await Promise.all([tab.waitForURL(`${aio.apiUrl}/`), tab.click('button[type=submit]')]);
    expect(await tab.evaluate(() => document.cookie)).not.toContain('chainscope_session');
    expect(await tab.evaluate(() => fetch('api/session').then((r) => r.json()))).toMatchObject({ role: 'read', tenant: 'default' });
    expect(await tab.evaluate(() => fetch('api/services').then((r) => r.status))).toBe(200);
    expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
  }, 60_000);
});
