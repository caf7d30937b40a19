import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser } from '../helpers/browser';
import { demoLikeOrder } from '../helpers/chain-orders';
import { startOrdersUi, type OrdersUi } from '../helpers/orders-ui';

/**
 * "Why is this order slow?" in Chromium: the slow-orders list (columns, sort,
 * filters, legend) and the chain view (working vs waiting, waits by kind),
 * over a query server with CHAIN_EXPECTED_WAITS=order-jobs and demo-like orders.
 */
describeInBrowser('why slow: slow orders and the chain view in Chromium', () => {
  let ui: OrdersUi;
  let base: string;
  let page: Page;
  const t0 = Date.now() - 5 * 60_000;
  const orders = [
    demoLikeOrder({ orderId: 'ORD-DELAY', t0, delayMs: 3000 }),
    demoLikeOrder({ orderId: 'ORD-PAY', t0: t0 + 10_000, paymentMs: 900, delayMs: 500 }),
    demoLikeOrder({ orderId: 'ORD-QUEUE', t0: t0 + 20_000, queueMs: 1200, delayMs: 200 }),
    demoLikeOrder({ orderId: 'ORD-ERR', t0: t0 + 30_000, delayMs: 700, error: true }),
  ];

  beforeAll(async () => {
    ui = await startOrdersUi(orders, { width: 1440, height: 900 }, 'why-slow');
    ({ base, page } = ui);
  }, 120_000);

  afterAll(() => ui?.dispose());

  afterEach(() => {
    expect(ui.pageErrors).toEqual([]);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const values = () => page.locator('.slow-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.value));
  const openSlow = async (query = '') => {
    await page.goto(`${base}/#/slow?key=order.id&range=1h${query}`);
    await page.waitForSelector('.slow-row');
  };

  test('columns, legend and the bottleneck of every row', async () => {
    await openSlow();
    const headers = (await page.locator('.slow-table thead th').allTextContents()).map((t) => t.replace(/[▲▼]/g, '').trim());
    expect(headers).toEqual(['Value', 'Started', 'End to end', '', 'Working', 'Waiting', 'Errors', 'Traces', 'Bottleneck']);
    expect(await values()).toEqual(['ORD-DELAY', 'ORD-QUEUE', 'ORD-PAY', 'ORD-ERR']);
    expect(await page.locator('.slow-legend .legend-item').allTextContents()).toEqual(['working', 'queue wait', 'intended delay', 'unknown gap']);
    // every row has a bottleneck; the intended delay is never it
    const bottlenecks = await page.locator('.slow-row td[data-col=bottleneck]').allTextContents();
    expect(bottlenecks.every((b) => b.trim() !== '' && b.trim() !== '–' && !b.includes('intended'))).toBe(true);
    const row = (v: string) => page.locator(`.slow-row[data-value="${v}"]`);
    expect(await row('ORD-PAY').locator('td[data-col=bottleneck]').textContent()).toContain('POST /payments/charge');
    expect(await row('ORD-QUEUE').locator('td[data-col=bottleneck]').textContent()).toContain('queue wait on order-events');
    expect(await row('ORD-ERR').locator('td[data-col=errors]').textContent()).toBe('1');
    expect(await row('ORD-PAY').locator('td[data-col=errors]').textContent()).toBe('0');
    // the bar of the delayed order is mostly the intended delay
    expect(await row('ORD-DELAY').locator('.time-bar-part[data-part="intended delay"]').count()).toBe(1);
    await shot('why-slow-list');
  });

  test('sorting by a column and toggling its order', async () => {
    await openSlow();
    await page.click('.slow-table th[data-sort=working] button');
    await page.waitForFunction(() => location.hash.includes('sort=working'));
    await page.waitForFunction(() => document.querySelector('.slow-row')?.getAttribute('data-value') === 'ORD-PAY');
    expect(await page.getAttribute('.slow-table th[data-sort=working]', 'aria-sort')).toBe('descending');
    await page.click('.slow-table th[data-sort=working] button');
    await page.waitForFunction(() => location.hash.includes('order=asc'));
    await page.waitForSelector('.slow-table th[data-sort=working][aria-sort=ascending]');
    const working = await page.locator('.slow-row').evaluateAll((rows) => rows.map((r) => r.querySelector('td[data-col=working]')!.textContent));
    expect(working).toHaveLength(4);
    expect((await values())[3]).toBe('ORD-PAY');
    await page.click('.slow-table th[data-sort=errors] button');
    await page.waitForFunction(() => location.hash.includes('sort=errors') && document.querySelector('.slow-row')?.getAttribute('data-value') === 'ORD-ERR');
    await shot('why-slow-sorted');
  });

  test('filters: errors only, exclude intended waits', async () => {
    await openSlow();
    await page.check('input[name=errorsOnly]');
    await page.waitForFunction(() => location.hash.includes('errorsOnly=true'));
    await page.waitForFunction(() => document.querySelectorAll('.slow-row').length === 1);
    expect(await values()).toEqual(['ORD-ERR']);
    await page.uncheck('input[name=errorsOnly]');
    await page.waitForFunction(() => !location.hash.includes('errorsOnly') && document.querySelectorAll('.slow-row').length === 4);

    await page.check('input[name=excludeIntendedWaits]');
    await page.waitForFunction(() => location.hash.includes('excludeIntendedWaits=true'));
    await page.waitForFunction(() => document.querySelector('.slow-row')?.getAttribute('data-value') === 'ORD-QUEUE');
    const order = await values();
    expect(order.indexOf('ORD-DELAY')).toBeGreaterThan(1);
    expect(await page.locator('.time-bar-part[data-part="intended delay"]').count()).toBe(0);
    expect(await page.isChecked('input[name=excludeIntendedWaits]')).toBe(true);
    await shot('why-slow-filtered');
  });

  test('a row opens its chain: working vs waiting, waits by kind once each, legend, bottleneck', async () => {
    await openSlow();
    await page.locator('.slow-row[data-value="ORD-DELAY"] td').nth(1).click();
    await page.waitForFunction(() => decodeURIComponent(location.hash) === '#/chain/order.id/ORD-DELAY');
    await page.waitForSelector('.chain-timeline rect.chain-span');
    const facts = (await page.textContent('.chain-header .facts')) ?? '';
    expect(facts).toContain('Working');
    expect(facts).toMatch(/Waiting\s*3(\.0\d*)? ?s \(queue 3 ?ms, intended 3 ?s\)/);
    expect(facts).toContain('intended 3');
    expect(await page.textContent('.chain-header .fact.bottleneck')).not.toContain('intended');
    // each hop is joined twice (span link + messaging id): each wait drawn once
    expect(await page.locator('g.wait').count()).toBe(2);
    expect(await page.locator('g.wait[data-wait-kind=intended]').count()).toBe(1);
    expect(await page.locator('g.wait[data-wait-kind=queue]').count()).toBe(1);
    expect(await page.locator('rect.cp-strip-wait').count()).toBe(2);
    expect(await page.locator('.ct-legend .legend-item').allTextContents()).toEqual(
      expect.arrayContaining(['critical path', 'queue wait', 'intended delay', 'unknown gap']),
    );
    await page.mouse.move(5, 5);
    await shot('why-slow-chain');
  });
});
