import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Counters } from '../core/metrics';
import type { Span } from '../core/model';
import { createQueryApp } from '../query-api/app';
import { openEmbeddedStores } from '../storage/embedded';
import { machineNote, numberFlag } from './args';
import { report } from './load';
import { percentile, round } from './stats';
import { syntheticTrace } from './synthetic-spans';

// Page-side code (run by page.evaluate) sees the browser's globals; this module is compiled without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const requestAnimationFrame: (f: (t: number) => void) => number;

const REPO = path.resolve(__dirname, '..', '..');
const UI_DIR = path.join(REPO, 'ui', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Frames recorded while scrolling and while brushing. */
const FRAMES = 120;

/**
 * `npm run bench -- --big-trace --ui [--spans 20000] [--runs 3]`: the trace
 * page in headless Chromium on one `--spans`-span trace (bench/synthetic-spans.ts,
 * an exception event on each failing span) from an embedded store: time from
 * navigation to the first frame with rows and the minimap drawn (and the part
 * that is the API answer), then frame times (rAF deltas) while scrolling the
 * waterfall, while dragging a brush over the minimap, and the time of a
 * find over every span and of a jump to the next error. Needs the UI built
 * (node scripts/build-ui.mjs) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 */
export async function benchTraceView(args: string[]): Promise<void> {
  const spans = numberFlag(args, 'spans', 20_000);
  const runs = numberFlag(args, 'runs', 3);
  if (!fs.existsSync(path.join(UI_DIR, 'index.html'))) throw new Error(`no UI build in ${UI_DIR}: run node scripts/build-ui.mjs first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-trace-view-'));
  const stores = openEmbeddedStores({ dataDir });
  await stores.spans.start();
  await stores.logs.start();
  const server = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters(), uiDir: UI_DIR }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  // A dev dependency: loaded only by this bench, so the other benches run where only production packages are installed.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const trace = withExceptionEvents(syntheticTrace(spans, Date.now() * 1000, 1));
    await stores.spans.writeSpans({ spans: trace, businessKeys: [], traceLinks: [], messageIds: [] });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/#/trace/${trace[0].traceId}`;
    const samples: Array<Awaited<ReturnType<typeof measureOnce>>> = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      samples.push(await measureOnce(page, url));
      await page.close();
      const s = samples[samples.length - 1];
      console.log(`bench: ${spans} spans, run ${i + 1}: first paint ${s.firstPaintMs} ms (API ${s.apiMs} ms), scroll p95 ${s.scroll.p95Ms} ms, brush p95 ${s.brush.p95Ms} ms`);
    }
    const median = (pick: (s: (typeof samples)[number]) => number) => round(percentile(samples.map(pick), 50));
    report('trace-view', {
      date: new Date().toISOString(),
      machine: machineNote(),
      chromium: browser.version(),
      spans,
      runs,
      medianOfRuns: {
        firstPaintMs: median((s) => s.firstPaintMs),
        apiMs: median((s) => s.apiMs),
        scrollFrameP50Ms: median((s) => s.scroll.p50Ms),
        scrollFrameP95Ms: median((s) => s.scroll.p95Ms),
        scrollFrameMaxMs: median((s) => s.scroll.maxMs),
        brushFrameP50Ms: median((s) => s.brush.p50Ms),
        brushFrameP95Ms: median((s) => s.brush.p95Ms),
        brushFrameMaxMs: median((s) => s.brush.maxMs),
        findMs: median((s) => s.findMs),
        nextErrorMs: median((s) => s.nextErrorMs),
        domRows: median((s) => s.domRows),
      },
      runsDetail: samples,
    });
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** An exception event in the middle of every failing span, as an instrumented app records one. */
function withExceptionEvents(spans: Span[]): Span[] {
  for (const s of spans) {
    if (s.status.code !== 'error') continue;
    s.events = [{ timeUs: s.startUs + Math.floor(s.durationUs / 2), name: 'exception', attributes: { 'exception.type': 'Timeout', 'exception.message': 'upstream timed out' } }];
  }
  return spans;
}

interface FrameStats {
  frames: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

async function measureOnce(page: Page, url: string) {
  const t0 = Date.now();
  await page.goto(url);
  // First frame after the rows and the minimap exist.
  await page.waitForFunction(() => document.querySelector('.wf-row') !== null && document.querySelector('.minimap-brush .overlay') !== null, undefined, { timeout: 120_000, polling: 'raf' });
  const firstPaintMs = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
  const apiMs = await page.evaluate(() => {
    const entry = performance.getEntriesByType('resource').find((e) => /\/api\/traces\/[0-9a-f]{32}$/.test(e.name)) as { responseEnd: number } | undefined;
    return entry ? entry.responseEnd : NaN;
  });
  const wallMs = Date.now() - t0;
  const domRows = await page.locator('.wf-row').count();

  // Scroll: a big step every frame, the way a dragged scrollbar moves.
  const scroll = frameStats(
    await page.evaluate(
      (frames) =>
        new Promise<number[]>((resolve) => {
          const scroller = document.querySelector('.wf-scroll') as any;
          const step = Math.max(1, (scroller.scrollHeight - scroller.clientHeight) / frames);
          const times: number[] = [];
          const tick = (t: number) => {
            times.push(t);
            if (times.length > frames) return resolve(times);
            scroller.scrollTop += step;
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        }),
      FRAMES,
    ),
  );

  // Brush: drag across the minimap while a rAF recorder runs.
  const box = (await page.locator('.minimap-overlay svg').boundingBox())!;
  await page.evaluate(() => {
    const w = window as { __frames: number[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.1, y);
  await page.mouse.down();
  for (let i = 1; i <= FRAMES / 2; i++) await page.mouse.move(box.x + box.width * (0.1 + (0.6 * i) / (FRAMES / 2)), y);
  await page.mouse.up();
  // then move the brushed window along
  await page.mouse.move(box.x + box.width * 0.4, y);
  await page.mouse.down();
  for (let i = 1; i <= FRAMES / 2; i++) await page.mouse.move(box.x + box.width * (0.4 - (0.3 * i) / (FRAMES / 2)), y);
  await page.mouse.up();
  const brush = frameStats(
    await page.evaluate(() => {
      const w = window as { __frames: number[]; __recording: boolean };
      w.__recording = false;
      return w.__frames;
    }),
  );

  // Find: a term every span has (the worst case: every span matches), timed from the input event to the count.
  const findMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const input = document.querySelector('input[name=find]') as any;
        const count = document.querySelector('.find-count') as any;
        const before = count.textContent;
        const t = performance.now();
        input.value = 'order.id=ord-1';
        input.dispatchEvent(new Event('input'));
        const wait = () => (count.textContent !== before ? resolve(performance.now() - t) : requestAnimationFrame(wait));
        wait();
      }),
  );
  const nextErrorMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        (document.querySelector('button[aria-label="Next error"]') as any).click();
        requestAnimationFrame(() => resolve(performance.now() - t));
      }),
  );
  return { firstPaintMs: round(firstPaintMs), apiMs: round(apiMs), wallMs, domRows, scroll, brush, findMs: round(findMs), nextErrorMs: round(nextErrorMs) };
}

function frameStats(times: number[]): FrameStats {
  const deltas = times.slice(1).map((t, i) => t - times[i]);
  if (!deltas.length) return { frames: 0, p50Ms: NaN, p95Ms: NaN, maxMs: NaN };
  return { frames: deltas.length, p50Ms: round(percentile(deltas, 50)), p95Ms: round(percentile(deltas, 95)), maxMs: round(Math.max(...deltas)) };
}
