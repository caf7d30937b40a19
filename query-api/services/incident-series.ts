import type { Anomaly, SeriesRef } from '../../core/anomaly';
import { metricValue } from '../../core/analysis/anomaly-detect';
import { normalBand } from '../../core/analysis/anomaly-score';
import { seriesId, type WindowSeries } from '../../core/analysis/anomaly-series';
import { MINUTE_US } from '../../core/topology';
import { mapLimited } from '../../core/util/map-limited';
import { RECENT_WINDOWS } from './anomaly-service';
import type { Incident, IncidentSeriesView } from '../../core/wire/incidents';

/** Points drawn at most; the oldest are left out first. */
export const MAX_SERIES_POINTS = 40;
/** Windows drawn before the detection window: the recent baseline's. */
const LEAD_WINDOWS = RECENT_WINDOWS;
const READS_IN_FLIGHT = 4;

/**
 * The alert's series over the incident, as the anomaly detection saw it: one
 * point per window as long as the rule's (so each point is a value the rule
 * could have judged), from LEAD_WINDOWS windows before the detection window to
 * `endUs`, each read by `readWindow` as the detection reads a judged window
 * and valued by the same metricValue. The
 * band is the detected anomaly's baseline, widened to the scores under the
 * threshold (normalBand); a threshold rule draws its limit instead.
 */
export async function incidentSeries(
  incident: Incident,
  endUs: number,
  anomalies: readonly Anomaly[],
  readWindow: (series: SeriesRef, window: { startUs: number; endUs: number }) => Promise<WindowSeries>,
): Promise<IncidentSeriesView | null> {
  const { series, metric } = incident;
  if (!series || !metric) return null;
  const stepUs = Math.max(MINUTE_US, incident.detectionEndUs - incident.detectionStartUs);
  const steps = Math.min(MAX_SERIES_POINTS, LEAD_WINDOWS + Math.max(1, Math.ceil((endUs - incident.detectionStartUs) / stepUs)));
  const lastStartUs = incident.detectionStartUs + (steps - LEAD_WINDOWS - 1) * stepUs;
  const starts = Array.from({ length: steps }, (_, k) => lastStartUs - (steps - 1 - k) * stepUs).filter((t) => t > 0);
  const id = seriesId(series);
  const points = await mapLimited(starts, READS_IN_FLIGHT, async (tUs) => {
    const value = metricValue(metric, await readWindow(series, { startUs: tUs, endUs: tUs + stepUs }), id, stepUs / 1e6);
    return { tUs, value: Number.isFinite(value) ? value : null };
  });
  const detected = anomalies.find((a) => a.seriesId === id && a.metric === metric);
  const threshold = incident.threshold ?? null;
  return {
    series,
    metric,
    stepUs,
    points,
    band: detected ? { ...normalBand(metric, detected.baseline), center: detected.baseline.center, method: detected.baseline.method } : null,
    threshold,
  };
}
