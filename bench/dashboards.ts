/**
 * `npm run bench -- --dashboards [--backend embedded|clickhouse] [--spans 1000000] [--refreshes 30]
 *   [--spans-per-trace 10] [--processes N] [--writers N] [--batch-traces N] [--load-spans N] [--load-seconds S]
 *   [--keep | --reuse FILE | --resume FILE]`
 *
 * Writes `--spans` spans straight into fresh stores through SpanStore.writeSpans
 * (no collector, no bus; topology roll-ups, business keys and the per-minute
 * order roll-up as ingest writes them), one order per trace, spread over the
 * last hour (one in 97 spans an error, so about one order in ten fails), and
 * one log line per trace (one in ten at WARN, one in fifty at ERROR): see
 * dashboard-load.ts. The embedded backend is one file (spans and logs);
 * `clickhouse` is ClickHouse (CLICKHOUSE_URL) with the logs in OpenSearch
 * (OPENSEARCH_URL), written by `--processes` (3) processes with `--writers`
 * (2) batches of `--batch-traces` (2,000) traces in flight each, a retriable
 * failure (a dropped connection) retried with backoff. Then times full refreshes of the
 * Order center and Service health dashboards over the last hour, server side
 * only (DashboardService.data, every panel): the first refresh (nothing kept)
 * and then `--refreshes` more, each with its window 10 s later (run back to
 * back), with this process's CPU per refresh (the engines' CPU is not in it). `--keep` leaves the data and writes where it is to
 * bench-results/dashboards-store-<backend>-<time>.json; `--reuse FILE` times that
 * data again without writing (its hour ends when it was first written);
 * `--resume FILE` writes more of its planned spans first (`--load-spans`,
 * `--load-seconds` bound each run).
 * `--heap-refreshes N` then leaves a screen (`--heap-screen`, default
 * order-center) open in Chromium for N pushes (refresh 1 s; build the UI
 * first: node scripts/build-ui.mjs) while `--live-orders` (default 3) new
 * orders a second are written, so every push has new figures to draw, and
 * reports the growth of its JS heap after garbage collection;
 * `--heap-snapshots 0,200,500` adds heap snapshots after those pushes (past
 * the first 20) and prints what grew between them, by kind (code, strings, …).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDashboardService } from '../query-api/services/dashboard-service';
import { machineNote, numberFlag, stringFlag } from './args';
import { loadDashboardData, writeOrders, type LoadResult } from './dashboard-load';
import { newPlace, openBenchStores, type BenchPlace, type BenchStores } from './dashboard-stores';
import { percentile, round } from './stats';
import { screenHeapGrowth, type ScreenHeapGrowth } from './screen-heap';

type Loaded = BenchPlace & LoadResult;

export async function benchDashboards(args: string[]): Promise<void> {
  const refreshes = numberFlag(args, 'refreshes', 30);
  const reuse = args.includes('--reuse') ? stringFlag(args, 'reuse', '') : '';
  const resume = args.includes('--resume') ? stringFlag(args, 'resume', '') : '';
  const keep = args.includes('--keep') || reuse !== '' || resume !== '';
  let loaded: Loaded;
  let stores: BenchStores;
  if (reuse) {
    loaded = JSON.parse(fs.readFileSync(reuse, 'utf8')) as Loaded;
    stores = await openBenchStores(loaded);
    console.log(`dashboards: reusing ${loaded.spans} spans (${loaded.orders} orders) on ${loaded.backend} from ${reuse}`);
  } else {
    let place: BenchPlace;
    let resumed: Loaded | undefined;
    if (resume) {
      place = resumed = JSON.parse(fs.readFileSync(resume, 'utf8')) as Loaded;
      console.log(`dashboards: going on with the load of ${resumed.spans} spans on ${resumed.backend} from ${resume}`);
    } else {
      const backend = stringFlag(args, 'backend', 'embedded');
      if (backend !== 'embedded' && backend !== 'clickhouse') throw new Error('--backend is embedded or clickhouse');
      place = newPlace(backend);
    }
    stores = await openBenchStores(place);
    loaded = { ...place, ...(await loadDashboardData(place, stores, args, resumed)) };
    if (keep) {
      const file = resume || path.join('bench-results', `dashboards-store-${loaded.backend}-${Date.now()}.json`);
      fs.mkdirSync('bench-results', { recursive: true });
      fs.writeFileSync(file, JSON.stringify(loaded, null, 2));
      console.log(`dashboards: data kept; time it again with --reuse ${file}, load more with --resume ${file}`);
    }
  }
  try {
    const dashboards = createDashboardService(stores.spans, stores.logs, { chains: { businessKeys: ['order.id'] } });
    const results: Record<string, unknown> = {};
    for (const id of ['order-center', 'service-health']) {
      const times: number[] = [];
      let endMs = Math.floor(loaded.endUs / 1000);
      const first = await dashboards.data(id, endMs);
      const failed = Object.entries(first.panels).filter(([, r]) => !r.ok).map(([p, r]) => `${p}: ${(r as { error: string }).error}`);
      // this process's CPU over the timed refreshes (the engines' own is not in it): a cost the box's load does not stretch
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < refreshes; i++) {
        endMs += 10_000;
        const started = performance.now();
        const data = await dashboards.data(id, endMs);
        times.push(performance.now() - started);
        for (const [p, r] of Object.entries(data.panels)) if (!r.ok) failed.push(`${p}: ${r.error}`);
      }
      const cpu = process.cpuUsage(cpuStart);
      const cpuMs = refreshes > 0 ? round((cpu.user + cpu.system) / 1000 / refreshes) : null;
      const panels = Object.entries((await dashboards.data(id, endMs + 10_000)).panels).map(([p, r]) => `${p} ${r.ms} ms`).join(', ');
      console.log(`dashboards: ${loaded.backend}: ${id}: panels of one more refresh: ${panels}`);
      const all = [first.computeMs, ...times];
      results[id] = {
        firstMs: round(first.computeMs),
        p50Ms: round(percentile(all, 50)),
        p95Ms: round(percentile(all, 95)),
        maxMs: round(Math.max(...all)),
        cpuMsPerRefresh: cpuMs,
        failedPanels: [...new Set(failed)],
      };
      console.log(
        `dashboards: ${loaded.backend}: ${id}: ${all.length} full refreshes: first ${round(first.computeMs)} ms, p50 ${round(percentile(all, 50))} ms, p95 ${round(percentile(all, 95))} ms, max ${round(Math.max(...all))} ms; this process's CPU ${cpuMs} ms a refresh` +
          (failed.length ? `; failed panels: ${[...new Set(failed)].join('; ')}` : ''),
      );
    }
    const heapRefreshes = args.includes('--heap-refreshes') ? numberFlag(args, 'heap-refreshes', 2000) : 0;
    const heapScreen = stringFlag(args, 'heap-screen', 'order-center');
    let heap: ScreenHeapGrowth | null = null;
    if (heapRefreshes) {
      const stop = liveOrders(stores, numberFlag(args, 'spans-per-trace', 10), loaded.orders, numberFlag(args, 'live-orders', 3));
      try {
        const snapshotsAt = args.includes('--heap-snapshots') ? stringFlag(args, 'heap-snapshots', '').split(',').map(Number) : [];
        heap = await screenHeapGrowth(stores.spans, stores.logs, heapScreen, heapRefreshes, snapshotsAt);
      } finally {
        await stop();
      }
      console.log(
        `dashboards: ${heapScreen} in Chromium, ${heap.refreshes} pushes in ${heap.seconds} s: JS heap ${heap.startMiB} → ${heap.endMiB} MiB after GC (${heap.growthPercent} %; ${heap.growthAfter100Percent} % from the 100th push); ` +
          `embedder (DOM) heap ${heap.embedderStartMiB} → ${heap.embedderEndMiB} MiB (${heap.embedderGrowthPercent} %); DOM nodes ${heap.nodesStart} → ${heap.nodesEnd}`,
      );
    }
    const os = await import('node:os');
    const report = { bench: 'dashboards', heapScreen, backend: loaded.backend, spans: loaded.spans, orders: loaded.orders, writeSeconds: loaded.writeSeconds, refreshes, results, heap, loadAverage: os.loadavg().map(round), machine: machineNote() };
    fs.mkdirSync('bench-results', { recursive: true });
    fs.writeFileSync(path.join('bench-results', `dashboards-${loaded.backend}-${Date.now()}.json`), JSON.stringify(report, null, 2));
    console.log(`dashboards: load average ${os.loadavg().map(round).join(' ')}; ${machineNote()}`);
  } finally {
    await stores.close(!keep);
  }
}

/**
 * New orders while a screen is watched, so every refresh has new figures to
 * draw: `perSecond` orders a second stamped a second ago, numbered after the
 * loaded ones. Returns a function that stops it (and waits for the last write).
 */
function liveOrders(stores: BenchStores, perTrace: number, firstOrder: number, perSecond: number): () => Promise<void> {
  let next = firstOrder;
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing
      .then(async () => {
        const atUs = Date.now() * 1000 - 1_000_000;
        const orders = Array.from({ length: perSecond }, (_, i) => next + i);
        await writeOrders(stores, perTrace, orders, (k) => atUs + (k - next) * 1000);
        next += perSecond;
        await stores.flushLogs();
      })
      .catch((err) => console.error(`dashboards: live orders: ${(err as Error).message}`));
  }, 1000);
  return async () => {
    clearInterval(timer);
    await writing;
  };
}
