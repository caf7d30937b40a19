import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeTraceRequestProto } from '../core/otlp';
import { machineNote, numberFlag, stringFlag } from './args';
import { counter, cpuSeconds, peakRssMiB, report, sampleRssParts, sendAll, startRoleProcess, waitForCounter } from './load';
import { percentile, round } from './stats';
import { syntheticTrace } from './synthetic-spans';

/** What the lookups look for: a 1,000-span trace and a 1-hit order.id, both among everything else. */
interface Probe {
  spans: number;
  probeTraceId: string;
  taggedOrderId: string;
}
const PROBE_FILE = 'bench-probe.json';

/**
 * Drives an all-in-one (its own process, embedded store) with protobuf OTLP
 * at full speed: spans/s until queryable, server CPU µs per span (all its
 * threads, start-up excluded), peak RSS of the server, and GET /api/traces/:id
 * latency for a 1,000-span trace among everything else, and a 1-hit
 * `order.id` tag search (`GET /api/traces?service=&tags=`). `--cpu-prof DIR`
 * writes V8 CPU profiles of the server's threads to DIR. `--data-dir DIR`
 * keeps the store in DIR (the probe's ids in `bench-probe.json`); run again
 * with the same `--data-dir`, it times the lookups on the kept store (a 10 M
 * store is written once), with nothing sent, or with `--while-sending N` while
 * N more spans are sent at full speed (the store grows by them).
 */
export async function benchAllInOne(args: string[]): Promise<void> {
  const keptDir = stringFlag(args, 'data-dir', '');
  const lookups = numberFlag(args, 'lookups', 200);
  const searches = numberFlag(args, 'searches', 50);
  const profileDir = stringFlag(args, 'cpu-prof', '');
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const spansPerRequest = numberFlag(args, 'batch', 2_000);
  const concurrency = numberFlag(args, 'concurrency', 4);
  if (keptDir && fs.existsSync(path.join(keptDir, PROBE_FILE))) {
    await timeKeptStore(keptDir, { lookups, searches, nodeArgs, whileSending: numberFlag(args, 'while-sending', 0), spansPerRequest, concurrency });
    return;
  }

  const totalSpans = numberFlag(args, 'spans', 1_000_000);
  const { requests, probe } = prepareRequests(totalSpans, spansPerRequest);

  const dataDir = keptDir || fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-'));
  const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: dataDir }, nodeArgs);
  try {
    const api = await server.url(/query API and UI listening/);
    const otlp = await server.url(/OTLP\/HTTP receiver listening/);
    console.log(`bench: sending ${requests.length} requests with ${concurrency} concurrent senders`);
    const cpuAtStart = cpuSeconds(server.child.pid!);
    const rssParts = sampleRssParts(server.child.pid!);
    const t0 = performance.now();
    const refused = await sendAll(`${otlp}/v1/traces`, requests, concurrency);
    const tAccepted = performance.now();
    await waitForCounter([`${api}/metrics`], 'chainscope_ingest_spans_written_total', probe.spans);
    const tQueryable = performance.now();
    const cpuAtQueryable = cpuSeconds(server.child.pid!);
    const peakRssParts = rssParts.stop();
    const turn = await writeTurnFigures(api, probe.spans, (tQueryable - t0) / 1000);
    if (keptDir) fs.writeFileSync(path.join(keptDir, PROBE_FILE), JSON.stringify(probe));
    report('all-in-one', {
      date: new Date().toISOString(),
      machine: machineNote(),
      loadAverage: os.loadavg().map((l) => round(l)),
      spans: probe.spans,
      requests: requests.length,
      spansPerRequest,
      acceptedSpansPerSecond: Math.round(probe.spans / ((tAccepted - t0) / 1000)),
      queryableSpansPerSecond: Math.round(probe.spans / ((tQueryable - t0) / 1000)),
      refused503: refused,
      serverCpuUsPerSpan: round(((cpuAtQueryable.total - cpuAtStart.total) * 1e6) / probe.spans, 2),
      serverCpuSeconds: {
        total: round(cpuAtQueryable.total - cpuAtStart.total, 2),
        mainThread: round(cpuAtQueryable.mainThread - cpuAtStart.mainThread, 2),
        busiestOtherThreads: cpuAtQueryable.busiestOtherThreads,
      },
      writeTurn: turn,
      peakServerRssMiB: peakRssMiB(server.child.pid!),
      // anonymous = heaps and buffers; file-backed = mostly SQLite's mmap of its database (up to 256 MiB), pages the kernel can drop
      peakServerRssPartsMiB: peakRssParts,
      ...(await timeLookups(api, probe, lookups, searches)),
      storeBytes: fs.readdirSync(dataDir).reduce((n, f) => n + fs.statSync(path.join(dataDir, f)).size, 0),
    });
  } finally {
    await server.stop();
    if (!keptDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The ingest threads' write turn (ingest/thread/write-turn-counters.ts): the
 * serial part of the write, per span and as a share of the run (1 = the turn
 * was never free, so it and not the cores set the pace).
 */
async function writeTurnFigures(api: string, spans: number, seconds: number): Promise<Record<string, number>> {
  const held = await counter(`${api}/metrics`, 'chainscope_ingest_write_turn_held_seconds_total');
  const waited = await counter(`${api}/metrics`, 'chainscope_ingest_write_turn_waited_seconds_total');
  return {
    heldUsPerSpan: round((held * 1e6) / spans, 2),
    waitedUsPerSpan: round((waited * 1e6) / spans, 2),
    heldShareOfRun: round(held / seconds, 3),
  };
}

/**
 * The lookups on a store an earlier run kept: with nothing written meanwhile, or (`whileSending` spans)
 * while that many more are sent at full speed and ingested, as searches meet a busy all-in-one.
 */
async function timeKeptStore(
  dir: string,
  o: { lookups: number; searches: number; nodeArgs: string[]; whileSending: number; spansPerRequest: number; concurrency: number },
): Promise<void> {
  const probe = JSON.parse(fs.readFileSync(path.join(dir, PROBE_FILE), 'utf8')) as Probe;
  const more = o.whileSending ? prepareRequests(o.whileSending, o.spansPerRequest) : undefined;
  console.log(`bench: reusing the store in ${dir} (${probe.spans.toLocaleString()} spans), sending ${more ? more.probe.spans.toLocaleString() : 'nothing'} meanwhile`);
  const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: dir }, o.nodeArgs);
  try {
    const api = await server.url(/query API and UI listening/);
    const otlp = await server.url(/OTLP\/HTTP receiver listening/);
    const sending = more && sendAll(`${otlp}/v1/traces`, more.requests, o.concurrency);
    if (more) await new Promise((r) => setTimeout(r, 5_000)); // the senders and ingest at full speed before the first lookup
    const lookups = await timeLookups(api, probe, o.lookups, o.searches);
    // the counter starts at 0 in this process: it counts the spans sent meanwhile
    const writtenMeanwhile = more ? await counter(`${api}/metrics`, 'chainscope_ingest_spans_written_total') : 0;
    await sending;
    if (more) await waitForCounter([`${api}/metrics`], 'chainscope_ingest_spans_written_total', more.probe.spans);
    if (more) fs.writeFileSync(path.join(dir, PROBE_FILE), JSON.stringify({ ...probe, spans: probe.spans + more.probe.spans }));
    report('all-in-one-kept', {
      date: new Date().toISOString(),
      machine: machineNote(),
      loadAverage: os.loadavg().map((l) => round(l)),
      spans: probe.spans,
      spansSentMeanwhile: more?.probe.spans ?? 0,
      // below spansSentMeanwhile: ingest was still writing when the last lookup ended
      spansWrittenByLastLookup: writtenMeanwhile,
      ...lookups,
    });
  } finally {
    await server.stop();
  }
}

/** Protobuf OTLP requests of `totalSpans` synthetic spans: 20-span traces, one of 1,000 half-way, each with its own order.id. */
function prepareRequests(totalSpans: number, spansPerRequest: number): { requests: Buffer[]; probe: Probe } {
  console.log(`bench: preparing ${totalSpans.toLocaleString()} spans in requests of ${spansPerRequest}`);
  const startUs = Date.now() * 1000 - 3_600_000_000;
  const requests: Buffer[] = [];
  let seq = 0;
  const probe: Probe = { spans: 0, probeTraceId: '', taggedOrderId: '' };
  while (probe.spans < totalSpans) {
    const spans = [];
    while (spans.length < spansPerRequest && probe.spans + spans.length < totalSpans) {
      const isProbe = !probe.probeTraceId && probe.spans >= totalSpans / 2;
      const trace = syntheticTrace(isProbe ? 1000 : 20, startUs + seq * 1000, seq++);
      if (isProbe) probe.probeTraceId = trace[0].traceId;
      else if (!probe.taggedOrderId && probe.spans >= totalSpans / 4) probe.taggedOrderId = `ORD-${seq - 1}`; // syntheticTrace's order.id
      for (const s of trace) spans.push(s);
    }
    probe.spans += spans.length;
    requests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }
  return { requests, probe };
}

/** Trace-by-id of the 1,000-span probe, a search by service and a 1-hit order.id tag search, each timed to the last byte. */
async function timeLookups(api: string, probe: Probe, lookups: number, searches: number): Promise<Record<string, unknown>> {
  const byId = (await fetch(`${api}/api/traces/${probe.probeTraceId}`).then((r) => r.json())) as { spans?: unknown[] };
  if (byId.spans?.length !== 1000) throw new Error(`probe trace has ${byId.spans?.length} spans, expected 1000`);
  // every trace carries its own ORD-<seq>: one hit, found through the order.id index rather than a walk of the window
  const tagSearchUrl = `${api}/api/traces?service=order-api&tags=${encodeURIComponent(JSON.stringify({ 'order.id': probe.taggedOrderId }))}`;
  const tagged = (await fetch(tagSearchUrl).then((r) => r.json())) as { traces?: unknown[] };
  if (tagged.traces?.length !== 1) throw new Error(`tag search for order.id=${probe.taggedOrderId} found ${tagged.traces?.length} traces, expected 1`);
  const timeGets = async (url: string, runs: number) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fetch(url).then((r) => r.arrayBuffer());
      times.push(performance.now() - t);
    }
    return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), samples: runs };
  };
  return {
    getTrace1000SpansMs: await timeGets(`${api}/api/traces/${probe.probeTraceId}`, lookups),
    findTracesByServiceMs: await timeGets(`${api}/api/traces?service=payment&limit=20`, searches),
    tagSearch1HitMs: await timeGets(tagSearchUrl, searches),
  };
}
