/**
 * Log search benchmark (a script, not a test).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/log-search.js [lines=5000000] [--opensearch [url]] [--os-lines N]
 *     [--dir=/path] [--keep] [--reuse] [--runs 40]
 *
 * Writes N order-center log lines (bench/synthetic-logs.ts: 5 services, 6
 * message shapes, order/customer ids, trace context) into the embedded store
 * directly, in batches of 5,000, and with --opensearch also into OpenSearch
 * (bulk, through SearchLogStore; --os-lines caps that count), then measures
 * search latency (p50/p95 over --runs runs, limit 100, total counted up to
 * 10,000) for a word query, a field+phrase query, a rare-word query and a
 * histogram. Prints one line per figure. --reuse measures a --dir kept by an
 * earlier run (with the same line count) without writing it again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogStore } from '../core/contracts/log-store';
import { parseLogQuery } from '../core/logql';
import { openEmbeddedStores } from '../storage/embedded';
import { openSearchLogStore } from '../storage/search';
import type { SearchLogStore } from '../storage/search';
import { machineNote, numberFlag } from './args';
import { syntheticLogs } from './synthetic-logs';

const args = process.argv.slice(2);
const total = Number(args.find((a) => /^\d+$/.test(a)) ?? 5_000_000);
const runs = numberFlag(args, 'runs', 40);
const osIndex = args.indexOf('--opensearch');
const osUrl = osIndex >= 0 && args[osIndex + 1] && !args[osIndex + 1].startsWith('--') && !/^\d+$/.test(args[osIndex + 1]) ? args[osIndex + 1] : 'http://127.0.0.1:9200';
const osLines = numberFlag(args, 'os-lines', total);
const keep = args.includes('--keep');
const reuse = args.includes('--reuse');
const dirArg = args.find((a) => a.startsWith('--dir='))?.slice(6);
const BATCH = 5_000;
/** One record per 10 µs from an hour ago (syntheticLogs spacing). */
let START_US = Date.now() * 1000 - 3_600_000_000;

const QUERIES: [string, string][] = [
  ['word', 'declined'],
  ['field+phrase', 'service:payment AND "card declined"'],
  ['rare word', 'ORD-123456'],
  ['level+attr', 'level:>=warn AND customer.id:CUST-42*'],
];

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeIt(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

async function load(store: LogStore, n: number, concurrency: number, label: string): Promise<void> {
  const t = Date.now();
  let next = 0;
  const worker = async () => {
    for (let seq = next++; seq * BATCH < n; seq = next++) {
      const count = Math.min(BATCH, n - seq * BATCH);
      const logs = syntheticLogs(BATCH, START_US, seq).slice(0, count);
      await store.writeLogs({ logs, businessKeys: [] });
      if ((seq * BATCH) % 500_000 === 0) process.stderr.write(`${label}: ${seq * BATCH} lines\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = (Date.now() - t) / 1000;
  console.log(`${label}: wrote ${n.toLocaleString('en')} lines in ${s.toFixed(1)} s (${Math.round(n / s).toLocaleString('en')} lines/s)`);
}

async function measure(store: LogStore, label: string): Promise<void> {
  for (const [name, q] of QUERIES) {
    const filter = parseLogQuery(q);
    const first = await store.search({ filter, limit: 100 });
    const r = await timeIt(() => store.search({ filter, limit: 100 }));
    console.log(
      `${label} search ${name} (${q}): p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms; total ${first.total}${first.totalIsLowerBound ? '+' : ''}`,
    );
  }
  const filter = parseLogQuery('declined');
  const window = { startUs: START_US, endUs: START_US + total * 10 };
  const interval = Math.max(1_000, Math.ceil((total * 10) / 60 / 1000) * 1000);
  const h = await timeIt(() => store.histogram({ filter, ...window }, interval));
  console.log(`${label} histogram (declined, 60 buckets): p50 ${h.p50.toFixed(1)} ms, p95 ${h.p95.toFixed(1)} ms`);
  const f = await timeIt(() => store.facets({ filter: parseLogQuery('level:error'), ...window }, { kind: 'service' }, 10));
  console.log(`${label} facets (service | level:error): p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`);
}

async function main(): Promise<void> {
  console.log(`log search bench: ${total.toLocaleString('en')} lines; ${machineNote()}`);
  const dir = dirArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-logbench-'));
  const { spans, logs } = openEmbeddedStores({ dataDir: dir });
  await spans.shutdown();
  try {
    if (reuse) {
      // the kept lines start where that run started them
      const first = await logs.search({ sort: 'time_asc', limit: 1 });
      if (first.logs.length === 0) throw new Error(`--reuse: no lines in ${dir}`);
      START_US = first.logs[0].timeUs;
      console.log(`embedded: reusing ${dir}`);
    }
    else await load(logs, total, 1, 'embedded');
    await measure(logs, 'embedded');
  } finally {
    await logs.shutdown();
    if (!keep && !dirArg) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (osIndex >= 0) {
    const store = openSearchLogStore({ url: osUrl, indexPrefix: `cs-logbench-${process.pid}`, numberOfReplicas: 0 }) as SearchLogStore;
    try {
      await store.start();
      await load(store, Math.min(osLines, total), 4, 'opensearch');
      await store.refresh();
      await measure(store, 'opensearch');
    } finally {
      if (!keep) await store.uninstall();
      await store.shutdown();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
