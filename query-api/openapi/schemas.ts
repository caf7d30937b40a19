import { SPAN_KINDS, STATUS_CODES } from '../../core/model';
import { MAX_MATCHING_SPANS } from '../../core/contracts/trace-search';
import { SEVERITY_GROUPS } from '../../core/contracts/log-store';
import type { Schema } from './parameters';

/** Response shapes of the query API (components.schemas). Top level exact, nested objects open to new fields. */
const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const nullableNum = { type: ['number', 'null'] };
const strings = { type: 'array', items: str };
const openObject = { type: 'object' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const arrayOf = (name: string) => ({ type: 'array', items: ref(name) });

function object(properties: Record<string, unknown>, required = Object.keys(properties)): Schema {
  return { type: 'object', required, properties };
}

const latency = { p50Ms: nullableNum, p95Ms: nullableNum, p99Ms: nullableNum };
/** A chain's end-to-end time split along its critical path (core/analysis/chain-waits.ts): working + waiting = durationUs. */
const timing = { workingUs: num, waitingUs: num, queueWaitUs: num, intendedWaitUs: num, gapUs: num };

/** GET /api/chains/compare (core/analysis/chain-compare.ts): a − b per row, in µs on the critical path. */
const compareDelta = object({ aUs: num, bUs: num, deltaUs: num });
const compareRow = object(
  { kind: { type: 'string', enum: ['stage', 'operation', 'wait'] }, key: str, label: str, stage: str, service: str, operation: str, waitKind: str, destination: str, intended: { type: 'boolean' }, onlyIn: { type: 'string', enum: ['a', 'b'] }, aUs: num, bUs: num, deltaUs: num },
  ['kind', 'key', 'label', 'stage', 'aUs', 'bUs', 'deltaUs'],
);
const comparedOrder = object({ value: str, startUs: num, endUs: num, traceCount: int, truncated: { type: 'boolean' }, stages: strings });

const metricKind = { type: 'string', enum: ['gauge', 'sum', 'histogram', 'exponential_histogram'] };
const metricTemporality = { type: 'string', enum: ['delta', 'cumulative', 'unspecified'] };

export const SCHEMAS: Record<string, Schema> = {
  Error: object({ error: str, parameter: str, position: int, expected: strings }, ['error']),
  RateLimited: object({ error: str, limit: { type: 'string', enum: ['query_concurrency'] }, tenant: str }),
  Health: object({ status: str, spanStore: str, logStore: str }, ['status']),
  Settings: object({ businessKeys: strings, expectedWaits: strings, stages: strings, chainMaxTraces: int }),
  TraceSummary: object({ traceId: str, rootService: str, rootName: str, startUs: int, durationUs: num, spanCount: int, errorCount: int, services: strings }),
  TraceHit: object({
    traceId: str,
    rootService: str,
    rootName: str,
    startUs: int,
    durationUs: num,
    spanCount: int,
    errorCount: int,
    services: strings,
    matchingSpans: {
      type: 'array',
      maxItems: MAX_MATCHING_SPANS,
      items: object({ spanId: str, service: str, name: str, startUs: int, durationUs: num, status: { type: 'string', enum: [...STATUS_CODES] } }),
    },
  }),
  TraceSearch: object({ traces: arrayOf('TraceHit'), next: str }, ['traces']),
  Span: object(
    {
      traceId: str,
      spanId: str,
      parentSpanId: str,
      service: str,
      name: str,
      kind: { type: 'string', enum: [...SPAN_KINDS] },
      startUs: num,
      durationUs: num,
      status: openObject,
      attributes: openObject,
      criticalPath: { type: 'boolean' },
      skewAdjustedUs: num,
    },
    ['traceId', 'spanId', 'service', 'name', 'startUs', 'durationUs', 'criticalPath', 'skewAdjustedUs'],
  ),
  Trace: object({ traceId: str, spans: arrayOf('Span'), warnings: strings }),
  /** An OTLP/JSON ExportTraceServiceRequest (opentelemetry-proto's JSON mapping); spans inside as the OTLP spec defines them. */
  OtlpTraceRequest: object({
    resourceSpans: {
      type: 'array',
      items: object({ resource: openObject, scopeSpans: { type: 'array', items: object({ scope: openObject, spans: { type: 'array', items: openObject } }) } }),
    },
  }),
  Log: object({
    id: str,
    timeUs: num,
    service: str,
    severity: str,
    severityText: str,
    severityNumber: int,
    body: str,
    traceId: str,
    spanId: str,
    attributes: openObject,
    resource: openObject,
  }),
  LogSearch: object({
    total: int,
    totalIsLowerBound: { type: 'boolean' },
    logs: arrayOf('Log'),
    nextCursor: { type: ['string', 'null'] },
    highlight: object({ terms: strings, phrases: strings }),
  }),
  LogHistogram: object({
    intervalUs: int,
    buckets: {
      type: 'array',
      items: object({
        tUs: int,
        total: int,
        counts: { type: 'object', propertyNames: { enum: [...SEVERITY_GROUPS] }, additionalProperties: int },
      }),
    },
  }),
  LogFacets: object({ field: str, values: { type: 'array', items: object({ value: str, count: int }) } }),
  LogContext: object({ anchorId: str, logs: arrayOf('Log') }),
  Chain: object(
    {
      key: str,
      value: str,
      traceCount: int,
      truncated: { type: 'boolean' },
      startUs: num,
      endUs: num,
      durationUs: num,
      ...timing,
      errorCount: int,
      traces: { type: 'array', items: openObject },
      spans: { type: 'array', items: openObject },
      joins: { type: 'array', items: openObject },
      stages: { type: 'array', items: openObject },
      waits: { type: 'array', items: openObject },
      criticalPath: { type: 'array', items: openObject },
      errors: { type: 'array', items: openObject },
      bottleneck: { type: ['object', 'null'] },
      logs: arrayOf('Log'),
      logsTruncated: { type: 'boolean' },
    },
  ),
  SlowChain: object({
    value: str,
    startUs: num,
    endUs: num,
    durationUs: num,
    ...timing,
    traceCount: int,
    errorCount: int,
    bottleneck: { type: ['object', 'null'] },
  }),
  ChainComparison: object(
    {
      key: str,
      a: comparedOrder,
      b: { anyOf: [comparedOrder, { type: 'null' }] },
      typical: { anyOf: [object({ orders: int, sampled: int, startUs: num, endUs: num, stages: strings }), { type: 'null' }] },
      duration: compareDelta,
      working: compareDelta,
      waiting: compareDelta,
      sameStages: { type: 'boolean' },
      stages: { type: 'array', items: compareRow },
      hops: { type: 'array', items: compareRow },
      top: { anyOf: [compareRow, { type: 'null' }] },
    },
  ),
  DashboardList: object({ dashboards: { type: 'array', items: object({ id: str, title: str, description: str, refresh: str, panels: int }) } }),
  Dashboard: object({ id: str, title: str, description: str, window: str, refresh: str, columns: int, rows: int, panels: { type: 'array', items: openObject } }),
  DashboardData: object({
    id: str,
    generatedAtUs: int,
    refreshMs: num,
    computeMs: num,
    panels: { type: 'object', additionalProperties: { type: 'object', required: ['ok', 'ms'], properties: { ok: { type: 'boolean' }, ms: num, data: openObject, error: str } } },
  }),
  RateWindow: object({ startUs: int, endUs: int, seconds: num }),
  Topology: object({
    nodes: { type: 'array', items: object({ id: str, kind: str, calls: int, errorRate: num, ratePerSec: num, ...latency }) },
    edges: { type: 'array', items: object({ source: str, target: str, kind: str, calls: int, errors: int, ratePerSec: num, ...latency }) },
    rate: ref('RateWindow'),
  }),
  ServicesOverview: object({
    stepUs: int,
    rate: ref('RateWindow'),
    services: { type: 'array', items: object({ service: str, calls: int, errors: int, errorRate: num, ratePerSec: num, ...latency, series: arrayOf('StatsPoint') }) },
    truncated: { type: 'boolean' },
  }),
  AnomalyReport: object({ startUs: int, endUs: int, seriesJudged: int, anomalies: arrayOf('Anomaly'), truncated: { type: 'boolean' } }),
  Anomaly: object({
    seriesId: str,
    series: object({ kind: { type: 'string', enum: ['service', 'operation', 'edge', 'kpi'] }, service: str, operation: str, source: str, target: str, edgeKind: str, key: str, stage: str }, ['kind']),
    metric: { type: 'string', enum: ['latency_p95_ms', 'error_rate', 'rate_per_sec'] },
    value: num,
    baseline: object({ method: { type: 'string', enum: ['seasonal', 'recent'] }, center: num, scale: num, samples: int }),
    score: num,
    calls: int,
    errors: int,
  }),
  AlertRule: object({ name: str, severity: { type: 'string', enum: ['critical', 'warning', 'info'] }, forMs: int, windowMs: int, labels: openObject, annotations: openObject, condition: openObject, file: str, lastError: { type: ['string', 'null'] } }),
  AlertRulesAnswer: object({ evaluating: { type: 'boolean' }, rules: arrayOf('AlertRule') }),
  AlertsView: object({
    evaluating: { type: 'boolean' },
    leading: { type: 'boolean' },
    intervalMs: int,
    lastEvaluationMs: { type: ['integer', 'null'] },
    rules: arrayOf('AlertRule'),
    alerts: {
      type: 'array',
      items: object(
        { key: str, rule: str, labels: openObject, status: { type: 'string', enum: ['pending', 'firing', 'resolved'] }, activeAtMs: int, firedAtMs: { type: ['integer', 'null'] }, resolvedAtMs: { type: ['integer', 'null'] }, value: num, summary: str, resolvedSent: { type: 'boolean' } },
        ['key', 'rule', 'labels', 'status', 'activeAtMs', 'firedAtMs', 'resolvedAtMs', 'value', 'summary'],
      ),
    },
  }),
  RcaAnswer: object({
    key: str,
    value: str,
    durationUs: int,
    errorCount: int,
    candidates: {
      type: 'array',
      items: object({
        service: str,
        operation: str,
        score: num,
        evidence: object({ criticalSelfUs: num, queueWaitUs: num, excessUs: num, baselineP50Ms: nullableNum, slowestSpanUs: num, originErrors: int }),
      }),
    },
  }),
  Incident: object(
    {
      id: str,
      rule: str,
      severity: str,
      labels: openObject,
      series: { anyOf: [openObject, { type: 'null' }] },
      metric: { type: ['string', 'null'] },
      threshold: { anyOf: [object({ op: { type: 'string', enum: ['>', '<'] }, value: num }), { type: 'null' }] },
      status: { type: 'string', enum: ['firing', 'resolved'] },
      startedAtMs: int,
      activeAtMs: int,
      resolvedAtMs: { type: ['integer', 'null'] },
      detectionStartUs: int,
      detectionEndUs: int,
      value: num,
      summary: str,
    },
  ),
  IncidentsAnswer: object({ evaluating: { type: 'boolean' }, incidents: arrayOf('Incident') }),
  IncidentCause: object({
    service: str,
    operation: { type: ['string', 'null'] },
    score: num,
    evidence: object({
      anomalies: { type: 'array', items: object({ seriesId: str, metric: str, score: num, value: num, center: num, explained: { type: 'boolean' } }) },
      explainedBy: strings,
      orderShare: num,
      ordersRankedFirst: int,
      ordersRanked: int,
      originErrors: int,
      errorLogs: object({ now: int, before: int }),
      distance: { type: ['integer', 'null'] },
    }),
  }),
  IncidentRcaAnswer: object({ incident: str, windowStartUs: int, windowEndUs: int, candidates: arrayOf('IncidentCause'), missing: strings }),
  IncidentEvidence: object({
    incident: ref('Incident'),
    windowStartUs: int,
    windowEndUs: int,
    baselineStartUs: int,
    series: {
      anyOf: [
        object({
          series: openObject,
          metric: str,
          stepUs: int,
          points: { type: 'array', items: object({ tUs: int, value: nullableNum }) },
          band: { anyOf: [object({ low: num, high: num, center: num, method: str }), { type: 'null' }] },
          threshold: { anyOf: [openObject, { type: 'null' }] },
        }),
        { type: 'null' },
      ],
    },
    orderKey: str,
    orders: { type: 'array', items: object({ key: str, value: str, startUs: int, durationUs: num, errorCount: int, topCause: { anyOf: [object({ service: str, operation: str }), { type: 'null' }] } }) },
    traces: arrayOf('TraceHit'),
    logs: { type: 'array', items: object({ service: str, severity: str, pattern: str, sample: str, sampleId: str, count: int, baselineCount: int }) },
    topology: object({ nodes: { type: 'array', items: openObject }, edges: { type: 'array', items: openObject } }),
    anomalies: arrayOf('Anomaly'),
    causes: arrayOf('IncidentCause'),
    missing: strings,
  }),
  MetricNames: object({
    metrics: { type: 'array', items: object({ name: str, kind: metricKind, unit: str, temporality: metricTemporality, monotonic: { type: 'boolean' }, series: int }) },
  }),
  MetricLabels: object({ name: str, labels: { type: 'array', items: object({ key: str, values: strings }) } }),
  MetricSeries: object({
    name: str,
    kind: { oneOf: [metricKind, { type: 'null' }] },
    fn: { type: 'string', enum: ['value', 'rate', 'avg', 'quantile'] },
    stepUs: int,
    series: { type: 'array', items: object({ labels: { type: 'object', additionalProperties: str }, points: { type: 'array', items: object({ timeUs: int, value: nullableNum }) } }) },
    truncated: { type: 'boolean' },
  }),
  StatsPoint: object({ tUs: int, calls: int, errors: int, ratePerSec: num, errorRate: num, ...latency }),
  ServiceStats: object({
    service: str,
    stepUs: int,
    series: arrayOf('StatsPoint'),
    operations: { type: 'array', items: object({ name: str, calls: int, errors: int, errorRate: num, ...latency, series: arrayOf('StatsPoint') }) },
  }),
};

export { ref, arrayOf, object, strings };
