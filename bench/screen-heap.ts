import path from 'node:path';
import { chromium } from 'playwright-core';
import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import { Counters } from '../core/metrics';
import { QueryServer } from '../query-api/server';
import { round } from './stats';

/**
 * A wall screen left running: Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
 * at 1920×1080 on `#/screens/<id>?kiosk=1&refresh=1s` over the given stores,
 * the JS heap measured after a forced garbage collection (DevTools protocol)
 * once the screen has settled (after `warmup` pushes) and after `refreshes`
 * more, counting the stream's data events as they arrive.
 */
export async function screenHeapGrowth(spans: SpanStore, logs: LogStore, id: string, refreshes: number, warmup = 20): Promise<{ refreshes: number; startMiB: number; endMiB: number; growthPercent: number; seconds: number }> {
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
    await cdp.send('Network.enable');
    let pushes = 0;
    cdp.on('Network.eventSourceMessageReceived', (e: { eventName: string }) => {
      if (e.eventName === 'data') pushes++;
    });
    const until = async (n: number) => {
      const deadline = Date.now() + (n - pushes) * 5_000 + 60_000;
      while (pushes < n) {
        if (Date.now() > deadline) throw new Error(`screen got ${pushes} of ${n} pushes`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const heapMiB = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      return usedSize / 2 ** 20;
    };
    await page.goto(`http://127.0.0.1:${port}/#/screens/${id}?kiosk=1&refresh=1s&theme=dark`);
    await until(warmup);
    const startMiB = await heapMiB();
    const started = Date.now();
    console.log(`screen-heap: ${warmup} pushes to settle: ${round(startMiB, 2)} MiB after GC`);
    // a line every 100 pushes, so a long run shows its trend as it goes
    for (let n = 100; n < refreshes; n += 100) {
      await until(warmup + n);
      console.log(`screen-heap: ${n} pushes: ${round(await heapMiB(), 2)} MiB after GC (start ${round(startMiB, 2)})`);
    }
    await until(warmup + refreshes);
    const endMiB = await heapMiB();
    return { refreshes, startMiB: round(startMiB, 2), endMiB: round(endMiB, 2), growthPercent: round(((endMiB - startMiB) / startMiB) * 100, 1), seconds: round((Date.now() - started) / 1000) };
  } finally {
    await browser.close();
    await server.shutdown();
  }
}
