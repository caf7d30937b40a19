import { AVAILABLE_ENGINES_ENV, ENGINE_ADDRESSES, type EngineName } from './engine-addresses';

export { ENGINE_ADDRESSES };

export function engineAvailable(name: EngineName): boolean {
  return (process.env[AVAILABLE_ENGINES_ENV] ?? '').split(',').includes(name);
}

/**
 * `describe` for a suite that needs real engines: skipped (with the reason in
 * its title) when one is unreachable. Under REQUIRE_ENGINES=1 the global setup
 * has already failed the run in that case, so nothing is silently skipped in CI.
 */
export function describeWithEngines(engines: EngineName[], title: string, body: () => void): void {
  const missing = engines.filter((e) => !engineAvailable(e));
  if (missing.length === 0) describe(title, body);
  else describe.skip(`${title} [skipped: ${missing.join(', ')} not reachable]`, body);
}

/** A name no other test run uses: for topics, indices, databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
