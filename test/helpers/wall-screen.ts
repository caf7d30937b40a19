import type { Page } from 'playwright-core';

/** Waits until the wall screen's status line says it drew a push ("updated hh:mm:ss …"). */
export async function waitForScreenUpdate(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => document.querySelector('.screen-status')?.textContent?.startsWith('updated'), null, { timeout: timeoutMs });
}

/** The CSS filter on the screen's panels (a stale screen is greyed with `grayscale`). */
export function screenGridFilter(page: Page): Promise<string> {
  return page.locator('.screen-grid').evaluate((g) => getComputedStyle(g).filter);
}
