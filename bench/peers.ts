import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { machineNote, numberFlag, stringFlag } from './args';
import { cpuSeconds, peakRssMiB, report, sendAll } from './load';
import { CONTENDER_NAMES, startContender, type Contender, type ContenderName, type PeerBinaries } from './peers/contenders';
import { buildRaceLoad, type ExpectedTrace, type RaceLoad } from './peers/race-load';
import { percentile, round } from './stats';

/** What one contender did in one round. */
interface RoundFigures {
  spansPerSecondUntilQueryable: number;
  serverCpuUsPerSpan: number;
  peakRssMiB: number;
  traceById1000SpansMs: { p50: number; p95: number };
  tagSearch1HitMs: { p50: number; p95: number };
}

const ROOT_SERVICE = 'order-api';
const QUERYABLE_TIMEOUT_MS = 600_000;

/** Runs scripts/peers/install (building Jaeger on the first run) and reads the paths it prints. */
function installPeers(names: ContenderName[]): Partial<PeerBinaries> {
  const script = path.resolve(__dirname, '..', '..', 'scripts', 'peers', 'install');
  const jaeger = names.some((n) => n.startsWith('jaeger'));
  const zipkin = names.includes('zipkin');
  const which = jaeger && zipkin ? 'all' : jaeger ? 'jaeger' : 'zipkin';
  if (jaeger) console.log(`bench: ${script} ${which} (on its first run it builds Jaeger v2 from source: ~15 min)`);
  const run = spawnSync(script, [which], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`scripts/peers/install failed (exit ${run.status})`);
  const pathOf = (name: string) => {
    const found = run.stdout.split('\n').find((l) => l.startsWith(`${name}=`))?.slice(name.length + 1);
    if (!found) throw new Error(`scripts/peers/install printed no ${name}= line`);
    return found;
  };
  return { jaeger: jaeger ? pathOf('jaeger') : undefined, zipkinJar: zipkin ? pathOf('zipkin') : undefined };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // a 404 page or an empty answer: the counting functions see null
  }
  return { status: res.status, body };
}

/** Polls the contender's by-id API until every expected trace comes back with all its spans. */
async function waitUntilQueryable(c: Contender, traces: ExpectedTrace[]): Promise<void> {
  const deadline = Date.now() + QUERYABLE_TIMEOUT_MS;
  let pending = traces;
  while (pending.length) {
    const counts = await Promise.all(pending.map(async (t) => {
      const { status, body } = await getJson(c.traceUrl(t.traceId));
      return c.spansInTrace(status, body);
    }));
    pending = pending.filter((t, i) => counts[i] < t.spans);
    if (!pending.length) return;
    if (c.process.exited()) throw new Error(`${c.name} exited:\n${c.process.outputTail()}`);
    if (Date.now() > deadline) throw new Error(`${c.name}: trace ${pending[0].traceId} not complete after ${QUERYABLE_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function timeRequests(url: string, times: number): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    ms.push(performance.now() - t);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  }
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
}

async function runOne(c: Contender, load: RaceLoad, concurrency: number, lookups: number, searches: number): Promise<RoundFigures> {
  const pid = c.process.pid;
  const cpuAtStart = cpuSeconds(pid).total;
  const t0 = performance.now();
  const refused = await sendAll(c.ingestUrl, load[c.load], concurrency, c.contentType);
  await waitUntilQueryable(c, load.lastTraces);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid).total - cpuAtStart;
  console.log(`bench: ${c.name}: ${load.spans.toLocaleString()} spans queryable after ${round(seconds, 2)} s (${refused} requests refused and retried)`);

  await waitUntilQueryable(c, [load.probe]);
  const hits = c.hitsInSearch((await getJson(c.tagSearchUrl(load.taggedOrderId))).body);
  if (hits !== 1) throw new Error(`${c.name}: tag search for order.id=${load.taggedOrderId} found ${hits} traces, expected 1`);
  const traceById1000SpansMs = await timeRequests(c.traceUrl(load.probe.traceId), lookups);
  const tagSearch1HitMs = await timeRequests(c.tagSearchUrl(load.taggedOrderId), searches);
  return {
    spansPerSecondUntilQueryable: Math.round(load.spans / seconds),
    serverCpuUsPerSpan: round((cpu * 1e6) / load.spans, 2),
    peakRssMiB: peakRssMiB(pid),
    traceById1000SpansMs,
    tagSearch1HitMs,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Row = { label: string; pick: (f: RoundFigures) => number; unit: string };
const ROWS: Row[] = [
  { label: 'spans/s until queryable', pick: (f) => f.spansPerSecondUntilQueryable, unit: '' },
  { label: 'server CPU per span', pick: (f) => f.serverCpuUsPerSpan, unit: ' µs' },
  { label: 'peak RSS', pick: (f) => f.peakRssMiB, unit: ' MiB' },
  { label: 'trace-by-id p50, 1,000 spans', pick: (f) => f.traceById1000SpansMs.p50, unit: ' ms' },
  { label: 'trace-by-id p95, 1,000 spans', pick: (f) => f.traceById1000SpansMs.p95, unit: ' ms' },
  { label: 'tag search p50 (order.id, 1 hit)', pick: (f) => f.tagSearch1HitMs.p50, unit: ' ms' },
  { label: 'tag search p95 (order.id, 1 hit)', pick: (f) => f.tagSearch1HitMs.p95, unit: ' ms' },
];

/** Medians over rounds, and each peer's median divided by Chainscope's. */
function summarise(names: ContenderName[], rounds: Map<ContenderName, RoundFigures[]>) {
  const medians: Record<string, Record<string, number>> = {};
  for (const name of names) {
    medians[name] = Object.fromEntries(ROWS.map((row) => [row.label, round(median(rounds.get(name)!.map(row.pick)), 2)]));
  }
  const base = medians.chainscope;
  const ratios: Record<string, Record<string, number>> = {};
  if (base) {
    for (const name of names) ratios[name] = Object.fromEntries(ROWS.map((row) => [row.label, round(medians[name][row.label] / base[row.label], 2)]));
  }
  const header = `| median of rounds | ${names.join(' | ')} |`;
  const lines = [header, `|---|${names.map(() => '---').join('|')}|`];
  for (const row of ROWS) {
    const cells = names.map((n) => {
      const value = `${medians[n][row.label].toLocaleString('en-US')}${row.unit}`;
      return base && n !== 'chainscope' ? `${value} (×${ratios[n][row.label]})` : value;
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  return { medians, ratios, table: lines.join('\n') };
}

/**
 * `npm run bench -- --peers`: Chainscope all-in-one, Jaeger v2 (memory and
 * Badger) and Zipkin 3 (memory) each in their own process on the same load,
 * one after the other, rounds interleaved: spans/s until the last traces sent
 * are found complete by id through each server's own API, server CPU µs per
 * span (start-up excluded), peak RSS, trace-by-id and 1-hit tag search
 * latency; medians and ratios to Chainscope.
 */
export async function benchPeers(args: string[]): Promise<void> {
  const totalSpans = numberFlag(args, 'spans', 300_000);
  const spansPerRequest = numberFlag(args, 'batch', 2_000);
  const concurrency = numberFlag(args, 'concurrency', 4);
  const roundCount = numberFlag(args, 'rounds', 3);
  const lookups = numberFlag(args, 'lookups', 100);
  const searches = numberFlag(args, 'searches', 50);
  const only = stringFlag(args, 'only', CONTENDER_NAMES.join(','));
  const names = only.split(',').map((n) => n.trim()) as ContenderName[];
  const unknown = names.filter((n) => !CONTENDER_NAMES.includes(n));
  if (unknown.length) throw new Error(`--only: unknown ${unknown.join(', ')} (choose from ${CONTENDER_NAMES.join(', ')})`);

  const binaries = names.some((n) => n !== 'chainscope') ? installPeers(names) : {};
  console.log(`bench: preparing ${totalSpans.toLocaleString()} spans in requests of ${spansPerRequest} (protobuf OTLP, and the same spans as Zipkin v2 JSON)`);
  const startUs = Date.now() * 1000 - 600_000_000;
  const load = buildRaceLoad(totalSpans, spansPerRequest, concurrency, startUs);
  const shape = { spans: load.spans, rootService: ROOT_SERVICE, startUs };

  const rounds = new Map<ContenderName, RoundFigures[]>(names.map((n) => [n, []]));
  for (let r = 0; r < roundCount; r++) {
    // interleaved, and each round starts with a different contender
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      console.log(`bench: round ${r + 1}/${roundCount}: ${name}`);
      const contender = await startContender(name, binaries, shape);
      try {
        rounds.get(name)!.push(await runOne(contender, load, concurrency, lookups, searches));
      } finally {
        await contender.stop();
      }
    }
  }

  const { medians, ratios, table } = summarise(names, rounds);
  console.log(`\n${table}\n`);
  console.log("Zipkin's load is the same spans as Zipkin v2 JSON (it takes no OTLP); the others get protobuf OTLP.");
  report('peers', {
    date: new Date().toISOString(),
    machine: machineNote(),
    spans: load.spans,
    requests: load.otlp.length,
    spansPerRequest,
    concurrency,
    rounds: roundCount,
    load: { chainscope: 'protobuf OTLP/HTTP', 'jaeger-memory': 'protobuf OTLP/HTTP', 'jaeger-badger': 'protobuf OTLP/HTTP', zipkin: 'Zipkin v2 JSON' },
    medians,
    ratiosToChainscope: ratios,
    table,
    perRound: Object.fromEntries(rounds),
  });
}
