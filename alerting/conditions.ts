import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import type { SeriesMetric, SeriesRef } from '../core/anomaly';
import { metricValue } from '../core/analysis/anomaly-detect';
import { seriesId } from '../core/analysis/anomaly-series';
import { kpiRef } from '../core/analysis/kpi-series';
import { parseLogQuery } from '../core/logql';
import { MINUTE_US, minuteOf } from '../core/topology';
import type { AnomalyService } from '../query-api/services/anomaly-service';
import type { ActiveInstance } from './alert-state';
import type { AlertCondition, AlertRule } from './rules';

/** What a condition reads. */
export interface ConditionSources {
  spans: SpanStore;
  logs: LogStore;
  anomalies: AnomalyService;
}

/** How a value of the metric reads in a summary; a business KPI counts orders, the other series calls. */
function unitOf(metric: SeriesMetric, series: SeriesRef): (v: number) => string {
  const what = series.kind === 'kpi' ? 'orders' : 'calls';
  switch (metric) {
    case 'latency_p95_ms': return (v) => `p95 ${round(v)} ms`;
    case 'error_rate': return (v) => (series.kind === 'kpi' ? `failed share ${round(v * 100)} %` : `error rate ${round(v * 100)} %`);
    case 'rate_per_sec': return (v) => `${round(v)} ${what}/s`;
  }
}
const round = (v: number) => Math.round(v * 100) / 100;

/** The whole minutes a rule judges at `nowMs`: the `windowMs` before the minute now falls in (still filling). */
export function conditionWindow(rule: AlertRule, nowMs: number): { startUs: number; endUs: number } {
  const endUs = minuteOf(nowMs * 1000);
  return { startUs: endUs - Math.max(MINUTE_US, rule.windowMs * 1000), endUs };
}

/** The instances of the rule whose condition holds now; throws when a store cannot answer (the rule keeps its state). */
export async function activeInstances(rule: AlertRule, sources: ConditionSources, nowMs: number): Promise<ActiveInstance[]> {
  const window = conditionWindow(rule, nowMs);
  const c = rule.condition;
  switch (c.kind) {
    case 'threshold':
      return threshold(c, window, sources.anomalies);
    case 'anomaly':
      return anomaly(c, window, sources.anomalies);
    case 'log_rate':
      return logRate(c, window, sources.logs);
  }
}

const holds = (value: number, op: '>' | '<', limit: number) => (op === '>' ? value > limit : value < limit);

type Threshold = Extract<AlertCondition, { kind: 'threshold' }>;

/** The series a threshold condition watches (an edge: its sync one; the evaluation takes the async one when only that exists). */
export function thresholdSeries(c: Threshold): SeriesRef {
  if (c.key !== undefined) return kpiRef(c.key, c.stage);
  if (c.service === undefined) return { kind: 'edge', source: c.source!, target: c.target!, edgeKind: 'sync' };
  return c.operation === undefined ? { kind: 'service', service: c.service } : { kind: 'operation', service: c.service, operation: c.operation };
}

async function threshold(c: Threshold, window: { startUs: number; endUs: number }, anomalies: AnomalyService): Promise<ActiveInstance[]> {
  const ref = thresholdSeries(c);
  const series = await anomalies.seriesWindow(ref, window);
  // an edge may be sync or async: the busier one that exists
  const id = ref.kind === 'edge' && !series.has(seriesId(ref)) ? seriesId({ ...ref, edgeKind: 'async' }) : seriesId(ref);
  // a series without calls (a stage no order reached) has rate 0 and no latency or error rate
  const value = metricValue(c.metric, series.has(id) ? series : new Map([[id, { series: ref, value: { calls: 0, errors: 0, p95Ms: null } }]]), id, (window.endUs - window.startUs) / 1e6);
  if (!Number.isFinite(value) || !holds(value, c.op, c.value)) return [];
  const unit = unitOf(c.metric, ref);
  return [{ labels: {}, value, summary: `${unit(value)} ${c.op} ${unit(c.value)}` }];
}

async function anomaly(c: Extract<AlertCondition, { kind: 'anomaly' }>, window: { startUs: number; endUs: number }, anomalies: AnomalyService): Promise<ActiveInstance[]> {
  const report = await anomalies.anomalies({ startUs: window.startUs, endUs: window.endUs });
  return report.anomalies
    .filter((a) => (c.metric === undefined || a.metric === c.metric) && (c.minScore === undefined || a.score >= c.minScore))
    .filter((a) => c.service === undefined || involves(a.series, c.service))
    .filter((a) => c.key === undefined || (a.series.kind === 'kpi' && a.series.key === c.key && (c.stage === undefined || a.series.stage === c.stage)))
    .map((a) => ({
      labels: { ...seriesLabels(a.series), metric: a.metric },
      value: a.value,
      summary: `${unitOf(a.metric, a.series)(a.value)} against a usual ${unitOf(a.metric, a.series)(a.baseline.center)} (score ${round(a.score)}, ${a.baseline.method} baseline)`,
    }));
}

/** A series of the service: its own, one of its operations', or an edge it is the source or target of (a KPI series is no service's). */
function involves(series: SeriesRef, service: string): boolean {
  switch (series.kind) {
    case 'service':
    case 'operation':
      return series.service === service;
    case 'edge':
      return series.source === service || series.target === service;
    case 'kpi':
      return false;
  }
}

/** The labels telling a rule's instances apart: the series' (a KPI's business key as `business_key`, its stage as `stage`). */
export function seriesLabels(series: SeriesRef): Record<string, string> {
  switch (series.kind) {
    case 'service':
      return { service: series.service };
    case 'operation':
      return { service: series.service, operation: series.operation };
    case 'edge':
      return { source: series.source, target: series.target, edge_kind: series.edgeKind };
    case 'kpi':
      return series.stage === undefined ? { business_key: series.key } : { business_key: series.key, stage: series.stage };
  }
}

/** The series an anomaly instance's labels name (seriesLabels read back); null when they name none. */
export function seriesOfLabels(labels: Record<string, string>): SeriesRef | null {
  if (labels.business_key !== undefined) return kpiRef(labels.business_key, labels.stage);
  if (labels.source !== undefined && labels.target !== undefined) return { kind: 'edge', source: labels.source, target: labels.target, edgeKind: labels.edge_kind ?? 'sync' };
  if (labels.service !== undefined && labels.operation !== undefined) return { kind: 'operation', service: labels.service, operation: labels.operation };
  if (labels.service !== undefined) return { kind: 'service', service: labels.service };
  return null;
}

/** Log records matching the query per minute over whole minutes [startUs, endUs), from the store's histogram (every log store). */
export async function logRatePerMinute(logs: LogStore, query: string, window: { startUs: number; endUs: number }): Promise<number> {
  const length = window.endUs - window.startUs;
  const buckets = await logs.histogram({ filter: parseLogQuery(query, 'query'), startUs: window.startUs, endUs: window.endUs - 1 }, length);
  return buckets.reduce((n, b) => n + b.total, 0) / (length / MINUTE_US);
}

async function logRate(c: Extract<AlertCondition, { kind: 'log_rate' }>, window: { startUs: number; endUs: number }, logs: LogStore): Promise<ActiveInstance[]> {
  const perMinute = await logRatePerMinute(logs, c.query, window);
  if (!holds(perMinute, c.op, c.value)) return [];
  return [{ labels: {}, value: perMinute, summary: `${round(perMinute)} log records/min matching ${c.query} ${c.op} ${c.value}/min` }];
}
