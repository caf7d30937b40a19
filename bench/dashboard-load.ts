/**
 * The dashboards bench's data: `--spans` spans (one order per `--spans-per-trace`-span trace, one log line per
 * trace) written through SpanStore.writeSpans and LogStore.writeLogs, the write path ingest calls, so the
 * topology and order roll-ups are the ones ingest makes.
 *
 * Batch b holds traces b, b + n, b + 2n, … (n batches): every batch, and so every prefix of the load, is spread
 * over the whole hour, and a load cut short (`--load-spans`, `--load-seconds`) is a thinner hour, not a shorter
 * one; `--resume FILE` goes on from where a kept load stopped. The batches are handed out in order by this
 * process to `--processes` child processes (each opening its own stores; the serialising of rows is CPU work that
 * one Node thread does not keep up with) with `--writers` batches in flight each, so the batches written are
 * always a prefix. Orders never straddle batches, so concurrent writers never touch one order's roll-up.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import type { LogRecord, Span } from '../core/model';
import { businessKeysOfSpans } from '../ingest/business-keys';
import { numberFlag } from './args';
import { openBenchStores, type BenchPlace, type BenchStores } from './dashboard-stores';
import { round } from './stats';
import { syntheticLogs } from './synthetic-logs';
import { syntheticTrace } from './synthetic-spans';

const HOUR_US = 3_600_000_000;
/** Attempts of one write before the load gives up (a busy 18.16 server can refuse or drop connections for a while). */
const WRITE_ATTEMPTS = 12;
const MAX_BACKOFF_MS = 30_000;

/** The data a load writes, whether in one run or resumed. */
export interface LoadPlan {
  /** Traces (orders) in the full load. */
  traces: number;
  perTrace: number;
  batchTraces: number;
  /** The hour's end (µs). */
  endUs: number;
}

export interface LoadResult {
  endUs: number;
  spans: number;
  orders: number;
  /** Seconds of writing, over every run of the load. */
  writeSeconds: number;
  plan: LoadPlan;
  /** Batches 0 … nextBatch - 1 are written. */
  nextBatch: number;
  /** Fewer than the planned traces are written. */
  cut: boolean;
}

/** What a child asks or reports: a batch to write, a batch written (its traces), a retried write, a failure. */
type ChildMessage = { ask: true } | { written: number } | { retried: true } | { failed: string };

const loadAverage = () => os.loadavg().map(round).join(' ');

/** Loads a fresh place, or goes on with `resumed` (a kept load of the same place). */
export async function loadDashboardData(place: BenchPlace, stores: BenchStores, args: string[], resumed?: LoadResult): Promise<LoadResult> {
  const backend = place.backend;
  const perTrace = resumed?.plan.perTrace ?? numberFlag(args, 'spans-per-trace', 10);
  const plan: LoadPlan = resumed?.plan ?? {
    traces: Math.max(1, Math.floor(numberFlag(args, 'spans', 1_000_000) / perTrace)),
    perTrace,
    batchTraces: Math.floor(numberFlag(args, 'batch-traces', backend === 'embedded' ? 200 : 2000)),
    endUs: Date.now() * 1000,
  };
  const processes = Math.floor(numberFlag(args, 'processes', backend === 'embedded' ? 1 : 3));
  if (backend === 'embedded' && processes > 1) throw new Error('--processes: the embedded store has one writer');
  const writers = Math.floor(numberFlag(args, 'writers', backend === 'embedded' ? 1 : 2));
  const batches = Math.ceil(plan.traces / plan.batchTraces);
  const first = resumed?.nextBatch ?? 0;
  const stopBatch = Math.min(batches, first + Math.ceil(numberFlag(args, 'load-spans', Number.MAX_SAFE_INTEGER) / (plan.batchTraces * perTrace)));
  const deadlineMs = Date.now() + numberFlag(args, 'load-seconds', 365 * 24 * 3600) * 1000;
  let next = first;
  const take = () => (next < stopBatch && Date.now() < deadlineMs ? next++ : -1);

  const started = performance.now();
  let written = resumed?.orders ?? 0;
  let writtenNow = 0;
  let retried = 0;
  let lastNote = started;
  const progress = (traces: number) => {
    written += traces;
    writtenNow += traces;
    if (performance.now() - lastNote < 60_000) return;
    lastNote = performance.now();
    const seconds = (lastNote - started) / 1000;
    console.log(
      `dashboards: ${written * perTrace} spans written (${writtenNow * perTrace} in ${round(seconds)} s, ${Math.round((writtenNow * perTrace) / seconds)} spans/s; ` +
        `${retried} retried writes; load average ${loadAverage()})`,
    );
  };
  if (processes <= 1) {
    await writeBatches(stores, plan, writers, async () => take(), progress, () => retried++);
  } else {
    const children = await Promise.allSettled(
      Array.from({ length: processes }, (_, part) =>
        inChild(place, plan, writers, part, take, (m) => {
          if ('written' in m) progress(m.written);
          else if ('retried' in m) retried++;
        }),
      ),
    );
    const failed = children.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
  }
  await stores.flushLogs();
  const seconds = (performance.now() - started) / 1000;
  const cut = written < plan.traces;
  console.log(
    `dashboards: ${backend}: ${writtenNow * perTrace} spans (${writtenNow} orders) and ${writtenNow} log lines written in ${round(seconds)} s ` +
      `(${Math.round((writtenNow * perTrace) / seconds)} spans/s; ${processes} process(es) × ${writers} writers of ${plan.batchTraces} traces; ${retried} retried writes); ` +
      `${written * perTrace} of ${plan.traces * perTrace} planned spans stored`,
  );
  return { endUs: plan.endUs, spans: written * perTrace, orders: written, writeSeconds: round((resumed?.writeSeconds ?? 0) + seconds), plan, nextBatch: next, cut };
}

/** Runs a child process that writes the batches `take` hands it. */
function inChild(place: BenchPlace, plan: LoadPlan, writers: number, part: number, take: () => number, onMessage: (m: ChildMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { stdio: 'inherit' });
    let failure: string | undefined;
    child.on('message', (m: ChildMessage) => {
      if ('ask' in m) child.send({ batch: take() });
      else if ('failed' in m) failure = m.failed;
      else onMessage(m);
    });
    child.on('exit', (code) => (code === 0 && !failure ? resolve() : reject(new Error(`load process ${part}: ${failure ?? `exit ${code}`}`))));
    child.send({ place, plan, writers });
  });
}

/** Writes the batches `take` hands out (-1: no more), `writers` at a time. */
async function writeBatches(
  stores: BenchStores,
  plan: LoadPlan,
  writers: number,
  take: () => Promise<number>,
  written: (traces: number) => void,
  retried: () => void,
): Promise<void> {
  const batches = Math.ceil(plan.traces / plan.batchTraces);
  const startUs = plan.endUs - HOUR_US;
  const writer = async () => {
    for (let b = await take(); b >= 0; b = await take()) {
      const orders: number[] = [];
      for (let k = b; k < plan.traces; k += batches) orders.push(k);
      await writeOrders(stores, plan.perTrace, orders, (k) => startUs + Math.floor((k / plan.traces) * (HOUR_US - 60_000_000)), retried);
      written(orders.length);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}

/** These orders (one trace of `perTrace` spans and one log line each, the k-th at `atUs(k)`), written as ingest writes them. */
export async function writeOrders(stores: BenchStores, perTrace: number, orders: readonly number[], atUs: (k: number) => number, retried: () => void = () => undefined): Promise<void> {
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  for (const k of orders) {
    spans.push(...syntheticTrace(perTrace, atUs(k), k));
    logs.push(...syntheticLogs(1, atUs(k), k));
  }
  const batch = { spans, businessKeys: businessKeysOfSpans(spans, { attributeNames: ['order.id'] }), traceLinks: [], messageIds: [] };
  await withRetries(() => stores.spans.writeSpans(batch), retried);
  await withRetries(() => stores.logs.writeLogs({ logs, businessKeys: [] }), retried);
}

/**
 * A write retried as ingest retries it: a retriable store error (a dropped connection, "socket hang up", too many
 * parts) again with exponential backoff and jitter, up to WRITE_ATTEMPTS; writes are idempotent.
 */
async function withRetries(write: () => Promise<unknown>, retried: () => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS || !(err as { retriable?: boolean }).retriable) throw err;
      retried();
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }
}

/** A child: opens the place's stores, asks for batches and writes them, reports each. */
async function childMain(job: { place: BenchPlace; plan: LoadPlan; writers: number }): Promise<void> {
  const send = (m: ChildMessage) => process.send!(m);
  const asked: ((batch: number) => void)[] = [];
  process.on('message', (m: { batch?: number }) => {
    if (typeof m.batch === 'number') asked.shift()!(m.batch);
  });
  const take = () =>
    new Promise<number>((resolve) => {
      asked.push(resolve);
      send({ ask: true });
    });
  const stores = await openBenchStores(job.place);
  try {
    await writeBatches(stores, job.plan, job.writers, take, (n) => send({ written: n }), () => send({ retried: true }));
  } catch (err) {
    send({ failed: (err as Error).message });
    process.exitCode = 1;
  } finally {
    await stores.close(false);
    process.disconnect();
  }
}

if (require.main === module && process.send) {
  process.once('message', (job) => void childMain(job as Parameters<typeof childMain>[0]));
}
