/**
 * A fixed log-scale latency histogram: bucket i holds durations in
 * (F^(i-1), F^i] microseconds, F = 1.45, 60 buckets (1 µs .. ~38 min, the
 * last one open-ended). Fixed buckets are mergeable by adding counts, so
 * per-minute roll-ups combine into any window, and a quantile read back is
 * within one bucket (±~20% around the bucket's geometric middle) of the
 * true value — enough for p50/p95/p99 on a topology map.
 */
export const HISTOGRAM_BUCKETS = 60;
export const HISTOGRAM_FACTOR = 1.45;
const LOG_F = Math.log(HISTOGRAM_FACTOR);

export function bucketOf(durationUs: number): number {
  if (!(durationUs > 1)) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.ceil(Math.log(durationUs) / LOG_F - 1e-9));
}

/** The value reported for a bucket, in microseconds: its geometric middle. */
export function bucketValueUs(bucket: number): number {
  if (bucket <= 0) return 1;
  return Math.pow(HISTOGRAM_FACTOR, bucket - 0.5);
}

/** Counts per bucket, sparse. */
export type Histogram = Map<number, number>;

export function addToHistogram(h: Histogram, bucket: number, count: number): void {
  h.set(bucket, (h.get(bucket) ?? 0) + count);
}

/** Quantiles (0..1) of a histogram in milliseconds (3 decimals); null when it is empty. */
export function quantilesMs(h: Histogram, qs: readonly number[]): (number | null)[] {
  let total = 0;
  for (const c of h.values()) total += c;
  if (total === 0) return qs.map(() => null);
  const buckets = [...h.keys()].sort((a, b) => a - b);
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const b of buckets) {
      seen += h.get(b)!;
      if (seen >= rank) return Math.round(bucketValueUs(b)) / 1000;
    }
    return Math.round(bucketValueUs(buckets[buckets.length - 1])) / 1000;
  });
}
