/** Small randomness helpers for realistic-looking latencies and ids. */

/** Standard normal sample (Box-Muller). */
export function gaussian(): number {
  let u = 0;
  while (u === 0) u = Math.random();
  const v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal latency in ms around `median`, spread `sigma`, clamped to [min, max]. */
export function lognormal(median: number, sigma = 0.35, min = 0.2, max = median * 20): number {
  const v = median * Math.exp(sigma * gaussian());
  return Math.min(max, Math.max(min, v));
}

export function uniform(min: number, max: number): number {
  return min + Math.random() * (max - min);
}

export function chance(p: number): boolean {
  return Math.random() < p;
}

export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

export function intBetween(min: number, max: number): number {
  return Math.floor(uniform(min, max + 1));
}

export function hex(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  return s;
}

/** Timer-based sleep; the timer is unref'd so it never keeps the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, Math.max(0, ms));
    t.unref();
  });
}
