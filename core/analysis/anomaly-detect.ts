import type { Anomaly, SeriesRef } from '../anomaly';
import { baselineOf, type Baseline } from './baseline';
import { ANOMALY_DEFAULTS, anomalyScore, enoughVolume, type AnomalyThresholds, type SeriesMetric } from './anomaly-score';
import { MAX_SERIES, type WindowSeries } from './anomaly-series';

const METRICS: readonly SeriesMetric[] = ['latency_p95_ms', 'error_rate', 'rate_per_sec'];

/**
 * A metric's value in a window; NaN when the window has none: no calls (no latency, no error rate), or a
 * reference window without any series at all (nothing was watched then, e.g. before the install: a
 * week of such "zero calls" must not become the baseline of the rate).
 */
export function metricValue(metric: SeriesMetric, window: WindowSeries, id: string, seconds: number): number {
  if (window.size === 0) return NaN;
  const value = window.get(id)?.value;
  const calls = value?.calls ?? 0;
  switch (metric) {
    case 'rate_per_sec':
      return calls / seconds;
    case 'error_rate':
      return calls > 0 ? value!.errors / calls : NaN;
    case 'latency_p95_ms':
      return calls > 0 && value!.p95Ms !== null ? value!.p95Ms : NaN;
  }
}

export interface JudgedSeries {
  seriesJudged: number;
  anomalies: Anomaly[];
  truncated: boolean;
}

/**
 * Judges every series of the current window (and every series the reference
 * windows had, so a service that fell silent is judged on its rate) against
 * its baseline from the same window on past days (`seasonal`) or the windows
 * just before (`recent`, oldest first). All windows are `seconds` long.
 * Anomalies: score ≥ minScore with enough volume; highest score first.
 */
export function detectAnomalies(
  current: WindowSeries,
  seasonal: readonly WindowSeries[],
  recent: readonly WindowSeries[],
  seconds: number,
  thresholds: AnomalyThresholds = ANOMALY_DEFAULTS,
): JudgedSeries {
  const refs = new Map<string, SeriesRef>();
  for (const window of [current, ...recent, ...seasonal]) {
    for (const [id, row] of window) if (!refs.has(id)) refs.set(id, row.series);
  }
  const ids = [...refs.keys()].slice(0, MAX_SERIES);
  const anomalies: Anomaly[] = [];
  let judged = 0;
  for (const id of ids) {
    const now = current.get(id)?.value;
    const volume = { calls: now?.calls ?? 0, errors: now?.errors ?? 0 };
    const callsIn = (w: WindowSeries) => (w.size === 0 ? NaN : (w.get(id)?.value.calls ?? 0));
    const usualCalls = baselineOf(seasonal.map(callsIn), recent.map(callsIn));
    let counted = false;
    for (const metric of METRICS) {
      if (!enoughVolume(metric, volume, usualCalls?.center ?? 0, thresholds)) continue;
      const baseline: Baseline | null = baselineOf(
        seasonal.map((w) => metricValue(metric, w, id, seconds)),
        recent.map((w) => metricValue(metric, w, id, seconds)),
      );
      // the judged window itself: no series at all is a silence to judge (rate 0), not "nothing watched"
      const value = metricValue(metric, current.size === 0 ? new Map([[id, { series: refs.get(id)!, value: { calls: 0, errors: 0, p95Ms: null } }]]) : current, id, seconds);
      if (!baseline || !Number.isFinite(value)) continue;
      counted = true;
      const score = anomalyScore(metric, value, baseline);
      if (score >= thresholds.minScore) {
        anomalies.push({ seriesId: id, series: refs.get(id)!, metric, value, baseline, score, calls: volume.calls, errors: volume.errors });
      }
    }
    if (counted) judged++;
  }
  anomalies.sort((a, b) => b.score - a.score || (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0));
  return { seriesJudged: judged, anomalies, truncated: refs.size > ids.length };
}
