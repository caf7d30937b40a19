/**
 * Baselines of one series (a service's, an operation's or an edge's rate,
 * error rate or latency), from the values the same series had in reference
 * windows. Why this shape (docs/anomalies.md, "Baselines"):
 *
 * - Seasonal first: traffic follows the day, so the fairest comparison for
 *   10:00-10:05 today is 10:00-10:05 on the past days. With at least
 *   MIN_SEASONAL_SAMPLES such days the baseline is their median and MAD
 *   (median absolute deviation): one bad day (an incident, a deploy) moves
 *   neither, unlike a mean and standard deviation.
 * - Without that history (a new install, a new service) the baseline is a
 *   robust EWMA over the windows just before, of the windows that were not
 *   anomalous themselves: a window further than OUTLIER_SCALES scales from
 *   the median of them all (Hampel's identifier) is left out of both level
 *   and scale. An earlier fault on the same series (or a callee's, which
 *   shows on it) would otherwise widen the scale, or drag the level, and
 *   hide the next fault; clipping it to a few scales, as this did first,
 *   still folded 3 scales of deviation into the scale per faulted window.
 *   A lasting change is adopted once it holds most of the windows: the
 *   median is then on its side, and the windows before it are the ones left
 *   out (so it stops alerting instead of alerting forever).
 *
 * Memory per series is bounded by the number of reference windows (at most
 * MAX_BASELINE_SAMPLES values are kept), never by how long the series ran.
 */

import { median } from './chain-compare';

/** Past days (seasonal) or windows before (recent) at most kept per series. */
export const MAX_BASELINE_SAMPLES = 64;
/** Days with a value the seasonal baseline needs; fewer and the recent EWMA is taken. */
export const MIN_SEASONAL_SAMPLES = 3;
/** Windows the recent EWMA needs at least; fewer and there is no baseline. */
export const MIN_RECENT_SAMPLES = 3;
/** MAD × this estimates the standard deviation of normally distributed values. */
const MAD_TO_SIGMA = 1.4826;
/** EWMA weight of the newest value. */
const EWMA_ALPHA = 0.3;
/** A value further than this many scales from the EWMA level is clipped to it before folding in. */
const EWMA_CLIP_SCALES = 3;
/**
 * A recent window further than this many scales from the median of them all is an outlier (left out
 * of the baseline): 3, Hampel's usual choice, leaves out about 1 normal window in 370.
 */
const OUTLIER_SCALES = 3;
/**
 * How far a value may be from a level before it is clipped or left out, at least: a scale of 0 (a flat
 * series) must not make every wobble an outlier, so the scale counts as at least 5 % of the level.
 */
const reachOf = (level: number, scale: number, scales: number) => scales * Math.max(scale, Math.abs(level) * 0.05);

export type BaselineMethod = 'seasonal' | 'recent';

export interface Baseline {
  method: BaselineMethod;
  /** The expected value. */
  center: number;
  /** Robust spread (a standard-deviation estimate); may be 0 for a flat series. */
  scale: number;
  /** Reference values it was made from. */
  samples: number;
}

/** Median and MAD-based scale of the values; null for none. */
export function medianMad(values: readonly number[]): { center: number; scale: number } | null {
  const finite = values.filter(Number.isFinite).slice(-MAX_BASELINE_SAMPLES);
  if (finite.length === 0) return null;
  const center = median(finite);
  const mad = median(finite.map((v) => Math.abs(v - center)));
  return { center, scale: MAD_TO_SIGMA * mad };
}

/**
 * Robust EWMA over values oldest first: level and scale start as the median
 * and MAD of the first MIN_RECENT_SAMPLES values; each later value is clipped
 * to level ± EWMA_CLIP_SCALES × scale, then folded into the level, and its
 * (clipped) deviation into the scale. State is two numbers.
 */
export function robustEwma(values: readonly number[]): { center: number; scale: number } | null {
  const finite = values.filter(Number.isFinite).slice(-MAX_BASELINE_SAMPLES);
  if (finite.length < MIN_RECENT_SAMPLES) return null;
  const start = medianMad(finite.slice(0, MIN_RECENT_SAMPLES))!;
  let level = start.center;
  let scale = start.scale;
  for (const value of finite.slice(MIN_RECENT_SAMPLES)) {
    const reach = reachOf(level, scale, EWMA_CLIP_SCALES);
    const clipped = Math.min(level + reach, Math.max(level - reach, value));
    const deviation = Math.abs(clipped - level);
    level += EWMA_ALPHA * (clipped - level);
    scale += EWMA_ALPHA * (deviation - scale);
  }
  return { center: level, scale };
}

/**
 * The `recent` baseline of the windows just before, oldest first: the robust EWMA of the windows
 * within OUTLIER_SCALES scales of the median of all (median and MAD: fewer than half of them may be
 * anomalous without moving either; once most are, the change is the new level). Null with fewer than
 * MIN_RECENT_SAMPLES values; with fewer inliers than that, the median and MAD of all.
 */
export function recentBaseline(values: readonly number[]): { center: number; scale: number } | null {
  const finite = values.filter(Number.isFinite).slice(-MAX_BASELINE_SAMPLES);
  if (finite.length < MIN_RECENT_SAMPLES) return null;
  const all = medianMad(finite)!;
  const reach = reachOf(all.center, all.scale, OUTLIER_SCALES);
  const inliers = finite.filter((v) => Math.abs(v - all.center) <= reach);
  return robustEwma(inliers) ?? all;
}

/**
 * The baseline from the same window on past days (`seasonal`, any order) or,
 * when fewer than MIN_SEASONAL_SAMPLES of them have a value, from the windows
 * just before (`recent`, oldest first). NaN marks a window without a value
 * (e.g. no calls, so no latency). Null when neither has enough values.
 */
export function baselineOf(seasonal: readonly number[], recent: readonly number[]): Baseline | null {
  const days = seasonal.filter(Number.isFinite);
  if (days.length >= MIN_SEASONAL_SAMPLES) {
    const stats = medianMad(days)!;
    return { method: 'seasonal', ...stats, samples: Math.min(days.length, MAX_BASELINE_SAMPLES) };
  }
  const before = recent.filter(Number.isFinite);
  const stats = recentBaseline(before);
  if (!stats) return null;
  return { method: 'recent', ...stats, samples: Math.min(before.length, MAX_BASELINE_SAMPLES) };
}
