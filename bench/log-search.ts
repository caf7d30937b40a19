/**
 * Log search benchmark (a script, not a test).
 *
 *   npm run bench -- --log-search [lines=5000000] [flags], or
 *   npx tsc -p tsconfig.json && node dist/bench/log-search.js [lines=5000000] [--opensearch [url]] [--os-lines N]
 *     [--dir=/path] [--keep] [--reuse] [--runs 40] [--spacing-us 1000]
 *
 * Writes N order-center log lines (bench/synthetic-logs.ts: 5 services, 6
 * message shapes, order/customer ids, trace context), one every --spacing-us
 * and ending now, into the embedded store directly, in batches of 5,000, and
 * with --opensearch also into OpenSearch (bulk, through SearchLogStore;
 * --os-lines caps that count). Then measures p50/p95 over --runs runs of:
 * searches over every line (limit 100, total counted up to 10,000) for a
 * word, a field+phrase query, a rare word and a level+attribute query; the
 * histogram (60 one-minute buckets) and facets of the last hour, as the log
 * page asks for them. Prints the figures and writes them to bench-results/.
 * --reuse measures a --dir kept by an earlier run without writing it again.
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
import { report } from './load';
import { percentile } from './stats';
import { syntheticLogs } from './synthetic-logs';

const BATCH = 5_000;

interface Options {
  total: number;
  runs: number;
  /** OpenSearch URL, when asked to measure it too. */
  osUrl?: string;
  osLines: number;
  keep: boolean;
  reuse: boolean;
  dir?: string;
  /** Time between two lines: 1 ms, so 5,000,000 lines are 83 minutes of a busy order center (1,000 lines/s). */
  spacingUs: number;
  /** The lines end now. */
  startUs: number;
}

function parseOptions(args: string[]): Options {
  const valued = new Set(['--runs', '--os-lines', '--spacing-us']);
  const total = Number(args.find((a, i) => /^\d+$/.test(a) && !valued.has(args[i - 1])) ?? 5_000_000);
  const osIndex = args.indexOf('--opensearch');
  const next = args[osIndex + 1];
  const spacingUs = numberFlag(args, 'spacing-us', 1_000);
  return {
    total,
    runs: numberFlag(args, 'runs', 40),
    osUrl: osIndex < 0 ? undefined : next && !next.startsWith('--') && !/^\d+$/.test(next) ? next : 'http://127.0.0.1:9200',
    osLines: numberFlag(args, 'os-lines', total),
    keep: args.includes('--keep'),
    reuse: args.includes('--reuse'),
    dir: args.find((a) => a.startsWith('--dir='))?.slice(6),
    spacingUs,
    startUs: Date.now() * 1000 - total * spacingUs,
  };
}

const QUERIES: [string, string][] = [
  ['word', 'declined'],
  ['field+phrase', 'service:payment AND "card declined"'],
  ['rare word', 'ORD-123456'],
  ['level+attr', 'level:>=warn AND customer.id:CUST-42*'],
  // a bare level name also finds that level's records (docs/log-query-language.md): the body word OR a severity range
  ['level word', 'error'],
  ['body word only', '"error"'],
];

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function load(o: Options, store: LogStore, n: number, concurrency: number, label: string): Promise<void> {
  const t = Date.now();
  let next = 0;
  const worker = async () => {
    for (let seq = next++; seq * BATCH < n; seq = next++) {
      const count = Math.min(BATCH, n - seq * BATCH);
      const logs = syntheticLogs(BATCH, o.startUs, seq, o.spacingUs).slice(0, count);
      await store.writeLogs({ logs, businessKeys: [] });
      if ((seq * BATCH) % 500_000 === 0) process.stderr.write(`${label}: ${seq * BATCH} lines\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = (Date.now() - t) / 1000;
  console.log(`${label}: wrote ${n.toLocaleString('en')} lines in ${s.toFixed(1)} s (${Math.round(n / s).toLocaleString('en')} lines/s)`);
}

type Figures = Record<string, { p50Ms: number; p95Ms: number; total?: string }>;

async function measure(runs: number, store: LogStore, label: string): Promise<Figures> {
  const figures: Figures = {};
  const note = (name: string, r: { p50: number; p95: number }, total?: string) => {
    figures[name] = { p50Ms: Number(r.p50.toFixed(1)), p95Ms: Number(r.p95.toFixed(1)), ...(total ? { total } : {}) };
    console.log(`${label} ${name}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms${total ? `; total ${total}` : ''}`);
  };
  for (const [name, q] of QUERIES) {
    const filter = parseLogQuery(q);
    const first = await store.search({ filter, limit: 100 });
    note(`search ${name} (${q})`, await timeIt(runs, () => store.search({ filter, limit: 100 })), `${first.total}${first.totalIsLowerBound ? '+' : ''}`);
  }
  // what the log page asks for its opening view and a level filter: the last hour of the lines, 60 buckets, facets
  const newest = (await store.search({ limit: 1 })).logs[0].timeUs;
  const window = { startUs: newest - 3_600_000_000 + 1, endUs: newest };
  for (const q of ['declined', '', 'level:error']) {
    const query = { ...(q ? { filter: parseLogQuery(q) } : {}), ...window };
    note(`histogram last hour (${q || 'all'}, 60 buckets)`, await timeIt(runs, () => store.histogram(query, 60_000_000)));
  }
  for (const [field, q] of [['service', 'level:error'], ['severity', ''], ['host', 'declined']] as const) {
    const query = { ...(q ? { filter: parseLogQuery(q) } : {}), ...window };
    note(`facets last hour (${field} | ${q || 'all'})`, await timeIt(runs, () => store.facets(query, { kind: field }, 10)));
  }
  return figures;
}

/** `npm run bench -- --log-search [lines] [flags]`, or `node dist/bench/log-search.js`: see the top of this file. */
export async function benchLogSearch(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const results: Record<string, unknown> = { lines: o.total, spacingUs: o.spacingUs, runs: o.runs, machine: machineNote() };
  console.log(`log search bench: ${o.total.toLocaleString('en')} lines; ${machineNote()}`);
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-logbench-'));
  const { spans, logs } = openEmbeddedStores({ dataDir: dir });
  await spans.shutdown();
  try {
    if (o.reuse) console.log(`embedded: reusing ${dir}`);
    else await load(o, logs, o.total, 1, 'embedded');
    results.embedded = await measure(o.runs, logs, 'embedded');
  } finally {
    await logs.shutdown();
    if (!o.keep && !o.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (o.osUrl !== undefined) {
    const store = openSearchLogStore({ url: o.osUrl, indexPrefix: `cs-logbench-${process.pid}`, numberOfReplicas: 0 }) as SearchLogStore;
    try {
      await store.start();
      await load(o, store, Math.min(o.osLines, o.total), 4, 'opensearch');
      await store.refresh();
      results.opensearch = await measure(o.runs, store, 'opensearch');
    } finally {
      if (!o.keep) await store.uninstall();
      await store.shutdown();
    }
  }
  report('log-search', results);
}

if (require.main === module) {
  benchLogSearch(process.argv.slice(2)).catch((err) => {
    console.error(`bench failed: ${err?.stack ?? err}`);
    process.exitCode = 1;
  });
}
