import { seriesName, type Counters } from '../../core/metrics';

/**
 * The series names of one histogram label set, made once: `_bucket` per
 * bound and `+Inf`, `_sum`, `_count`. A holder that counts the same label
 * set batch after batch keeps one instead of naming every series again.
 */
export class HistogramSeries {
  /** One `_bucket` series per bound, then `+Inf`. */
  private readonly buckets: string[];
  private readonly sum: string;
  private readonly count: string;

  constructor(family: string, labels: Record<string, string>, private readonly bounds: readonly number[]) {
    this.buckets = [...bounds.map(String), '+Inf'].map((le) => seriesName(`${family}_bucket`, { ...labels, le }));
    this.sum = seriesName(`${family}_sum`, labels);
    this.count = seriesName(`${family}_count`, labels);
  }

  /** Every series at zero, so every bucket is printed from the start. */
  declare(counters: Counters): void {
    for (const name of this.buckets) counters.add(name, 0);
    counters.add(this.sum, 0);
    counters.add(this.count, 0);
  }

  /**
   * Observations counted ahead (a batch's, per label set): `firstBucket[i]` values fell first at or
   * below `bounds[i]` (`firstBucket[bounds.length]`: above every bound), adding up to the cumulative
   * `_bucket` series (a value counts in every bucket whose bound is at or above it), `+Inf`, `_sum` and `_count`, one add each.
   */
  observeCounted(counters: Counters, firstBucket: readonly number[], sum: number): void {
    const n = this.bounds.length;
    let cumulative = 0;
    for (let i = 0; i < n; i++) {
      cumulative += firstBucket[i];
      if (cumulative > 0) counters.add(this.buckets[i], cumulative);
    }
    cumulative += firstBucket[n];
    counters.add(this.buckets[n], cumulative);
    counters.add(this.sum, sum);
    counters.add(this.count, cumulative);
  }
}

/** Series of a histogram that has no observation yet, so every bucket is printed from the start (zeros). */
export function declare(counters: Counters, family: string, labels: Record<string, string>, bounds: readonly number[]): void {
  new HistogramSeries(family, labels, bounds).declare(counters);
}

/** HistogramSeries.observeCounted for a label set named once. */
export function observeCounted(
  counters: Counters,
  family: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  firstBucket: readonly number[],
  sum: number,
): void {
  new HistogramSeries(family, labels, bounds).observeCounted(counters, firstBucket, sum);
}

/** The index of the first bound at or above `value` (`bounds.length` when above all). */
export function firstBucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]) i++;
  return i;
}
