import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, describeInBrowser } from '../helpers/browser';
import { demoLikeOrder } from '../helpers/chain-orders';
import { startOrdersUi, type OrdersUi } from '../helpers/orders-ui';

/** "Compare with…" in Chromium: an order against a typical one and against another order, the explaining hop first. */
describeInBrowser('compare two orders in Chromium', () => {
  let ui: OrdersUi;
  let base: string;
  let page: Page;
  const t0 = Date.now() - 5 * 60_000;
  const orders = [
    ...[40, 45, 50, 55].map((paymentMs, i) => demoLikeOrder({ orderId: `ORD-OK-${i}`, t0: t0 + i * 5_000, paymentMs, delayMs: 400 + 100 * i })),
    demoLikeOrder({ orderId: 'ORD-SLOW', t0: t0 + 30_000, paymentMs: 1_200, delayMs: 500 }),
  ];

  beforeAll(async () => {
    ui = await startOrdersUi(orders, { width: 1280, height: 900 }, 'compare-ui');
    ({ base, page } = ui);
  }, 120_000);

  afterAll(() => ui?.dispose());

  afterEach(() => {
    expect(ui.pageErrors).toEqual([]);
  });

  const firstHop = () => page.locator('.compare-table').first().locator('tbody tr').first();

  test('from the chain page, "Compare with…": the slow payment call named and highlighted first against a typical order', async () => {
    await page.goto(`${base}/#/chain/order.id/ORD-SLOW`);
    await page.click('a.compare-link');
    await page.waitForFunction(() => location.hash === '#/chains/compare?key=order.id&a=ORD-SLOW');
    await page.waitForSelector('.compare-top');
    expect(await page.locator('.compare-top').textContent()).toBe('Most of the difference: payment POST /payments/charge +1.15s (1.2s vs 47.5ms)');
    expect(await page.locator('.compare-summary').textContent()).toContain('a typical order (median of 4 of the same journey)');
    await expect(firstHop().getAttribute('class')).resolves.toContain('top');
    expect(await firstHop().locator('td').first().textContent()).toBe('payment POST /payments/charge');
    // bars: a longer than b on the top row
    const widths = await firstHop().locator('.compare-bar').evaluateAll((bars) => bars.map((b) => (b as HTMLElement).getBoundingClientRect().width));
    expect(widths[0]).toBeGreaterThan(widths[1] * 10);
    expect(await page.locator('.compare-table').nth(1).locator('tbody tr').count()).toBe(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chain-compare-typical.png'), fullPage: true });
  });

  test('the other order typed in the box: compared with it, linked to its chain', async () => {
    await page.goto(`${base}/#/chains/compare?key=order.id&a=ORD-SLOW`);
    await page.waitForSelector('.compare-top');
    await page.fill('input[name=b]', 'ORD-OK-0');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('b=ORD-OK-0'));
    await page.waitForSelector('.compare-summary a[href="#/chain/order.id/ORD-OK-0"]');
    expect(await page.locator('.compare-top').textContent()).toBe('Most of the difference: payment POST /payments/charge +1.16s (1.2s vs 40ms)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chain-compare-orders.png'), fullPage: true });
  });

  test('an unknown order: the API refusal shown, no crash', async () => {
    await page.goto(`${base}/#/chains/compare?key=order.id&a=ORD-NOPE&b=<img src=x>`);
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toContain('404');
  });
});
