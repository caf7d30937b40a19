import type { Baseline } from './baseline';
import { HISTOGRAM_FACTOR } from './topology-histogram';

/**
 * How far a window's value is from its series' baseline, in the direction
 * that hurts: latency and error rate up, call rate down (a rise in traffic or
 * a drop in latency is not an incident). The score is the robust z-score
 * (value − center) / scale, signed so that bad is positive, with the scale
 * held above a floor: a series that was flat for a week (scale 0) would
 * otherwise call every wobble infinite.
 */

export type SeriesMetric = 'latency_p95_ms' | 'error_rate' | 'rate_per_sec';

export const BAD_DIRECTION: Record<SeriesMetric, 1 | -1> = { latency_p95_ms: 1, error_rate: 1, rate_per_sec: -1 };

/**
 * Floors of the scale: a relative part of the baseline's center and an
 * absolute part in the metric's unit. Latency: 12 % of the usual p95 or 2 ms;
 * error rate: 1 percentage point; rate: 10 % of the usual rate or 0.05/s.
 *
 * The latency p95s are read from log-scale histograms whose buckets are
 * HISTOGRAM_FACTOR (1.45) apart, so a p95 moves one bucket (+45 %) for a
 * change of the true p95 as small as you like: that step is the resolution,
 * not evidence. 12 % makes it score 0.45 / 0.12 = 3.75, under the anomaly
 * threshold of 4 (`LATENCY_BUCKET_STEP`, tested).
 */
export const LATENCY_BUCKET_STEP = HISTOGRAM_FACTOR - 1;
const SCALE_FLOOR: Record<SeriesMetric, { relative: number; absolute: number }> = {
  latency_p95_ms: { relative: 0.12, absolute: 2 },
  error_rate: { relative: 0.1, absolute: 0.01 },
  rate_per_sec: { relative: 0.1, absolute: 0.05 },
};

/** Default thresholds; docs/anomalies.md explains them. */
export const ANOMALY_DEFAULTS = {
  /** A score at or above this is an anomaly. */
  minScore: 4,
  /** Calls in the window (latency, errors) or usually in it (rate) below which a series is not judged. */
  minCalls: 20,
  /** Errors in the window below which an error rate is not judged (1 error in 2 calls is not an incident). */
  minErrors: 5,
} as const;

export type AnomalyThresholds = typeof ANOMALY_DEFAULTS;

export function anomalyScore(metric: SeriesMetric, value: number, baseline: Baseline): number {
  return (BAD_DIRECTION[metric] * (value - baseline.center)) / flooredScale(metric, baseline);
}

function flooredScale(metric: SeriesMetric, baseline: Baseline): number {
  const floor = SCALE_FLOOR[metric];
  return Math.max(baseline.scale, floor.relative * Math.abs(baseline.center), floor.absolute);
}

/** What the window saw of one series, besides the metric's value. */
export interface WindowVolume {
  calls: number;
  errors: number;
}

/**
 * Whether the window has enough volume to judge the metric: latency and error
 * rate need minCalls calls now (and the error rate minErrors errors); the call
 * rate needs minCalls calls usually (a drop from 3 calls to 0 says nothing).
 * `usualCalls` is the baseline's center of the window's calls.
 */
export function enoughVolume(metric: SeriesMetric, now: WindowVolume, usualCalls: number, thresholds: AnomalyThresholds = ANOMALY_DEFAULTS): boolean {
  switch (metric) {
    case 'latency_p95_ms':
      return now.calls >= thresholds.minCalls;
    case 'error_rate':
      return now.calls >= thresholds.minCalls && now.errors >= thresholds.minErrors;
    case 'rate_per_sec':
      return usualCalls >= thresholds.minCalls;
  }
}

/**
 * The values around a baseline that score under `minScore` on either side (the bad side is where an
 * anomaly starts), never below 0: the band a chart shades as normal.
 */
export function normalBand(metric: SeriesMetric, baseline: Baseline, minScore: number = ANOMALY_DEFAULTS.minScore): { low: number; high: number } {
  const scale = flooredScale(metric, baseline);
  return { low: Math.max(0, baseline.center - minScore * scale), high: baseline.center + minScore * scale };
}
