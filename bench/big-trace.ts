import fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Counters } from '../core/metrics';
import { createQueryApp } from '../query-api/app';
import { openEmbeddedStores } from '../storage/embedded';
import { machineNote, numberFlag } from './args';
import { report } from './load';
import { percentile, round } from './stats';
import { syntheticTrace } from './synthetic-spans';
import { benchTraceView } from './trace-view';

/**
 * `npm run bench -- --big-trace [--spans 20000] [--runs 5]`: one trace of
 * `--spans` spans (bench/synthetic-spans.ts: ten attributes each) in an
 * embedded store, then `GET /api/traces/:id` as a browser asks it (identity,
 * gzip, br): bytes on the wire and time to the last byte, p50 and max.
 * With `--ui`: the trace page in Chromium instead (bench/trace-view.ts).
 */
export async function benchBigTrace(args: string[]): Promise<void> {
  if (args.includes('--ui')) return benchTraceView(args);
  const spans = numberFlag(args, 'spans', 20_000);
  const runs = numberFlag(args, 'runs', 5);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-big-trace-'));
  const stores = openEmbeddedStores({ dataDir });
  await stores.spans.start();
  await stores.logs.start();
  const server = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters() }).listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const trace = syntheticTrace(spans, Date.now() * 1000, 1);
    await stores.spans.writeSpans({ spans: trace, businessKeys: [], traceLinks: [], messageIds: [] });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = `${base}/api/traces/${trace[0].traceId}`;
    const results: Record<string, unknown> = {};
    for (const encoding of ['identity', 'gzip', 'br']) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        bytes = await fetchBytes(url, encoding);
        times.push(performance.now() - t0);
      }
      results[encoding] = { bytes, mib: round(bytes / 2 ** 20, 2), p50Ms: round(percentile(times, 50)), maxMs: round(Math.max(...times)) };
      console.log(`bench: ${spans} spans, ${encoding}: ${round(bytes / 2 ** 20, 2)} MiB, p50 ${round(percentile(times, 50))} ms`);
    }
    report('big-trace', { date: new Date().toISOString(), machine: machineNote(), spans, runs, results });
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Bytes of the answer as sent (not decompressed). */
function fetchBytes(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode}`));
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
