import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../../core/limits';
import { DEFAULT_SLOW_CHAINS_LIMIT, MAX_SLOW_CHAINS_LIMIT, SLOW_CHAIN_ORDERS } from '../routes/chains';
import { SLOW_CHAIN_SORTS } from '../services/chain-service';
import { SERVICES_OVERVIEW_MAX } from '../services/topology-service';
import { MAX_STREAM_REFRESH_US, MIN_STREAM_REFRESH_US } from '../routes/dashboards';
import { DEFAULT_CONTEXT_LINES } from '../routes/log-context';
import { DEFAULT_FACETS_LIMIT, DEFAULT_LOGS_LIMIT, MAX_FACETS_LIMIT, MAX_LOGS_LIMIT } from '../routes/logs';
import { DEFAULT_TRACES_LIMIT, MAX_TRACES_LIMIT } from '../routes/traces';
import { ACCESS_SCHEMAS, ACCESS_SECURITY, ACCESS_SECURITY_SCHEMES, accessPaths, GUARD_REFUSALS } from './access-paths';
import { ADMIN_SCHEMAS, adminPaths } from './admin-paths';
import { jaegerPaths } from './jaeger-paths';
import * as p from './parameters';
import { arrayOf, object, ref, SCHEMAS, strings } from './schemas';
import type { Parameter, Schema } from './parameters';

/** Version of the API description (not of the server); bump when a route or parameter changes. */
export const OPENAPI_DOCUMENT_VERSION = '1.6.0';

interface Operation {
  summary: string;
  parameters?: Parameter[];
  /** Schema of the 200 JSON body (or the whole content map for other media types). */
  ok: Schema | { content: Record<string, unknown> };
  /** 404 when the thing asked for does not exist. */
  notFound?: boolean;
}

const json = (schema: Schema) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

function operation(id: string, op: Operation): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    200: { description: 'OK', content: 'content' in op.ok ? op.ok.content : json(op.ok as Schema) },
    400: errorResponse('A parameter is missing, malformed or out of bounds; `parameter` names it'),
  };
  if (op.notFound) responses[404] = errorResponse('Not found');
  // Node's HTTP server answers this itself, before any route, for a request line plus headers over 16 KiB
  responses[431] = { description: 'Request line or headers too large' };
  responses[429] = {
    description: "The caller's tenant has TENANT_QUERY_CONCURRENCY requests running already; try again after Retry-After seconds",
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: json(ref('RateLimited')),
  };
  responses[501] = errorResponse('The configured backend cannot answer this');
  responses[503] = {
    description: 'A store is unavailable or a bound is full; try again after Retry-After seconds',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: json(ref('Error')),
  };
  return { get: { operationId: id, summary: op.summary, parameters: op.parameters ?? [], responses } };
}

/**
 * The OpenAPI 3.1 description of the query API, served at GET /api/openapi.json.
 * A unit test walks the express app and fails when a route is missing here or
 * a path here has no route. `businessKeys` are the configured BUSINESS_KEYS;
 * `access` (AUTH=tokens) adds the log-in and admin paths, the security
 * schemes and the guard's 401/403 on every operation.
 */
export function openApiDocument(businessKeys: readonly string[], options: { access?: boolean } = {}): Record<string, unknown> {
  const document = describeApi(businessKeys);
  return options.access ? withAccess(document) : document;
}

function withAccess(document: Record<string, any>): Record<string, unknown> {
  const paths: Record<string, Record<string, any>> = { ...document.paths, ...accessPaths(), ...adminPaths() };
  for (const [path, operations] of Object.entries(paths)) {
    if (path === '/api/health') {
      operations.get = { ...operations.get, security: [] };
      continue;
    }
    for (const [method, op] of Object.entries(operations)) {
      if (!op.security) operations[method] = { ...op, responses: { ...GUARD_REFUSALS, ...op.responses } };
    }
  }
  return {
    ...document,
    paths,
    security: ACCESS_SECURITY,
    components: { ...document.components, schemas: { ...document.components.schemas, ...ACCESS_SCHEMAS, ...ADMIN_SCHEMAS }, securitySchemes: ACCESS_SECURITY_SCHEMES },
  };
}

function describeApi(businessKeys: readonly string[]): Record<string, any> {
  const logsPage = [...p.timeWindow, ...p.logFilters];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Chainscope query API',
      version: OPENAPI_DOCUMENT_VERSION,
      description: 'Traces, business chains, topology and log search. Every parameter is bounded; a value out of bounds is a 400 whose body names the parameter. Times are microseconds since the epoch in answers.',
    },
    servers: [{ url: '/' }],
    paths: {
      '/api/health': operation('health', { summary: 'Liveness and the configured stores', ok: ref('Health') }),
      '/api/settings': operation('settings', {
        summary: 'The configuration the UI needs: business keys (the first is the default), intended waits, stage names, the trace bound of a chain',
        ok: ref('Settings'),
      }),
      '/api/openapi.json': operation('openapi', { summary: 'This document', ok: { type: 'object', required: ['openapi', 'paths'] } }),
      '/api/services': operation('services', { summary: 'Names of services that sent spans', ok: object({ services: strings }) }),
      '/api/services/{service}/operations': operation('operations', {
        summary: 'Span names of one service',
        parameters: [p.serviceInPath],
        ok: object({ operations: strings }),
      }),
      '/api/services/stats': operation('servicesOverview', {
        summary: `Every service of the window (the busiest ${SERVICES_OVERVIEW_MAX}, truncated says when there were more): entry calls, error rate and p50/p95/p99 over the window, calls per second over the rate window, and a series per step for sparklines`,
        parameters: [...p.timeWindow, p.step, p.rateMinutes],
        ok: ref('ServicesOverview'),
      }),
      '/api/services/{service}/stats': operation('serviceStats', {
        summary: 'Calls, errors and latency of one service over time (window at most 7 days, default the last 15 minutes)',
        parameters: [p.serviceInPath, ...p.timeWindow, p.step],
        ok: ref('ServiceStats'),
      }),
      '/api/traces': operation('findTraces', {
        summary: 'Traces matching the filters, each with its matching spans, in the asked order; next = cursor of the next page',
        parameters: [
          ...p.timeWindow,
          p.service,
          p.operation,
          p.traceError,
          p.traceStatus,
          p.attr,
          p.tags,
          p.minDurationMs,
          p.maxDurationMs,
          p.traceSort,
          p.traceCursor,
          p.limitParam(DEFAULT_TRACES_LIMIT, MAX_TRACES_LIMIT),
        ],
        ok: ref('TraceSearch'),
      }),
      '/api/traces/{traceId}': operation('trace', {
        summary: 'One trace: spans with clock-skew correction and critical path',
        parameters: [p.pathParam('traceId', 'The trace id (any case).', p.traceIdSchema)],
        ok: ref('Trace'),
        notFound: true,
      }),
      '/api/traces/{traceId}/otlp': operation('traceOtlp', {
        summary: 'One trace as stored (no skew correction) as an OTLP/JSON ExportTraceServiceRequest, sent as an attachment (trace-<id>.otlp.json); POST it to any OTLP/HTTP JSON receiver to replay it',
        parameters: [p.pathParam('traceId', 'The trace id (any case).', p.traceIdSchema)],
        ok: ref('OtlpTraceRequest'),
        notFound: true,
      }),
      '/api/logs': operation('searchLogs', {
        summary: 'One page of matching log records',
        parameters: [...logsPage, p.limitParam(DEFAULT_LOGS_LIMIT, MAX_LOGS_LIMIT), p.sort, p.cursor],
        ok: ref('LogSearch'),
      }),
      '/api/logs/histogram': operation('logHistogram', {
        summary: 'Matching records per interval and severity group (default window: the last hour)',
        parameters: [...logsPage, p.interval],
        ok: ref('LogHistogram'),
      }),
      '/api/logs/facets': operation('logFacets', {
        summary: 'Top values of a field among matching records',
        parameters: [...logsPage, p.facetField, p.limitParam(DEFAULT_FACETS_LIMIT, MAX_FACETS_LIMIT)],
        ok: ref('LogFacets'),
      }),
      '/api/logs/tail': operation('tailLogs', {
        summary: 'Server-Sent Events: new matching log lines as they arrive (event log, dropped, problem); never ends by itself',
        parameters: [...p.logFilters, p.lastEventId],
        ok: { content: { 'text/event-stream': { schema: { type: 'string' } } } },
      }),
      '/api/logs/{id}/context': operation('logContext', {
        summary: 'Lines around one record from the same source, oldest first, the anchor included',
        parameters: [
          p.pathParam('id', 'A log record id.', { type: 'string', pattern: '^[0-9A-Za-z_.:-]{1,128}$' }),
          p.contextSide('before', DEFAULT_CONTEXT_LINES),
          p.contextSide('after', DEFAULT_CONTEXT_LINES),
        ],
        ok: ref('LogContext'),
        notFound: true,
      }),
      '/api/chains': operation('chain', {
        summary: 'The business call chain of one key value: traces, joins, stages, critical path, logs',
        parameters: [p.businessKey(businessKeys), p.businessValue(MAX_BUSINESS_KEY_VALUE_LENGTH), ...p.timeWindow],
        ok: ref('Chain'),
        notFound: true,
      }),
      '/api/chains/slow': operation('slowChains', {
        summary: 'The slowest chains first seen in the window (default: the last hour), with working and waiting time, errors and bottleneck',
        parameters: [
          p.businessKey(businessKeys),
          ...p.timeWindow,
          p.limitParam(DEFAULT_SLOW_CHAINS_LIMIT, MAX_SLOW_CHAINS_LIMIT),
          ...p.slowChainOptions(SLOW_CHAIN_SORTS, SLOW_CHAIN_ORDERS),
        ],
        ok: object({ chains: arrayOf('SlowChain') }),
      }),
      '/api/chains/compare': operation('compareChains', {
        summary:
          'One order against another (b) or, without b, against a typical order of the same journey (median of the orders first seen in the hour before a ended with the same stages): ' +
          'time on the critical path per stage, operation and wait side by side with deltas, the hop that explains most of the difference first',
        parameters: [p.businessKey(businessKeys), ...p.comparedValues(MAX_BUSINESS_KEY_VALUE_LENGTH)],
        ok: ref('ChainComparison'),
        notFound: true,
      }),
      '/api/topology': operation('topology', {
        summary: 'Services, databases, queues and external peers with the calls between them (window at most 7 days, default the last 15 minutes); ratePerSec over the rate window (rate)',
        parameters: [...p.timeWindow, p.rateMinutes],
        ok: ref('Topology'),
      }),
      '/api/metrics': operation('metrics', {
        summary: 'OTLP metric names with kind, unit, temporality and series count; with name: that metric\'s label keys and values (service = resource service.name)',
        parameters: [p.metricNameFilter],
        ok: { oneOf: [ref('MetricNames'), ref('MetricLabels')] },
      }),
      '/api/metrics/series': operation('metricSeries', {
        summary: 'One metric over time, a point per step per group: rate of a counter, last value of a gauge, histogram rate/avg/quantile (window default: the last hour; truncated when the points read hit the bound)',
        parameters: [p.metricName, ...p.timeWindow, p.metricStep, p.metricFn, p.metricQuantile, p.metricGroupBy],
        ok: ref('MetricSeries'),
      }),
      '/api/anomalies': operation('anomalies', {
        summary:
          'Services, operations and edges whose latency (p95) or error rate rose, or whose call rate fell, against their baseline (docs/anomalies.md): the whole minutes from start to end (default the last 5, at most 60), ' +
          'each judged against the same window on the past 7 days (median/MAD) or, with fewer than 3 such days, the 10 windows before it (robust EWMA of those not anomalous themselves); highest score first',
        parameters: [...p.timeWindow],
        ok: ref('AnomalyReport'),
      }),
      '/api/alerts': operation('alerts', {
        summary: 'The alert rules of ALERT_RULES_DIR (docs/alerts.md) with their last evaluation error, and their pending, firing and recently resolved alerts; evaluating false when this process runs no evaluator, leading false while another alerter holds the lease',
        ok: ref('AlertsView'),
      }),
      '/api/alerts/rules': operation('alertRules', {
        summary: 'The alert rules (docs/alerts.md): those this process evaluates, with their last evaluation error, else those of its ALERT_RULES_DIR (a query role beside alerters; lastError null)',
        ok: ref('AlertRulesAnswer'),
      }),
      '/api/incidents': operation('incidents', {
        summary: 'Incidents, newest first: one per firing of an alert, resolved with it (docs/alerts.md#incidents); evaluating false when this process runs no evaluator',
        ok: ref('IncidentsAnswer'),
      }),
      '/api/incidents/{id}': operation('incident', {
        summary:
          'One incident with its evidence: the alert\'s series with its baseline band, the slow and failed orders of its window with their own top cause, exemplar traces, ' +
          'the warning and error messages that rose over the window before, the topology around it, the anomalies of its detection window and the ranked candidate causes; `missing` names pieces that could not be read',
        parameters: [p.incidentInPath],
        ok: ref('IncidentEvidence'),
        notFound: true,
      }),
      '/api/rca': operation('rootCause', {
        summary:
          'Root-cause ranking of one business chain (key + value; docs/anomalies.md, "Root cause"): its operations ranked by their own time on the critical path, queue waits before them, ' +
          'their time over the usual p50 of the hour before (less what their slow callees explain) and errors that started in them; each with its evidence. ' +
          'Or of one incident (incident): its services ranked by the affected orders\' own rankings, their anomalies (less when a callee\'s explains them) and the rise of their error logs (docs/alerts.md#incidents)',
        parameters: [p.incidentQuery, p.businessKey(businessKeys, false), p.businessValue(MAX_BUSINESS_KEY_VALUE_LENGTH, false), ...p.timeWindow],
        ok: { oneOf: [ref('RcaAnswer'), ref('IncidentRcaAnswer')] },
        notFound: true,
      }),
      '/api/dashboards': operation('dashboards', {
        summary: 'The wall-screen dashboards: the shipped ones (dashboards/) and those of DASHBOARDS_DIR',
        ok: ref('DashboardList'),
      }),
      '/api/dashboards/{id}': operation('dashboard', {
        summary: 'One dashboard as its file gives it (dashboards/dashboard.schema.json), defaults filled in',
        parameters: [p.dashboardId],
        ok: ref('Dashboard'),
        notFound: true,
      }),
      '/api/dashboards/{id}/data': operation('dashboardData', {
        summary: "Every panel's data at once, from the per-minute roll-ups, chain summaries and log histograms/facets; a panel that failed carries its error, the others still answer",
        parameters: [p.dashboardId, p.dashboardEnd],
        ok: ref('DashboardData'),
        notFound: true,
      }),
      '/api/dashboards/{id}/stream': operation('dashboardStream', {
        summary: 'Server-Sent Events for one screen: event data (the body of /data) at once and after every refresh, event problem when a refresh failed, event incidents (the body of /api/incidents) before the first data and before a refresh\'s data when they changed; never ends by itself',
        parameters: [p.dashboardId, p.streamRefresh(MIN_STREAM_REFRESH_US / 1e6, MAX_STREAM_REFRESH_US / 1e6)],
        ok: { content: { 'text/event-stream': { schema: { type: 'string' } } } },
        notFound: true,
      }),
      ...jaegerPaths(),
      '/metrics': operation('metrics', {
        summary: 'Counters in the Prometheus text format',
        ok: { content: { 'text/plain': { schema: { type: 'string' } } } },
      }),
    },
    components: { schemas: SCHEMAS },
  };
}
