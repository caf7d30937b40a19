import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFreshBuild } from '../../helpers/fresh-build';

/**
 * DASHBOARDS_DIR through the real CLI: a file that does not conform stops
 * start-up with one line naming the file, the JSON path and what was expected
 * (exit 2); a good one is served next to the shipped dashboards.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'bin', 'chainscope.js');

beforeAll(() => ensureFreshBuild(), 180_000);

const dirs: string[] = [];
function folder(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-dashboards-dir-'));
  dirs.push(dir);
  for (const [name, doc] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(doc));
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Starts the all-in-one; resolves when it exits, or with its API URL once it listens (then `stop` ends it). */
function start(dashboardsDir: string): Promise<{ code: number | null; stderr: string; url?: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, 'all-in-one'], {
      env: { ...process.env, DEMO: '0', HOST: '127.0.0.1', PORT: '0', OTLP_HTTP_PORT: '0', OTLP_GRPC_PORT: 'off', ZIPKIN_PORT: 'off', DATA_DIR: folder({}), DASHBOARDS_DIR: dashboardsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    const stop = () => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM'))));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start and no failure after 30 s:\n${out}${stderr}`));
    }, 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /query API and UI listening on .*?(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ code: null, stderr, url: m[1], stop });
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stop });
    });
  });
}

describe('DASHBOARDS_DIR at start-up', () => {
  it('refuses a bad dashboard file in one line naming the file, the JSON path and what was expected, exit 2', async () => {
    const dir = folder({ 'payments.json': { id: 'payments', title: 'Payments', panels: [{ id: 'p', title: 'P', type: 'table', x: 0, y: 0, w: 3, h: 2, query: { kind: 'cpu' } }] } });
    const result = await start(dir);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `chainscope: cannot start: dashboard ${path.join(dir, 'payments.json')}: $.panels[0].query.kind: expected one of "services", "topology", "error-operations", "error-bursts", "orders", "order-stages", "slow-orders", "log-rate", "log-messages", "order-latency", "service-latency", "log-tail", "metric"`,
    );
  }, 60_000);

  it('serves a good one next to the shipped dashboards', async () => {
    const dir = folder({ 'payments.json': { id: 'payments', title: 'Payments', panels: [{ id: 'p', title: 'P', type: 'table', x: 0, y: 0, w: 3, h: 2, query: { kind: 'services' } }] } });
    const started = await start(dir);
    try {
      expect(started.url).toBeDefined();
      const list = (await (await fetch(`${started.url}/api/dashboards`)).json()) as { dashboards: { id: string }[] };
      expect(list.dashboards.map((d) => d.id)).toEqual(['logs', 'order-center', 'payments', 'service-health']);
      const data = (await (await fetch(`${started.url}/api/dashboards/payments/data`)).json()) as { panels: Record<string, { ok: boolean }> };
      expect(data.panels.p.ok).toBe(true);
    } finally {
      await started.stop();
    }
  }, 60_000);
});
