import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeTraceRequestProto } from '../core/otlp';
import { machineNote, numberFlag, stringFlag } from './args';
import { cpuSeconds, peakRssMiB, report, sampleRssParts, sendAll, startRoleProcess, waitForCounter } from './load';
import { percentile, round } from './stats';
import { syntheticTrace } from './synthetic-spans';

/**
 * Drives an all-in-one (its own process, embedded store) with protobuf OTLP
 * at full speed: spans/s until queryable, server CPU µs per span (all its
 * threads, start-up excluded), peak RSS of the server, and GET /api/traces/:id
 * latency for a 1,000-span trace among everything else, and a 1-hit
 * `order.id` tag search (`GET /api/traces?service=&tags=`). `--cpu-prof DIR`
 * writes V8 CPU profiles of the server's threads to DIR.
 */
export async function benchAllInOne(args: string[]): Promise<void> {
  const totalSpans = numberFlag(args, 'spans', 1_000_000);
  const spansPerRequest = numberFlag(args, 'batch', 2_000);
  const concurrency = numberFlag(args, 'concurrency', 4);
  const lookups = numberFlag(args, 'lookups', 200);

  console.log(`bench: preparing ${totalSpans.toLocaleString()} spans in requests of ${spansPerRequest}`);
  const startUs = Date.now() * 1000 - 3_600_000_000;
  const requests: Buffer[] = [];
  let seq = 0;
  let prepared = 0;
  let probeTraceId = '';
  let taggedOrderId = '';
  while (prepared < totalSpans) {
    const spans = [];
    while (spans.length < spansPerRequest && prepared + spans.length < totalSpans) {
      const isProbe = !probeTraceId && prepared >= totalSpans / 2;
      const trace = syntheticTrace(isProbe ? 1000 : 20, startUs + seq * 1000, seq++);
      if (isProbe) probeTraceId = trace[0].traceId;
      else if (!taggedOrderId && prepared >= totalSpans / 4) taggedOrderId = `ORD-${seq - 1}`; // syntheticTrace's order.id
      for (const s of trace) spans.push(s);
    }
    prepared += spans.length;
    requests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-'));
  const profileDir = stringFlag(args, 'cpu-prof', '');
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
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
    await waitForCounter([`${api}/metrics`], 'chainscope_ingest_spans_written_total', prepared);
    const tQueryable = performance.now();
    const cpuAtQueryable = cpuSeconds(server.child.pid!);
    const peakRssParts = rssParts.stop();
    const probe = (await fetch(`${api}/api/traces/${probeTraceId}`).then((r) => r.json())) as { spans?: unknown[] };
    if (probe.spans?.length !== 1000) throw new Error(`probe trace has ${probe.spans?.length} spans, expected 1000`);

    const latencies: number[] = [];
    for (let i = 0; i < lookups; i++) {
      const t = performance.now();
      await fetch(`${api}/api/traces/${probeTraceId}`).then((r) => r.arrayBuffer());
      latencies.push(performance.now() - t);
    }
    const searches: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await fetch(`${api}/api/traces?service=payment&limit=20`).then((r) => r.arrayBuffer());
      searches.push(performance.now() - t);
    }
    // every trace carries its own ORD-<seq>: one hit, found through the order.id index rather than a walk of the window
    const tagSearchUrl = `${api}/api/traces?service=order-api&tags=${encodeURIComponent(JSON.stringify({ 'order.id': taggedOrderId }))}`;
    const tagged = (await fetch(tagSearchUrl).then((r) => r.json())) as { traces?: unknown[] };
    if (tagged.traces?.length !== 1) throw new Error(`tag search for order.id=${taggedOrderId} found ${tagged.traces?.length} traces, expected 1`);
    const tagSearches: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await fetch(tagSearchUrl).then((r) => r.arrayBuffer());
      tagSearches.push(performance.now() - t);
    }
    report('all-in-one', {
      date: new Date().toISOString(),
      machine: machineNote(),
      spans: prepared,
      requests: requests.length,
      spansPerRequest,
      acceptedSpansPerSecond: Math.round(prepared / ((tAccepted - t0) / 1000)),
      queryableSpansPerSecond: Math.round(prepared / ((tQueryable - t0) / 1000)),
      refused503: refused,
      serverCpuUsPerSpan: round(((cpuAtQueryable.total - cpuAtStart.total) * 1e6) / prepared, 2),
      serverCpuSeconds: {
        total: round(cpuAtQueryable.total - cpuAtStart.total, 2),
        mainThread: round(cpuAtQueryable.mainThread - cpuAtStart.mainThread, 2),
        busiestOtherThreads: cpuAtQueryable.busiestOtherThreads,
      },
      peakServerRssMiB: peakRssMiB(server.child.pid!),
      // anonymous = heaps and buffers; file-backed = mostly SQLite's mmap of its database (up to 256 MiB), pages the kernel can drop
      peakServerRssPartsMiB: peakRssParts,
      getTrace1000SpansMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), samples: lookups },
      findTracesByServiceMs: { p50: round(percentile(searches, 50)), p95: round(percentile(searches, 95)), samples: searches.length },
      tagSearch1HitMs: { p50: round(percentile(tagSearches, 50)), p95: round(percentile(tagSearches, 95)), samples: tagSearches.length },
      storeBytes: fs.readdirSync(dataDir).reduce((n, f) => n + fs.statSync(path.join(dataDir, f)).size, 0),
    });
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
