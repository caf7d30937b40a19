import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Counters } from '../../core/metrics';
import type { Span } from '../../core/model';
import type { QueryAppOptions } from '../../query-api/app';
import { QueryServer } from '../../query-api/server';
import { openEmbeddedStores } from '../../storage/embedded';
import { ARTIFACTS, launchBrowser, REPO } from './browser';
import { writeOrderSpans } from './chain-orders';

/** A query server with the built UI over an embedded store holding `orders`, and a Chromium page on it. */
export interface OrdersUi {
  base: string;
  page: Page;
  /** Uncaught errors of the page so far. */
  pageErrors: string[];
  dispose(): Promise<void>;
}

/**
 * Builds the UI, stores the orders (CHAIN_EXPECTED_WAITS=order-jobs) and opens a page of `viewport` size;
 * `prepare` may write more to the stores first and give the query server more options.
 */
export async function startOrdersUi(
  orders: Span[][],
  viewport: { width: number; height: number },
  name: string,
  prepare: (stores: ReturnType<typeof openEmbeddedStores>, dataDir: string) => Promise<Partial<QueryAppOptions>> = async () => ({}),
): Promise<OrdersUi> {
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-ui.mjs')], { stdio: 'pipe' });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `chainscope-${name}-`));
  const stores = openEmbeddedStores({ dataDir });
  let server: QueryServer | undefined;
  let browser: Browser | undefined;
  const dispose = async () => {
    await browser?.close();
    await server?.shutdown();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await stores.logs.start();
    await stores.spans.start();
    for (const spans of orders) await writeOrderSpans(stores.spans, spans);
    const more = await prepare(stores, dataDir);
    server = new QueryServer({
      host: '127.0.0.1',
      port: 0,
      spanStore: stores.spans,
      logStore: stores.logs,
      counters: new Counters(),
      uiDir: path.join(REPO, 'ui', 'dist'),
      chains: { businessKeys: ['order.id'], expectedWaits: ['order-jobs'] },
      ...more,
    });
    const base = `http://127.0.0.1:${await server.start()}`;
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return { base, page, pageErrors, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
