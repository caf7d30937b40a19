import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenStore } from '../../../core/security/token-store';
import { ensureFreshBuild } from '../../helpers/fresh-build';
import { otlpJsonLogs, otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';
import { spawnRole, type RoleProcess } from '../../helpers/processes';
import { waitFor } from '../../helpers/wait';

/**
 * Schemathesis fuzzes every operation of /api/openapi.json against an
 * all-in-one (its own process, with some traces and logs in it): no answer may
 * be a 5xx, answers must match the description, and the process must still
 * answer /api/health afterwards. The live tail and the dashboard stream are left out: their streams never
 * ends, so a fuzzer request to it could only time out.
 *
 * Needs schemathesis (scripts/fuzz/install-schemathesis, which .ci/run calls):
 * skipped with a message without it, a failure under REQUIRE_ENGINES=1.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const INSTALLER = path.join(REPO, 'scripts', 'fuzz', 'install-schemathesis');
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 60);
/** The whole schemathesis run; it stops generating when this is spent. */
const MAX_SECONDS = 120;

/** The installed schemathesis of the pinned version, or undefined when it is not installed. */
function schemathesisPath(): Promise<string | undefined> {
  return new Promise((resolve) => execFile(INSTALLER, ['--print-path'], (err, stdout) => resolve(err ? undefined : stdout.trim().split('\n').pop())));
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The end of schemathesis's report with each line cut to 300 characters (a fuzzed URL can fill a whole tail otherwise). */
function readableTail(output: string): string {
  return output.split('\n').map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line)).join('\n').slice(-12_000);
}

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number };
}

/** Requests per status code, and every 5xx with its request. */
function summarize(entries: HarEntry[]): { total: number; byStatus: Record<string, number>; serverErrors: string[] } {
  const byStatus: Record<string, number> = {};
  const serverErrors: string[] = [];
  for (const e of entries) {
    byStatus[e.response.status] = (byStatus[e.response.status] ?? 0) + 1;
    if (e.response.status >= 500) serverErrors.push(`${e.response.status} ${e.request.method} ${e.request.url.slice(0, 300)}`);
  }
  return { total: entries.length, byStatus, serverErrors };
}

/**
 * One schemathesis run over the description at `api`/api/openapi.json with
 * `extraArgs` (which operations, headers): its exit code and output, and the
 * requests it sent summarised from its HAR report.
 */
async function fuzz(bin: string, api: string, workDir: string, extraArgs: string[]) {
  const reportDir = fs.mkdtempSync(path.join(workDir, 'report-'));
  const harPath = path.join(reportDir, 'requests.har');
  const { code, output } = await run(
    bin,
    [
      'run',
      `${api}/api/openapi.json`,
      ...extraArgs,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--max-examples',
      String(MAX_EXAMPLES),
      '--max-time',
      String(MAX_SECONDS),
      // one worker: hypothesis on Python 3.11 can trip over its own AST parsing when run in threads
      '--workers',
      '1',
      '--request-timeout',
      '10',
      '--max-response-time',
      '10',
      '--continue-on-failure',
      '--no-shrink',
      '--report',
      'har',
      '--report-dir',
      reportDir,
      '--report-har-path',
      harPath,
    ],
    // its example database (.schemathesis/) goes to the scratch folder, not the repository
    workDir,
    (MAX_SECONDS + 90) * 1000,
  );
  const entries = fs.existsSync(harPath) ? (JSON.parse(fs.readFileSync(harPath, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries : [];
  const summary = summarize(entries);
  const seed = /Seed: (\d+)/.exec(output)?.[1];
  console.log(
    `api-fuzz: schemathesis sent ${summary.total} requests (seed ${seed ?? '?'}, max ${MAX_EXAMPLES} examples per operation); by status: ${Object.entries(summary.byStatus)
      .map(([s, n]) => `${s}×${n}`)
      .join(', ')}`,
  );
  return { code, output, summary };
}

/** Without schemathesis: a skip with a message, or under REQUIRE_ENGINES=1 a failure. */
function skipWithoutSchemathesis(bin: string | undefined): bin is undefined {
  if (bin) return false;
  if (process.env.REQUIRE_ENGINES === '1') throw new Error('schemathesis is not installed: run scripts/fuzz/install-schemathesis (REQUIRE_ENGINES=1)');
  console.warn('api-fuzz: skipped, schemathesis not installed (scripts/fuzz/install-schemathesis; REQUIRE_ENGINES=1 makes this a failure)');
  return true;
}

describe('query API under schemathesis', () => {
  let bin: string | undefined;
  let proc: RoleProcess | undefined;
  let api = '';
  let dataDir = '';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-fuzz-'));

  beforeAll(async () => {
    bin = await schemathesisPath();
    if (!bin) return;
    ensureFreshBuild();
    dataDir = path.join(workDir, 'data');
    proc = spawnRole('all-in-one', { DATA_DIR: dataDir, PORT: '0', OTLP_HTTP_PORT: '0' });
    api = (await proc.waitForOutput(/query API and UI listening on (http:\/\/\S+)/))[1];
    const otlp = (await proc.waitForOutput(/OTLP\/HTTP receiver listening on (http:\/\/\S+)/))[1];
    await proc.waitForOutput(/all-in-one running/);

    const now = Date.now();
    const traceId = randomTraceId();
    const root = randomSpanId();
    const spans = [
      { traceId, spanId: root, name: 'POST /orders', service: 'fuzz-api', startMs: now - 2_000, durationMs: 300, kind: 2, attributes: { 'order.id': 'ORD-FUZZ-1' } },
      { traceId, spanId: randomSpanId(), parentSpanId: root, name: 'SELECT orders', service: 'fuzz-api', startMs: now - 1_900, durationMs: 50, kind: 3, attributes: { 'db.system': 'postgresql' } },
      { traceId: randomTraceId(), spanId: randomSpanId(), name: 'charge', service: 'fuzz-pay', startMs: now - 1_000, durationMs: 80, kind: 2, error: true, attributes: { 'order.id': 'ORD-FUZZ-1' } },
    ];
    const post = (p: string, body: string) => fetch(`${otlp}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect((await post('/v1/traces', otlpJsonTraces(spans))).status).toBe(200);
    const logs = Array.from({ length: 20 }, (_, i) => ({
      service: i % 2 ? 'fuzz-api' : 'fuzz-pay',
      timeMs: now - 1_500 + i,
      body: `order ORD-FUZZ-${i} ${i % 3 ? 'accepted' : 'declined: card expired'}`,
      severityText: i % 3 ? 'INFO' : 'ERROR',
      severityNumber: i % 3 ? 9 : 17,
      traceId,
      spanId: root,
    }));
    expect((await post('/v1/logs', otlpJsonLogs(logs))).status).toBe(200);
    await waitFor(async () => ((await (await fetch(`${api}/api/logs?service=fuzz-api`)).json()) as { total: number }).total === 10 || undefined, 'logs stored');
  }, 120_000);

  afterAll(async () => {
    await proc?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('finds no 5xx, answers as described, and the process still answers /api/health afterwards', async () => {
    if (skipWithoutSchemathesis(bin)) return;
    const { code, output, summary } = await fuzz(bin, api, workDir, ['--exclude-path', '/api/logs/tail', '--exclude-path', '/api/dashboards/{id}/stream']);

    const health = await fetch(`${api}/api/health`, { signal: AbortSignal.timeout(5_000) });
    expect(proc!.child.exitCode).toBeNull();
    expect(health.status).toBe(200);
    expect(summary.serverErrors).toEqual([]);
    expect(summary.total).toBeGreaterThan(100);
    if (code !== 0) throw new Error(`schemathesis exited with ${code}:\n${readableTail(output)}`);
  }, (MAX_SECONDS + 180) * 1000);
});

describe('the log-in and admin API (AUTH=tokens) under schemathesis', () => {
  let bin: string | undefined;
  let proc: RoleProcess | undefined;
  let api = '';
  let adminToken = '';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-fuzz-auth-'));

  beforeAll(async () => {
    bin = await schemathesisPath();
    if (!bin) return;
    ensureFreshBuild();
    const dataDir = path.join(workDir, 'data');
    adminToken = new TokenStore(path.join(dataDir, 'security', 'tokens.json')).create('fuzzer', 'admin').token;
    proc = spawnRole('all-in-one', { DATA_DIR: dataDir, PORT: '0', OTLP_HTTP_PORT: '0', AUTH: 'tokens' });
    api = (await proc.waitForOutput(/query API and UI listening on (http:\/\/\S+)/))[1];
    await proc.waitForOutput(/all-in-one running/);
  }, 120_000);

  afterAll(async () => {
    await proc?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('finds no 5xx and answers /api/session, /api/admin/tokens and /login as described; the admin token still works afterwards', async () => {
    if (skipWithoutSchemathesis(bin)) return;
    const { code, output, summary } = await fuzz(bin, api, workDir, ['--include-path-regex', '^/(api/session|api/admin/|login)', '--header', `Authorization: Bearer ${adminToken}`]);
    expect(proc!.child.exitCode).toBeNull();
    expect((await fetch(`${api}/api/admin/tokens`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
    expect(summary.serverErrors).toEqual([]);
    expect(summary.total).toBeGreaterThan(50);
    if (code !== 0) throw new Error(`schemathesis exited with ${code}:\n${readableTail(output)}`);
  }, (MAX_SECONDS + 180) * 1000);
});
