import { MINUTE_US, minuteOf } from '../topology';
import { addToHistogram, HISTOGRAM_FACTOR, quantilesMs, type Histogram } from './topology-histogram';

/** Counts of one minute in one latency bucket of the fixed log-scale histogram (topology-histogram.ts). */
export interface LatencyBucketCount {
  /** Start of the minute, µs since the epoch. */
  minute: number;
  bucket: number;
  count: number;
}

/** One latency band of a heatmap: durations in (lowMs, highMs]. */
export interface HeatmapBand {
  bucket: number;
  lowMs: number;
  highMs: number;
}

export interface HeatmapColumn {
  /** Start of the minute, µs since the epoch. */
  tUs: number;
  /** Per band (same order as `bands`), how many fell in it. */
  counts: number[];
  total: number;
  /** p95 of the minute from its histogram (within one band of the exact value); null when empty. */
  p95Ms: number | null;
}

/** Latency distribution over time: one column per minute of the window, one band per histogram bucket from the fastest to the slowest seen. */
export interface LatencyHeatmap {
  stepUs: number;
  bands: HeatmapBand[];
  columns: HeatmapColumn[];
  /** The fullest cell, for the colour scale. */
  maxCount: number;
  total: number;
}

/** Most bands a heatmap keeps: neighbouring buckets are merged beyond (60 buckets cover 1 µs .. 38 min). */
export const MAX_HEATMAP_BANDS = 24;

/** Upper bound of a bucket in ms (bucket i holds (F^(i-1), F^i] µs); 0 below bucket 0. */
const boundMs = (bucket: number) => (bucket < 0 ? 0 : Math.pow(HISTOGRAM_FACTOR, bucket) / 1000);

/**
 * Per-minute bucket counts (any order, several rows of one minute and bucket
 * are added; rows that sum to nothing are left out) → a heatmap over every
 * minute touching the window. Bands run from the lowest non-empty bucket to
 * the highest; when that is more than MAX_HEATMAP_BANDS buckets, neighbours
 * are merged `ceil(span / MAX)` at a time, aligned to bucket 0 so a band's
 * bounds do not move between refreshes of the same data.
 */
export function latencyHeatmap(rows: readonly LatencyBucketCount[], window: { startUs: number; endUs: number }): LatencyHeatmap {
  const first = minuteOf(window.startUs);
  const last = minuteOf(window.endUs);
  const minutes = Math.max(0, Math.round((last - first) / MINUTE_US)) + 1;
  const perMinute: Histogram[] = Array.from({ length: minutes }, () => new Map());
  for (const r of rows) {
    const i = Math.round((minuteOf(r.minute) - first) / MINUTE_US);
    if (i < 0 || i >= minutes || r.count === 0) continue;
    addToHistogram(perMinute[i], r.bucket, r.count);
  }
  let low = Infinity;
  let high = -Infinity;
  for (const h of perMinute) {
    for (const [bucket, count] of h) {
      if (count === 0) continue;
      low = Math.min(low, bucket);
      high = Math.max(high, bucket);
    }
  }
  if (low > high) return { stepUs: MINUTE_US, bands: [], columns: perMinute.map((_, i) => ({ tUs: first + i * MINUTE_US, counts: [], total: 0, p95Ms: null })), maxCount: 0, total: 0 };
  const width = Math.ceil((high - low + 1) / MAX_HEATMAP_BANDS);
  const bandOf = (bucket: number) => Math.floor(bucket / width);
  const firstBand = bandOf(low);
  const bands: HeatmapBand[] = [];
  for (let b = firstBand; b <= bandOf(high); b++) bands.push({ bucket: b * width, lowMs: boundMs(b * width - 1), highMs: boundMs(b * width + width - 1) });
  let maxCount = 0;
  let total = 0;
  const columns = perMinute.map((h, i): HeatmapColumn => {
    const counts = bands.map(() => 0);
    let columnTotal = 0;
    for (const [bucket, count] of h) {
      if (count === 0) continue;
      counts[bandOf(bucket) - firstBand] += count;
      columnTotal += count;
    }
    for (const c of counts) maxCount = Math.max(maxCount, c);
    total += columnTotal;
    return { tUs: first + i * MINUTE_US, counts, total: columnTotal, p95Ms: quantilesMs(h, [0.95])[0] };
  });
  return { stepUs: MINUTE_US, bands, columns, maxCount, total };
}
