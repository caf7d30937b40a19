import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeTraceRequestProto } from '../core/otlp';
import { percentile, round } from './stats';
import { syntheticTrace } from './synthetic-spans';

/**
 * `npm run bench`: drives an all-in-one (its own process, embedded store) with
 * protobuf OTLP at full speed and reports spans/s until queryable, peak RSS of
 * the server, and GET /api/traces/:id latency for a 1,000-span trace among
 * everything else. Figures are printed and written to bench-results/.
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TOTAL_SPANS = arg('spans', 1_000_000);
const SPANS_PER_REQUEST = arg('batch', 2_000);
const TRACE_SIZE = 20;
const CONCURRENCY = arg('concurrency', 4);
const LOOKUPS = arg('lookups', 200);
const API_PORT = 18080;
const OTLP_PORT = 14318;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-'));
  console.log(`bench: preparing ${TOTAL_SPANS.toLocaleString()} spans in requests of ${SPANS_PER_REQUEST}`);
  const requests: Buffer[] = [];
  const startUs = Date.now() * 1000 - 3_600_000_000;
  let seq = 0;
  let prepared = 0;
  let probeTraceId = '';
  while (prepared < TOTAL_SPANS) {
    const spans = [];
    while (spans.length < SPANS_PER_REQUEST && prepared + spans.length < TOTAL_SPANS) {
      const isProbe = !probeTraceId && prepared >= TOTAL_SPANS / 2;
      const trace = syntheticTrace(isProbe ? 1000 : TRACE_SIZE, startUs + seq * 1000, seq++);
      if (isProbe) probeTraceId = trace[0].traceId;
      spans.push(...trace);
    }
    prepared += spans.length;
    requests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }

  const server = startServer(dataDir);
  try {
    await waitForHealth();
    const api = `http://127.0.0.1:${API_PORT}`;
    const otlp = `http://127.0.0.1:${OTLP_PORT}/v1/traces`;
    console.log(`bench: sending ${requests.length} requests with ${CONCURRENCY} concurrent senders`);
    const t0 = performance.now();
    let next = 0;
    let refused = 0;
    const sender = async () => {
      while (next < requests.length) {
        const body = requests[next++];
        for (;;) {
          const res = await fetch(otlp, { method: 'POST', body, headers: { 'Content-Type': 'application/x-protobuf' } });
          await res.arrayBuffer();
          if (res.status === 200) break;
          if (res.status !== 503) throw new Error(`collector answered ${res.status}`);
          refused++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const tAccepted = performance.now();
    let written = 0;
    while (written < prepared) {
      written = await spansWritten(api);
      if (written < prepared) await new Promise((r) => setTimeout(r, 100));
    }
    const tQueryable = performance.now();
    const probe = (await fetch(`${api}/api/traces/${probeTraceId}`).then((r) => r.json())) as { spans?: unknown[] };
    if (probe.spans?.length !== 1000) throw new Error(`probe trace has ${probe.spans?.length} spans, expected 1000`);

    const latencies: number[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const t = performance.now();
      const res = await fetch(`${api}/api/traces/${probeTraceId}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
    }
    const searchLatencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await fetch(`${api}/api/traces?service=payment&limit=20`).then((r) => r.arrayBuffer());
      searchLatencies.push(performance.now() - t);
    }
    const peakRssMiB = peakRss(server.pid!);
    const results = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${round(os.totalmem() / 2 ** 30)} GiB, node ${process.version} (shared, noisy: compare ratios within one run)`,
      spans: prepared,
      requests: requests.length,
      spansPerRequest: SPANS_PER_REQUEST,
      acceptedSpansPerSecond: Math.round(prepared / ((tAccepted - t0) / 1000)),
      queryableSpansPerSecond: Math.round(prepared / ((tQueryable - t0) / 1000)),
      refused503: refused,
      peakServerRssMiB: peakRssMiB,
      getTrace1000SpansMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), samples: LOOKUPS },
      findTracesByServiceMs: { p50: round(percentile(searchLatencies, 50)), p95: round(percentile(searchLatencies, 95)), samples: 50 },
      storeBytes: dirSize(dataDir),
    };
    report(results);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function startServer(dataDir: string): ChildProcess {
  const entry = path.resolve(__dirname, '..', 'bin', 'chainscope.js');
  const child = spawn(process.execPath, [entry, 'all-in-one'], {
    env: { ...process.env, PORT: String(API_PORT), OTLP_HTTP_PORT: String(OTLP_PORT), DATA_DIR: dataDir, DEMO: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${API_PORT}/api/health`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('all-in-one did not become healthy in 30 s');
}

async function spansWritten(api: string): Promise<number> {
  const text = await fetch(`${api}/metrics`).then((r) => r.text());
  const m = /^chainscope_ingest_spans_written_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return round(kb / 1024);
}

function dirSize(dir: string): number {
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

function report(results: Record<string, unknown>): void {
  const outDir = path.resolve(__dirname, '..', '..', 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `all-in-one-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
  console.log(`bench: written to ${file}`);
}

main().catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
