/**
 * Shipper throughput: a pre-written file of N lines shipped by `chainscope ship`
 * (its own process, from dist/) into a backend, timed from the shipper's start
 * until the collector accepted every line and until the store holds every line.
 *
 *   npm run bench -- --shipper [--backend embedded|opensearch] [--lines 1000000] [--batch N] [--cpu-prof-dir DIR]
 *   node dist/bench/shipper.js ...            # the same, directly
 *
 * embedded: the all-in-one as its own process (receiver, in-process bus, ingest
 * thread, embedded store). opensearch: the distributed pipeline as bench/distributed.ts
 * starts it (collector and ingest processes, real Kafka, OpenSearch for logs,
 * ClickHouse for the business keys found in the lines), unique names per run,
 * its indices and database dropped afterwards. With --cpu-prof-dir every process
 * (shipper, all-in-one or collector and ingest) writes a V8 CPU profile there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IndexNames, openSearchTransport } from '../storage/search';
import { machineNote, numberFlag, stringFlag } from './args';
import { distributedEnv, dropBenchData } from './distributed';
import { counter, cpuSeconds, peakRssMiB, report, startRoleProcess, type ServerProcess } from './load';

const SERVICE = 'bench-ship';
const ACCEPTED = 'chainscope_receiver_logs_accepted_total';
const WRITTEN = 'chainscope_ingest_logs_written_total';

/** Where the shipper sends and how to watch and check the result. */
interface Target {
  otlpUrl: string;
  /** /metrics of the processes with the receiver, and of those that write the store. */
  receiverMetrics: string[];
  ingestMetrics: string[];
  /** Processes to report CPU and memory of, by role. */
  processes: Record<string, ServerProcess>;
  /** Records of the bench's service the store holds (read back, not from counters). */
  storedCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function benchShipper(args: string[]): Promise<void> {
  const lines = numberFlag(args, 'lines', 1_000_000);
  const batch = args.includes('--batch') ? numberFlag(args, 'batch', 0) : undefined;
  const backend = stringFlag(args, 'backend', 'embedded');
  if (backend !== 'embedded' && backend !== 'opensearch') throw new Error(`--backend must be embedded or opensearch, got ${backend}`);
  const profDir = stringFlag(args, 'cpu-prof-dir', '');
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : [];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ship-'));
  const file = path.join(dir, 'app.log');
  const bytes = writeLogFile(file, lines);
  console.log(`bench: ${lines.toLocaleString()} lines (${(bytes / 2 ** 20).toFixed(0)} MiB) → chainscope ship → ${backend}`);
  const target = backend === 'embedded' ? await startEmbedded(dir, nodeArgs) : await startOpenSearch(nodeArgs);
  let shipper: ServerProcess | undefined;
  try {
    const shipArgs = ['--path', file, '--service', SERVICE, '--endpoint', target.otlpUrl, '--state-dir', path.join(dir, 'state'), '--status-interval-ms', '0'];
    if (batch) shipArgs.push('--batch-size', String(batch));
    const t0 = performance.now();
    shipper = startShipper(shipArgs, nodeArgs);
    const sum = async (urls: string[], name: string) => (await Promise.all(urls.map((u) => counter(u, name)))).reduce((a, b) => a + b, 0);
    let acceptedMs = 0;
    let storedMs = 0;
    let last = -1;
    let lastChange = Date.now();
    let lastProgress = t0;
    while (!storedMs) {
      const [accepted, written] = await Promise.all([sum(target.receiverMetrics, ACCEPTED), sum(target.ingestMetrics, WRITTEN)]);
      const now = performance.now();
      if (now - lastProgress >= 5000) {
        lastProgress = now;
        console.log(`bench: ${((now - t0) / 1000).toFixed(0)} s: ${accepted} accepted, ${written} stored`);
      }
      if (!acceptedMs && accepted >= lines) acceptedMs = now - t0;
      if (written >= lines) storedMs = now - t0;
      if (accepted + written !== last) {
        last = accepted + written;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 60_000) {
        throw new Error(`no progress for 60 s: ${accepted} accepted, ${written} written of ${lines}`);
      }
      if (shipper.child.exitCode !== null) throw new Error(`the shipper exited with ${shipper.child.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const stored = await target.storedCount();
    if (stored !== lines) throw new Error(`the store holds ${stored} records of ${SERVICE}, expected ${lines} (each line once)`);
    const cpu: Record<string, unknown> = { shipper: cpuSeconds(shipper.child.pid!).total };
    const rss: Record<string, number> = { shipper: peakRssMiB(shipper.child.pid!) };
    for (const [role, p] of Object.entries(target.processes)) {
      cpu[role] = cpuSeconds(p.child.pid!);
      rss[role] = peakRssMiB(p.child.pid!);
    }
    report(`shipper-${backend}`, {
      date: new Date().toISOString(),
      machine: `${machineNote()}${backend === 'opensearch' ? '; Kafka, OpenSearch and ClickHouse on the same machine' : ''}`,
      backend,
      lines,
      fileMiB: Math.round(bytes / 2 ** 20),
      batchSize: batch ?? 'shipper default',
      acceptedSeconds: Math.round(acceptedMs) / 1000,
      acceptedLinesPerSecond: Math.round(lines / (acceptedMs / 1000)),
      storedSeconds: Math.round(storedMs) / 1000,
      storedLinesPerSecond: Math.round(lines / (storedMs / 1000)),
      storedRecordsReadBack: stored,
      cpuSeconds: cpu,
      peakRssMiB: rss,
    });
  } finally {
    await shipper?.stop();
    await target.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `lines` log lines (ISO time, level, order id) an hour in the past, one ms apart; returns the file size. */
function writeLogFile(file: string, lines: number): number {
  const base = Date.now() - 3600_000;
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
  const out = fs.openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += `${new Date(base + i).toISOString()} ${levels[i % levels.length]} [worker-${i % 8}] order.id=ORD-${i % 5000} step ${i} done in ${i % 997} ms\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = '';
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  return fs.statSync(file).size;
}

function startShipper(args: string[], nodeArgs: string[]): ServerProcess {
  const entry = path.resolve(__dirname, '..', 'bin', 'chainscope.js');
  const child = spawn(process.execPath, [...nodeArgs, entry, 'ship', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    url: () => Promise.reject(new Error('the shipper serves nothing')),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startEmbedded(dir: string, nodeArgs: string[]): Promise<Target> {
  const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: path.join(dir, 'data') }, nodeArgs);
  try {
    const api = await server.url(/query API and UI listening/);
    const otlpUrl = await server.url(/OTLP\/HTTP receiver listening/);
    return {
      otlpUrl,
      receiverMetrics: [`${api}/metrics`],
      ingestMetrics: [`${api}/metrics`],
      processes: { 'all-in-one': server },
      async storedCount() {
        // Exact counts: the histogram's buckets are counted, not capped like a search total.
        const res = await fetch(`${api}/api/logs/histogram?service=${SERVICE}&start=${Date.now() - 3 * 3600_000}&end=${Date.now() + 60_000}`);
        if (!res.ok) throw new Error(`histogram: ${res.status} ${await res.text()}`);
        const body = (await res.json()) as { buckets: { total: number }[] };
        return body.buckets.reduce((n, b) => n + b.total, 0);
      },
      stop: () => server.stop(),
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

async function startOpenSearch(nodeArgs: string[]): Promise<Target> {
  const env = distributedEnv();
  const ingest = startRoleProcess('ingest', env, nodeArgs);
  const collector = startRoleProcess('collector', env, nodeArgs);
  const stop = async () => {
    await collector.stop();
    await ingest.stop();
    await dropBenchData(env);
  };
  try {
    const otlpUrl = await collector.url(/OTLP\/HTTP receiver listening/);
    const collectorOps = await collector.url(/health and metrics on/);
    const ingestOps = await ingest.url(/health and metrics on/);
    return {
      otlpUrl,
      receiverMetrics: [`${collectorOps}/metrics`],
      ingestMetrics: [`${ingestOps}/metrics`],
      processes: { collector, ingest },
      async storedCount() {
        const transport = openSearchTransport({ url: process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200' });
        try {
          const index = new IndexNames(env.LOG_INDEX_PREFIX).read;
          await transport.refresh(index);
          return await transport.count(index, { query: { term: { service: SERVICE } } });
        } finally {
          await transport.close();
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

if (require.main === module) {
  benchShipper(process.argv.slice(2)).catch((err) => {
    console.error(`bench failed: ${err?.stack ?? err}`);
    process.exitCode = 1;
  });
}
