import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser, launchBrowser, REPO } from '../helpers/browser';
import { freePort } from '../helpers/free-port';
import { ensureFreshBuild } from '../helpers/fresh-build';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../helpers/otlp-json';
import { spawnRole, type RoleProcess } from '../helpers/processes';
import { waitFor } from '../helpers/wait';
import { screenGridFilter, waitForScreenUpdate } from '../helpers/wall-screen';

/**
 * The recovery test, as an operations room lives it: the real
 * all-in-one (`chainscope all-in-one`, its own process) serves a kiosk wall
 * screen in Chromium; the all-in-one is stopped for 30 s and started again on
 * the same port and data folder. While it is gone the screen keeps its last
 * data greyed with "stale since …"; when it is back the screen recovers by
 * itself (no reload: the same document) and shows the stored data again.
 * (screens.test.ts does the same against an in-process query server for a
 * few seconds; this one uses the process an operator runs, and the full 30 s,
 * long enough for the reconnect backoff to reach its 30 s ceiling.)
 */
const DOWN_MS = 30_000;

describeInBrowser('a wall screen outlives a 30 s stop of the all-in-one', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-screen-recovery-'));
  let proc: RoleProcess | undefined;
  let port = 0;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function startAllInOne(): Promise<string> {
    proc = spawnRole('all-in-one', { DATA_DIR: dataDir, PORT: String(port), OTLP_HTTP_PORT: '0' });
    await proc.waitForOutput(/query API and UI listening on http:\/\/\S+/);
    const otlp = (await proc.waitForOutput(/OTLP\/HTTP receiver listening on (http:\/\/\S+)/))[1];
    await proc.waitForOutput(/all-in-one running/);
    return otlp;
  }

  beforeAll(async () => {
    ensureFreshBuild();
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    const otlp = await startAllInOne();
    // a few calls over the last minutes: checkout → payment, one in five failing
    const now = Date.now();
    const spans = [];
    for (let i = 0; i < 20; i++) {
      const traceId = randomTraceId();
      const root = randomSpanId();
      const startMs = now - (20 - i) * 6_000;
      spans.push({ traceId, spanId: root, name: 'POST /checkout', service: 'checkout', kind: 2, startMs, durationMs: 80 });
      spans.push({ traceId, spanId: randomSpanId(), parentSpanId: root, name: 'charge', service: 'payment', kind: 2, startMs: startMs + 10, durationMs: 50, error: i % 5 === 0 });
    }
    const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJsonTraces(spans) });
    expect(res.status).toBe(200);
    const api = `http://127.0.0.1:${port}`;
    await waitFor(async () => {
      const { services } = (await (await fetch(`${api}/api/services`)).json()) as { services: string[] };
      return services.length >= 2 ? true : undefined;
    }, 'the two services to be stored', 20_000);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await proc?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('stale while it is down, recovered without a reload when it is back', async () => {
    await page.goto(`http://127.0.0.1:${port}/#/screens/service-health?kiosk=1&refresh=2s&theme=dark`);
    await waitForScreenUpdate(page, 30_000);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const serviceRows = page.locator('[data-panel="services"] tbody tr');
    await waitFor(async () => ((await serviceRows.count()) >= 2 ? true : undefined), 'the services table to list both services', 20_000);
    const rows = await serviceRows.count();

    const stoppedAt = Date.now();
    expect(await proc!.stop('SIGTERM')).toBe(0);
    await page.waitForSelector('.screen.stale', { timeout: 15_000 });
    // down for the full 30 s; the screen says since when, keeps its data, greyed
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, DOWN_MS - (Date.now() - stoppedAt))));
    const status = (await page.locator('.screen-status').textContent()) ?? '';
    expect(status).toMatch(/^stale since \d\d:\d\d:\d\d \((2\d|3\d)s\)/);
    expect(await serviceRows.count()).toBe(rows);
    expect(await screenGridFilter(page)).toContain('grayscale');
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-recovery-stale.png') });

    await startAllInOne();
    const restartedAt = Date.now();
    // the reconnect waits at most 30 s (+20 % jitter) between attempts
    await page.waitForSelector('.screen:not(.stale)', { timeout: 45_000 });
    await waitForScreenUpdate(page, 15_000);
    console.log(`screen recovery: stale after the stop, recovered ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart (down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s)`);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await serviceRows.count()).toBe(rows);
    expect(await screenGridFilter(page)).not.toContain('grayscale');
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-recovery-back.png') });
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
