import { seriesServices } from '../../../core/analysis/series-services';
import { decimalText } from '../numberText';
import type { Anomaly, Incident, IncidentCause, IncidentSeriesView, SeriesMetric, SeriesRef } from '../../../core/wire';

/** Pure wording and selection of the incident views (no DOM): what a series, a metric value and a cause's evidence read as. */

/** payment · charge · checkout → payment · order.id orders · order.id stage "paid". */
export function seriesLabel(series: SeriesRef | null): string {
  switch (series?.kind) {
    case 'service':
      return series.service;
    case 'operation':
      return `${series.service} · ${series.operation}`;
    case 'edge':
      return `${series.source} → ${series.target}${series.edgeKind === 'async' ? ' (async)' : ''}`;
    case 'kpi':
      return series.stage === undefined ? `${series.key} orders` : `${series.key} stage ${series.stage}`;
    default:
      return 'log rate';
  }
}

const METRIC_NAMES: Record<SeriesMetric, string> = { latency_p95_ms: 'p95 latency', error_rate: 'error rate', rate_per_sec: 'call rate' };

export function metricLabel(metric: SeriesMetric | null): string {
  return metric ? METRIC_NAMES[metric] : 'log records';
}


/** A metric's value in its unit: 412 ms, 3.5 %, 12.4/s. */
export function formatMetric(metric: SeriesMetric | null, value: number): string {
  if (!Number.isFinite(value)) return '–';
  switch (metric) {
    case 'latency_p95_ms':
      return `${decimalText(value, value >= 100 ? 0 : 1)} ms`;
    case 'error_rate':
      return `${decimalText(value * 100, 1)} %`;
    case 'rate_per_sec':
      return `${decimalText(value, value >= 100 ? 0 : 2)}/s`;
    default:
      return decimalText(value, 1);
  }
}

/** One line per kind of evidence that ranked a cause. */
export function causeEvidence(cause: IncidentCause, metricOf: (m: SeriesMetric) => string = metricLabel): string[] {
  const e = cause.evidence;
  const lines: string[] = [];
  if (e.ordersRanked > 0 && e.orderShare >= 0.005) {
    lines.push(`${decimalText(e.orderShare * 100, 0)} % of the affected orders' cause score${e.ordersRankedFirst > 0 ? `; first in ${e.ordersRankedFirst} of ${e.ordersRanked} orders` : ''}`);
  }
  if (e.originErrors > 0) lines.push(`${e.originErrors} error${e.originErrors === 1 ? '' : 's'} started here`);
  const own = e.anomalies.filter((a) => !a.explained);
  const explained = e.anomalies.length - own.length;
  if (own.length) lines.push(`anomal${own.length === 1 ? 'y' : 'ies'}: ${strongestByMetric(own).map(({ metric, score, series }) => `${metricOf(metric)} score ${decimalText(score, 1)}${series > 1 ? ` (${series} series)` : ''}`).join(', ')}`);
  if (explained) lines.push(`${explained} anomal${explained === 1 ? 'y' : 'ies'} explained by ${e.explainedBy.join(', ') || 'a callee'}`);
  if (e.errorLogs.now > e.errorLogs.before) lines.push(`warning/error logs ${e.errorLogs.before} → ${e.errorLogs.now}`);
  if (e.distance !== null) lines.push(e.distance === 0 ? 'the alert\'s own service' : `${e.distance} hop${e.distance === 1 ? '' : 's'} from the alert's series`);
  return lines;
}

/** Per metric, the strongest score and how many series had one; in the order the metrics first come. */
function strongestByMetric(anomalies: readonly { metric: SeriesMetric; score: number }[]): { metric: SeriesMetric; score: number; series: number }[] {
  const by = new Map<SeriesMetric, { metric: SeriesMetric; score: number; series: number }>();
  for (const a of anomalies) {
    const known = by.get(a.metric);
    if (known) (known.score = Math.max(known.score, a.score), known.series++);
    else by.set(a.metric, { metric: a.metric, score: a.score, series: 1 });
  }
  return [...by.values()];
}

/** An incident's time on a chart: from when its condition started to hold to its resolution (open: `nowMs`). */
export interface IncidentSpan {
  id: string;
  startMs: number;
  endMs: number;
  firing: boolean;
  metric: SeriesMetric | null;
  label: string;
}

/**
 * The incidents to shade on a chart of `service` over [fromMs, toMs]: those whose series is about the
 * service (or, with `service` null, every one) and whose time overlaps the window, clipped to it; oldest first.
 */
export function incidentSpans(incidents: readonly Incident[], service: string | null, fromMs: number, toMs: number, nowMs: number): IncidentSpan[] {
  const spans: IncidentSpan[] = [];
  for (const i of incidents) {
    if (service !== null && !seriesServices(i.series).includes(service)) continue;
    const startMs = Math.min(i.activeAtMs, i.detectionStartUs / 1000);
    const endMs = i.resolvedAtMs ?? nowMs;
    if (endMs < fromMs || startMs > toMs) continue;
    spans.push({
      id: i.id,
      startMs: Math.max(fromMs, startMs),
      endMs: Math.min(toMs, endMs),
      firing: i.status === 'firing',
      metric: i.metric,
      label: `${i.rule}: ${seriesLabel(i.series)} ${metricLabel(i.metric)} (${i.status})`,
    });
  }
  return spans.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1));
}

/** The anomalies of one service's own entry calls, by metric (a RED chart marks them at the window they were judged on). */
export function serviceAnomalies(anomalies: readonly Anomaly[], service: string): Map<SeriesMetric, Anomaly> {
  const byMetric = new Map<SeriesMetric, Anomaly>();
  for (const a of anomalies) {
    if (a.series.kind !== 'service' || a.series.service !== service) continue;
    if ((byMetric.get(a.metric)?.score ?? -Infinity) < a.score) byMetric.set(a.metric, a);
  }
  return byMetric;
}

/** Whether a value lies outside the band on the side that hurts (latency and errors up, rate down). */
export function outsideBand(view: Pick<IncidentSeriesView, 'metric' | 'band' | 'threshold'>, value: number): boolean {
  if (view.threshold) return view.threshold.op === '>' ? value > view.threshold.value : value < view.threshold.value;
  if (!view.band) return false;
  return view.metric === 'rate_per_sec' ? value < view.band.low : value > view.band.high;
}

