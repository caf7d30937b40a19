/**
 * Polls `probe` every `pollMs` until it returns a value other than undefined/false, or fails at the
 * deadline naming `what` (and the probe's last error: a probe that throws is tried again). The one
 * wait-with-a-deadline of the test suites: no fixed sleeps, no local copies.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
  pollMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
