/**
 * Retention benchmark (a script, not a test).
 *
 *   npm run bench -- --retention [--spans 300000] [--max-mib 128]
 *
 * The embedded store's write throughput while retention deletes, in three
 * runs, each on a fresh folder. Writes go in batches of 1,000 spans (50
 * traces of 20, an order.id key each) plus 300 log lines, the event loop let
 * go between batches as the ingest thread's messages let it go:
 *  1. baseline: --spans new spans written over as many ten-day-old ones, no retention;
 *  2. age: the same with RETENTION=7d, which deletes the old data while the new is written;
 *  3. size: 2 x --spans new spans under MAX_DISK_BYTES=--max-mib MiB.
 * Prints spans/s, the longest retention transaction, how long the old data
 * took to go and the files' size, and writes them to bench-results/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEmbeddedStores, type EmbeddedStores, type PassReport, type RetentionOptions } from '../storage/embedded';
import { fileSizes } from '../storage/embedded/store-files';
import { countStoredSpans } from '../storage/embedded/trace-chunks';
import { machineNote, numberFlag } from './args';
import { report } from './load';
import { round } from './stats';
import { syntheticLogs } from './synthetic-logs';
import { syntheticTrace } from './synthetic-spans';

const TRACES_PER_BATCH = 50;
const SPANS_PER_TRACE = 20;
const SPANS_PER_BATCH = TRACES_PER_BATCH * SPANS_PER_TRACE;
const LOGS_PER_BATCH = 300;
const DAY_US = 86_400_000_000;
const MIB = 1024 * 1024;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Throughput {
  spans: number;
  seconds: number;
  spansPerSec: number;
  logsPerSec: number;
}

/** Writes `spans` spans (and their share of log lines) starting at `startUs`, a batch every 100 ms of data time. */
async function write(stores: EmbeddedStores, spans: number, startUs: number, seqBase: number, afterBatch?: () => void): Promise<Throughput> {
  const batches = Math.ceil(spans / SPANS_PER_BATCH);
  const t = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const batchUs = startUs + b * 100_000;
    const seq = seqBase + b;
    const traces = Array.from({ length: TRACES_PER_BATCH }, (_, i) => syntheticTrace(SPANS_PER_TRACE, batchUs + i * 1000, seq * TRACES_PER_BATCH + i));
    await stores.spans.writeSpans({
      spans: traces.flat(),
      businessKeys: traces.map((tr) => ({ key: 'order.id', value: String(tr[0].attributes['order.id']), traceId: tr[0].traceId, timeUs: tr[0].startUs })),
      traceLinks: [],
      messageIds: [],
    });
    await stores.logs.writeLogs({ logs: syntheticLogs(LOGS_PER_BATCH, startUs, b, 100_000 / LOGS_PER_BATCH), businessKeys: [] });
    afterBatch?.();
    await nextTick();
  }
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const written = batches * SPANS_PER_BATCH;
  return { spans: written, seconds: round(seconds, 2), spansPerSec: Math.round(written / seconds), logsPerSec: Math.round((batches * LOGS_PER_BATCH) / seconds) };
}

/** Passes seen: totals, the longest single transaction, the largest size the files had after a pass. */
class PassLog {
  passes = 0;
  deletedTraces = 0;
  deletedLogs = 0;
  maxStepMs = 0;
  peakBytes = 0;
  errors: string[] = [];
  constructor(private readonly file: () => string) {}
  readonly onPass = (r: PassReport) => {
    this.passes++;
    this.deletedTraces += r.deletedTraces;
    this.deletedLogs += r.deletedLogs;
    this.maxStepMs = Math.max(this.maxStepMs, r.maxStepMs);
    this.peakBytes = Math.max(this.peakBytes, fileSizes(this.file()).totalBytes);
    if (r.error) this.errors.push(r.error);
  };
}

async function inFreshDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-retbench-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function open(dir: string, retention?: RetentionOptions): EmbeddedStores {
  return openEmbeddedStores({ dataDir: dir, ...(retention ? { retention } : {}) });
}

async function close(stores: EmbeddedStores): Promise<void> {
  await stores.spans.shutdown();
  await stores.logs.shutdown();
}

/** Ten-day-old data, written before the measured run by a connection without retention. */
async function preloadOld(dir: string, spans: number): Promise<void> {
  const stores = open(dir);
  await write(stores, spans, Date.now() * 1000 - 10 * DAY_US, 1_000_000);
  await close(stores);
}

export async function benchRetention(args: string[]): Promise<void> {
  const spans = numberFlag(args, 'spans', 300_000);
  const maxBytes = numberFlag(args, 'max-mib', 128) * MIB;
  console.log(`retention bench: ${spans.toLocaleString('en')} spans per run; ${machineNote()}`);
  const results: Record<string, unknown> = { spans, batch: { spans: SPANS_PER_BATCH, logs: LOGS_PER_BATCH }, machine: machineNote() };
  const nowUs = () => Date.now() * 1000;

  results.baseline = await inFreshDir(async (dir) => {
    await preloadOld(dir, spans);
    const stores = open(dir);
    const w = await write(stores, spans, nowUs() - 3_600_000_000, 0);
    await close(stores);
    console.log(`baseline (no retention): ${w.spansPerSec.toLocaleString('en')} spans/s, ${w.logsPerSec.toLocaleString('en')} logs/s`);
    return w;
  });

  results.age = await inFreshDir(async (dir) => {
    await preloadOld(dir, spans);
    const before = fileSizes(path.join(dir, 'chainscope.db')).totalBytes;
    const passes = new PassLog(() => path.join(dir, 'chainscope.db'));
    const stores = open(dir, { maxAgeUs: 7 * DAY_US, intervalMs: 1_000, onPass: passes.onPass });
    const started = Date.now();
    const w = await write(stores, spans, nowUs() - 3_600_000_000, 0);
    const oldTraces = spans / SPANS_PER_TRACE;
    while (passes.deletedTraces < oldTraces) await stores.retention.runPass();
    const oldGoneAfterS = round((Date.now() - started) / 1000, 1);
    const after = fileSizes(stores.database.file).totalBytes;
    await close(stores);
    const r = {
      ...w,
      vsBaseline: round(w.spansPerSec / (results.baseline as Throughput).spansPerSec, 2),
      deletedTraces: passes.deletedTraces,
      deletedLogs: passes.deletedLogs,
      oldGoneAfterS,
      maxStepMs: round(passes.maxStepMs, 1),
      filesMiBBefore: round(before / MIB),
      filesMiBAfter: round(after / MIB),
      errors: passes.errors,
    };
    console.log(
      `RETENTION=7d deleting ${oldTraces.toLocaleString('en')} old traces meanwhile: ${w.spansPerSec.toLocaleString('en')} spans/s (${r.vsBaseline}x baseline); ` +
        `old data gone after ${oldGoneAfterS} s, longest retention transaction ${r.maxStepMs} ms; files ${r.filesMiBBefore} -> ${r.filesMiBAfter} MiB`,
    );
    return r;
  });

  results.size = await inFreshDir(async (dir) => {
    const passes = new PassLog(() => path.join(dir, 'chainscope.db'));
    const stores = open(dir, { maxBytes, intervalMs: 1_000, onPass: passes.onPass });
    let peakBytes = 0;
    const w = await write(stores, 2 * spans, nowUs() - 3_600_000_000, 0, () => {
      peakBytes = Math.max(peakBytes, fileSizes(stores.database.file).totalBytes);
    });
    await stores.retention.runPass();
    const finalBytes = fileSizes(stores.database.file).totalBytes;
    const kept = { n: countStoredSpans(stores.database.db) };
    await close(stores);
    const r = {
      ...w,
      vsBaseline: round(w.spansPerSec / (results.baseline as Throughput).spansPerSec, 2),
      maxMiB: maxBytes / MIB,
      peakMiB: round(peakBytes / MIB),
      peakMiBAfterPass: round(passes.peakBytes / MIB),
      finalMiB: round(finalBytes / MIB),
      keptSpans: kept.n,
      deletedTraces: passes.deletedTraces,
      deletedLogs: passes.deletedLogs,
      maxStepMs: round(passes.maxStepMs, 1),
      errors: passes.errors,
    };
    console.log(
      `MAX_DISK_BYTES=${maxBytes / MIB}MiB: ${w.spansPerSec.toLocaleString('en')} spans/s (${r.vsBaseline}x baseline); files at most ${r.peakMiB} MiB (${r.peakMiBAfterPass} after a pass), ` +
        `${r.finalMiB} MiB at the end with ${kept.n.toLocaleString('en')} spans kept; longest retention transaction ${r.maxStepMs} ms`,
    );
    return r;
  });

  report('retention', results);
}

if (require.main === module) {
  benchRetention(process.argv.slice(2)).catch((err) => {
    console.error(`bench failed: ${err?.stack ?? err}`);
    process.exitCode = 1;
  });
}
