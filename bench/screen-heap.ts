import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import { Counters } from '../core/metrics';
import { QueryServer } from '../query-api/server';
import { heapGrowthLines, heapSnapshotStats, type HeapSnapshotStats } from './heap-snapshot-stats';
import { round } from './stats';

/** The time of the last push the screen shows (page-side expression: the bench is compiled without the DOM's types). */
const SHOWN_UPDATE = `/^updated (\\d\\d:\\d\\d:\\d\\d)/.exec(document.querySelector('.screen-status')?.textContent ?? '')?.[1] ?? ''`;

export interface ScreenHeapGrowth {
  refreshes: number;
  startMiB: number;
  endMiB: number;
  growthPercent: number;
  /** From the 100th push on (the JIT's code and V8's number-string cache fill in the first hundreds). */
  growthAfter100Percent: number;
  embedderStartMiB: number;
  embedderEndMiB: number;
  embedderGrowthPercent: number;
  nodesStart: number;
  nodesEnd: number;
  seconds: number;
}

/**
 * A wall screen left running: Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
 * at 1920×1080 on `#/screens/<id>?kiosk=1&refresh=1s` over the given stores,
 * the JS heap (and Blink's, and the DOM node count) measured after a forced garbage collection (DevTools protocol)
 * once the screen has settled (after `warmup` pushes) and after `refreshes`
 * more, counting the pushes as the screen shows them. At the measures after
 * `snapshotsAt` pushes (0: the first, then multiples of 100 and the last) it also takes a
 * heap snapshot (kept in bench-results/) and prints what grew since the previous one, by kind.
 */
export async function screenHeapGrowth(spans: SpanStore, logs: LogStore, id: string, refreshes: number, snapshotsAt: readonly number[] = [], warmup = 20): Promise<ScreenHeapGrowth> {
  const server = new QueryServer({
    host: '127.0.0.1',
    port: 0,
    spanStore: spans,
    logStore: logs,
    counters: new Counters(),
    uiDir: path.join(__dirname, '..', '..', 'ui', 'dist'),
    chains: { businessKeys: ['order.id'] },
  });
  const port = await server.start();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const cdp = await page.context().newCDPSession(page);
    // Pushes are counted from the screen's "updated HH:MM:SS" (a new second each push: they come ≥ 1 s apart),
    // not from the DevTools Network domain: with it on, Blink keeps every request's record and the stream's
    // body for the inspector, and the embedder heap grows by the bench's own doing.
    let pushes = 0;
    let shown = '';
    const until = async (n: number) => {
      const deadline = Date.now() + (n - pushes) * 5_000 + 60_000;
      while (pushes < n) {
        if (Date.now() > deadline) throw new Error(`screen got ${pushes} of ${n} pushes`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const status = String(await page.evaluate(SHOWN_UPDATE));
        if (status && status !== shown) {
          shown = status;
          pushes++;
        }
      }
    };
    // the V8 heap (the JS heap DevTools shows) and Blink's own (DOM nodes, styles), after a full collection
    const heapMiB = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize, embedderHeapUsedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; embedderHeapUsedSize?: number };
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return { js: usedSize / 2 ** 20, embedder: (embedderHeapUsedSize ?? 0) / 2 ** 20, nodes: metrics.find((m) => m.name === 'Nodes')?.value ?? 0 };
    };
    await cdp.send('Performance.enable');
    await page.goto(`http://127.0.0.1:${port}/#/screens/${id}?kiosk=1&refresh=1s&theme=dark`);
    await until(warmup);
    const start = await heapMiB();
    const started = Date.now();
    const line = (h: typeof start) => `${round(h.js, 2)} MiB JS, ${round(h.embedder, 2)} MiB embedder, ${h.nodes} DOM nodes after GC`;
    console.log(`screen-heap: ${id}: ${warmup} pushes to settle: ${line(start)}`);
    let snapshot: { n: number; stats: HeapSnapshotStats } | null = null;
    const snapshotAt = async (n: number) => {
      if (!snapshotsAt.includes(n)) return;
      fs.mkdirSync('bench-results', { recursive: true });
      const file = path.join('bench-results', `screen-heap-${id}-${n}.heapsnapshot`);
      const stats = await heapSnapshotStats(cdp, file);
      const lines = snapshot ? heapGrowthLines(snapshot.stats, stats) : heapGrowthLines(stats, stats, 0);
      console.log(`screen-heap: ${id}: heap snapshot after ${n} pushes (${file})${snapshot ? `, against ${snapshot.n}` : ''}:\n${lines.join('\n')}`);
      snapshot = { n, stats };
    };
    await snapshotAt(0);
    // a line every 100 pushes, so a long run shows its trend as it goes
    let at100 = start;
    for (let n = 100; n < refreshes; n += 100) {
      await until(warmup + n);
      const now = await heapMiB();
      if (n === 100) at100 = now;
      console.log(`screen-heap: ${id}: ${n} pushes (${round((Date.now() - started) / 1000)} s): ${line(now)}`);
      await snapshotAt(n);
    }
    await until(warmup + refreshes);
    const end = await heapMiB();
    await snapshotAt(refreshes);
    const growth = (a: number, b: number) => round(((b - a) / a) * 100, 1);
    return {
      refreshes,
      startMiB: round(start.js, 2),
      endMiB: round(end.js, 2),
      growthPercent: growth(start.js, end.js),
      growthAfter100Percent: growth(at100.js, end.js),
      embedderStartMiB: round(start.embedder, 2),
      embedderEndMiB: round(end.embedder, 2),
      embedderGrowthPercent: growth(start.embedder, end.embedder),
      nodesStart: start.nodes,
      nodesEnd: end.nodes,
      seconds: round((Date.now() - started) / 1000),
    };
  } finally {
    await browser.close();
    await server.shutdown();
  }
}
