import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ENGINE_ADDRESSES } from './engine-addresses';

/** Debian's Chromium (CHROMIUM_PATH overrides); `npx playwright install` cannot run here. */
export const CHROMIUM = ENGINE_ADDRESSES.chromium();
export const REPO = path.resolve(__dirname, '..', '..');
/** Screenshots of every browser run (git-ignored). */
export const ARTIFACTS = path.join(REPO, 'test-artifacts');

const haveChromium = fs.existsSync(CHROMIUM);

/**
 * `describe` for a browser suite: skipped with a message when Chromium is
 * missing, and a failing test in its place under REQUIRE_ENGINES=1 (CI).
 */
export function describeInBrowser(title: string, body: () => void): void {
  if (haveChromium) return describe(title, body);
  if (process.env.REQUIRE_ENGINES === '1') {
    test(`${title}: chromium is installed (REQUIRE_ENGINES=1)`, () => {
      throw new Error(`${CHROMIUM} is missing; install it with apt-get install chromium`);
    });
    return;
  }
  console.warn(`${title}: skipped, ${CHROMIUM} not found (apt-get install chromium; REQUIRE_ENGINES=1 makes this a failure)`);
  describe.skip(title, body);
}

/** Headless Chromium with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
