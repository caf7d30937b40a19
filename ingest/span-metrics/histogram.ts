import { seriesName, type Counters } from '../../core/metrics';

/**
 * Adds one observation to a Prometheus histogram kept in Counters: every
 * `_bucket` whose bound is at or above the value, `+Inf`, `_sum` and `_count`.
 */
export function observe(counters: Counters, family: string, labels: Record<string, string>, bounds: readonly number[], value: number): void {
  for (const bound of bounds) if (value <= bound) counters.add(seriesName(`${family}_bucket`, { ...labels, le: String(bound) }));
  counters.add(seriesName(`${family}_bucket`, { ...labels, le: '+Inf' }));
  counters.add(seriesName(`${family}_sum`, labels), value);
  counters.add(seriesName(`${family}_count`, labels));
}

/** Series of a histogram that has no observation yet, so every bucket is printed from the start (zeros). */
export function declare(counters: Counters, family: string, labels: Record<string, string>, bounds: readonly number[]): void {
  for (const le of [...bounds.map(String), '+Inf']) counters.add(seriesName(`${family}_bucket`, { ...labels, le }), 0);
  counters.add(seriesName(`${family}_sum`, labels), 0);
  counters.add(seriesName(`${family}_count`, labels), 0);
}
