import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../helpers/wait';
import { freePort } from '../../helpers/free-port';

const PROMETHEUS_VERSION = process.env.PROMETHEUS_VERSION ?? '0.316.0';
const CACHE_ROOT = process.env.CHAINSCOPE_CACHE ?? path.join(os.homedir(), '.cache', 'chainscope');

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

/** prometheus and promtool as built into the cache (module github.com/prometheus/prometheus), or undefined. */
export function installedPrometheus(): PrometheusBinaries | undefined {
  const dir = path.join(CACHE_ROOT, `prometheus-${PROMETHEUS_VERSION}`);
  const found = { prometheus: path.join(dir, 'prometheus'), promtool: path.join(dir, 'promtool') };
  return fs.existsSync(path.join(dir, '.chainscope-complete')) && fs.existsSync(found.prometheus) && fs.existsSync(found.promtool) ? found : undefined;
}

/**
 * `describe` for suites that need a real Prometheus: skipped when it is not in
 * the cache, except under REQUIRE_ENGINES=1 (CI builds it with
 * scripts/peers/install prometheus), where a missing build fails the suite.
 */
export function describeWithPrometheus(title: string, body: (binaries: PrometheusBinaries) => void): void {
  const binaries = installedPrometheus();
  if (binaries) {
    describe(title, () => body(binaries));
  } else if (process.env.REQUIRE_ENGINES === '1') {
    describe(title, () => {
      it('needs Prometheus', () => {
        throw new Error(`Prometheus ${PROMETHEUS_VERSION} is not built into ${CACHE_ROOT} (REQUIRE_ENGINES=1): run scripts/peers/install prometheus`);
      });
    });
  } else {
    describe.skip(`${title} [skipped: Prometheus ${PROMETHEUS_VERSION} not built into ${CACHE_ROOT}; scripts/peers/install prometheus]`, () => body({ prometheus: '', promtool: '' }));
  }
}

export function promtoolCheckMetrics(promtool: string, text: string): { status: number | null; output: string } {
  const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

export interface RunningPrometheus {
  /** e.g. http://127.0.0.1:9090 (GET /api/v1/query). */
  url: string;
  /** A PromQL instant query's vector: each sample's labels and value. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}


/** A Prometheus scraping `target` (host:port, path /metrics) every second. */
export async function startPrometheus(binary: string, target: string): Promise<RunningPrometheus> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: chainscope', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'),
  );
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer) => void (output = (output + d.toString()).slice(-8192));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const query = async (promql: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as any;
    if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${JSON.stringify(body)}`);
    return (body.data.result as any[]).map((r) => ({ metric: r.metric as Record<string, string>, value: Number(r.value[1]) }));
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
    }, 'Prometheus to be ready', 60_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, query, stop };
}
