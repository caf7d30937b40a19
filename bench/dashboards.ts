/**
 * `npm run bench -- --dashboards [--spans 1000000] [--refreshes 30] [--spans-per-trace 10]`
 *
 * Writes `--spans` spans straight into a fresh embedded store (no collector,
 * no bus; topology roll-ups and business keys as ingest writes them), one
 * order per trace, spread over the last hour (one in 97 spans an error, so
 * about one order in ten fails), and one log line per trace (one in ten at
 * WARN, one in fifty at ERROR). Then times full refreshes of the Order center and Service health
 * dashboards over the last hour, the server side only (DashboardService.data,
 * every panel): the first refresh (nothing kept) and then `--refreshes` more,
 * each 10 s of wall time later, as a wall screen does.
 * `--heap-refreshes N` then leaves the Order center open in Chromium for N
 * pushes (refresh 1 s; build the UI first: node scripts/build-ui.mjs) and
 * reports the growth of its JS heap after garbage collection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { businessKeysOfSpans } from '../ingest/business-keys';
import { createDashboardService } from '../query-api/services/dashboard-service';
import { openEmbeddedStores } from '../storage/embedded';
import { machineNote, numberFlag } from './args';
import { percentile, round } from './stats';
import { syntheticLogs } from './synthetic-logs';
import { syntheticTrace } from './synthetic-spans';
import { screenHeapGrowth } from './screen-heap';

const HOUR_US = 3_600_000_000;
const BATCH_TRACES = 200;

export async function benchDashboards(args: string[]): Promise<void> {
  const total = numberFlag(args, 'spans', 1_000_000);
  const refreshes = numberFlag(args, 'refreshes', 30);
  const perTrace = numberFlag(args, 'spans-per-trace', 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-dashboards-'));
  const stores = openEmbeddedStores({ dataDir });
  await stores.spans.start();
  await stores.logs.start();
  try {
    const traces = Math.max(1, Math.floor(total / perTrace));
    const endUs = Date.now() * 1000;
    const startUs = endUs - HOUR_US;
    const writeStarted = performance.now();
    for (let t = 0; t < traces; t += BATCH_TRACES) {
      const spans = [];
      const logs = [];
      for (let k = t; k < Math.min(traces, t + BATCH_TRACES); k++) {
        const at = startUs + Math.floor((k / traces) * (HOUR_US - 60_000_000));
        spans.push(...syntheticTrace(perTrace, at, k));
        logs.push(...syntheticLogs(1, at, k));
      }
      await stores.spans.writeSpans({ spans, businessKeys: businessKeysOfSpans(spans, { attributeNames: ['order.id'] }), traceLinks: [], messageIds: [] });
      await stores.logs.writeLogs({ logs, businessKeys: [] });
    }
    const writeS = (performance.now() - writeStarted) / 1000;
    console.log(`dashboards: ${traces * perTrace} spans (${traces} orders) and ${traces} log lines written in ${round(writeS)} s`);

    const dashboards = createDashboardService(stores.spans, stores.logs, { chains: { businessKeys: ['order.id'] } });
    const results: Record<string, unknown> = {};
    for (const id of ['order-center', 'service-health']) {
      const times: number[] = [];
      let endMs = Math.floor(endUs / 1000);
      let failed: string[] = [];
      const first = await dashboards.data(id, endMs);
      failed = Object.entries(first.panels).filter(([, r]) => !r.ok).map(([p, r]) => `${p}: ${(r as { error: string }).error}`);
      for (let i = 0; i < refreshes; i++) {
        endMs += 10_000;
        const started = performance.now();
        const data = await dashboards.data(id, endMs);
        times.push(performance.now() - started);
        for (const [p, r] of Object.entries(data.panels)) if (!r.ok) failed.push(`${p}: ${r.error}`);
      }
      const slowest = Object.entries((await dashboards.data(id, endMs + 10_000)).panels).map(([p, r]) => `${p} ${r.ms} ms`).join(', ');
      console.log(`dashboards: ${id}: panels of one more refresh: ${slowest}`);
      results[id] = { firstMs: round(first.computeMs), p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), maxMs: round(Math.max(...times)), failedPanels: [...new Set(failed)] };
      console.log(`dashboards: ${id}: first refresh ${round(first.computeMs)} ms; next ${refreshes}: p50 ${round(percentile(times, 50))} ms, p95 ${round(percentile(times, 95))} ms${failed.length ? `; failed panels: ${[...new Set(failed)].join('; ')}` : ''}`);
    }
    const heapRefreshes = args.includes('--heap-refreshes') ? numberFlag(args, 'heap-refreshes', 2000) : 0;
    const heap = heapRefreshes ? await screenHeapGrowth(stores.spans, stores.logs, 'order-center', heapRefreshes) : null;
    if (heap) console.log(`dashboards: order-center in Chromium, ${heap.refreshes} pushes in ${heap.seconds} s: JS heap ${heap.startMiB} → ${heap.endMiB} MiB after GC (${heap.growthPercent} %)`);
    const report = { bench: 'dashboards', spans: traces * perTrace, orders: traces, writeSeconds: round(writeS), refreshes, results, heap, machine: machineNote() };
    fs.mkdirSync('bench-results', { recursive: true });
    fs.writeFileSync(path.join('bench-results', `dashboards-${Date.now()}.json`), JSON.stringify(report, null, 2));
    console.log(`dashboards: ${machineNote()}`);
  } finally {
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
