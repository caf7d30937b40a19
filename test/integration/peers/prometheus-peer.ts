import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cachedPeerFiles, describeWithPeer, peerFolder, startPeerProcess } from '../../helpers/cached-peer';
import { freePort } from '../../helpers/free-port';

const PROMETHEUS_VERSION = process.env.PROMETHEUS_VERSION ?? '0.316.0';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

/** prometheus and promtool as built into the cache (module github.com/prometheus/prometheus), or undefined. */
export function installedPrometheus(): PrometheusBinaries | undefined {
  const found = cachedPeerFiles(`prometheus-${PROMETHEUS_VERSION}`, ['prometheus', 'promtool']);
  return found && { prometheus: found[0], promtool: found[1] };
}

/** `describe` for suites that need a real Prometheus (see describeWithPeer). */
export function describeWithPrometheus(title: string, body: (binaries: PrometheusBinaries) => void): void {
  describeWithPeer(
    { name: `Prometheus ${PROMETHEUS_VERSION}`, install: 'scripts/peers/install prometheus', find: installedPrometheus, placeholder: { prometheus: '', promtool: '' } },
    title,
    body,
  );
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
  const folder = peerFolder('prometheus');
  const configFile = path.join(folder, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: chainscope', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const query = async (promql: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as any;
    if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${JSON.stringify(body)}`);
    return (body.data.result as any[]).map((r) => ({ metric: r.metric as Record<string, string>, value: Number(r.value[1]) }));
  };
  const { stop } = await startPeerProcess({
    name: 'Prometheus',
    binary,
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    folder,
    ready: async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok,
    timeoutMs: 60_000,
  });
  return { url, query, stop };
}
