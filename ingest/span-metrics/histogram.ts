import { seriesName, type Counters } from '../../core/metrics';

/** Series of a histogram that has no observation yet, so every bucket is printed from the start (zeros). */
export function declare(counters: Counters, family: string, labels: Record<string, string>, bounds: readonly number[]): void {
  for (const le of [...bounds.map(String), '+Inf']) counters.add(seriesName(`${family}_bucket`, { ...labels, le }), 0);
  counters.add(seriesName(`${family}_sum`, labels), 0);
  counters.add(seriesName(`${family}_count`, labels), 0);
}

/**
 * Observations counted ahead (a batch's, per label set): `firstBucket[i]` values fell first at or
 * below `bounds[i]` (`firstBucket[bounds.length]`: above every bound), adding up to the cumulative
 * `_bucket` series (a value counts in every bucket whose bound is at or above it), `+Inf`, `_sum` and `_count`, one add each.
 */
export function observeCounted(
  counters: Counters,
  family: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  firstBucket: readonly number[],
  sum: number,
): void {
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += firstBucket[i];
    if (cumulative > 0) counters.add(seriesName(`${family}_bucket`, { ...labels, le: String(bounds[i]) }), cumulative);
  }
  cumulative += firstBucket[bounds.length];
  counters.add(seriesName(`${family}_bucket`, { ...labels, le: '+Inf' }), cumulative);
  counters.add(seriesName(`${family}_sum`, labels), sum);
  counters.add(seriesName(`${family}_count`, labels), cumulative);
}

/** The index of the first bound at or above `value` (`bounds.length` when above all). */
export function firstBucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]) i++;
  return i;
}
