/**
 * Typed client for the query API (same origin, relative to the page so a path prefix works).
 * The answer types are the server's own (core/wire), imported as types only: nothing of the
 * server reaches the bundle, and a change on one side that the other does not follow fails
 * `npm run typecheck`.
 */
import type {
  AnomalyReport,
  Bottleneck,
  ChainComparisonView,
  ChainSpanView,
  ChainTraceView,
  ChainView,
  ErrorView,
  HealthReport,
  IncidentEvidence,
  IncidentsAnswer,
  LogContextView,
  LogFacetsView,
  LogHistogramView,
  LogSearchView,
  LogView,
  MetricLabelsAnswer,
  MetricNamesAnswer,
  MetricSeriesAnswer,
  OperationsAnswer,
  RatedTopology,
  ServicesAnswer,
  ServicesOverview,
  ServiceStats,
  ServiceStatsPoint,
  SettingsView,
  SlowChainsAnswer,
  SlowChainView,
  TraceSearchAnswer,
  TraceSpanView,
  TraceView,
} from '../../core/wire';

export type {
  Attributes,
  ChainComparisonView,
  ChainJoin,
  ChainPathStep,
  ChainSpanStep,
  ChainStage,
  ChainWait,
  ChainWaitStep,
  LogContextView,
  LogFacetsView,
  LogHighlight,
  LogHistogramView,
  MatchingSpan,
  MetricLabel,
  MetricLabelsAnswer,
  MetricNameInfo,
  MetricNamesAnswer,
  MetricSeriesAnswer,
  ComputedSeries,
  RatedTopology,
  RateWindow,
  ServiceStats,
  ServiceSummary,
  ServicesOverview,
  SettingsView,
  Topology,
  TopologyEdge,
  TopologyNode,
  TopologyNodeKind,
  TraceHit,
  TraceSearchAnswer,
  TraceSummary,
  WaitKind,
} from '../../core/wire';

// The UI's short names for the wire types it shows most.
export type Span = TraceSpanView;
export type Trace = TraceView;
export type Chain = ChainView;
export type ChainSpan = ChainSpanView;
export type ChainTrace = ChainTraceView;
export type ChainBottleneck = Bottleneck;
export type SlowChain = SlowChainView;
export type StatsPoint = ServiceStatsPoint;
export type LogLine = LogView;
export type LogPage = LogSearchView;

/** A refusal of the API: the status, and what its `{ error, parameter?, position?, expected? }` body says. */
export class ApiError extends Error {
  /** The parameter a 400 names. */
  readonly parameter?: string;
  /** Where a query-language error is, for the query box. */
  readonly position?: number;
  readonly expected?: string[];

  /** `body`: the parsed JSON body of the refusal, when it had one. */
  constructor(message: string, readonly status: number, readonly body?: unknown) {
    super(message);
    this.name = 'ApiError';
    const error = errorView(body);
    if (error) {
      this.parameter = error.parameter;
      this.position = error.position;
      this.expected = error.expected;
    }
  }
}

function errorView(body: unknown): ErrorView | undefined {
  if (!body || typeof body !== 'object' || typeof (body as { error?: unknown }).error !== 'string') return undefined;
  const b = body as Record<string, unknown>;
  return {
    error: b.error as string,
    parameter: typeof b.parameter === 'string' ? b.parameter : undefined,
    position: typeof b.position === 'number' ? b.position : undefined,
    expected: Array.isArray(b.expected) ? b.expected.map(String) : undefined,
  };
}

export type Query = Record<string, string | number | string[] | undefined>;

export function apiUrl(path: string, query: Query = {}): string {
  const url = new URL(`api/${path}`, document.baseURI);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) if (v !== '') url.searchParams.append(key, String(v));
  }
  return url.toString();
}

async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the API: ${(err as Error).message}`, 0);
  }
  // AUTH=tokens and no (or an expired) session: the server's login page exchanges a token for one
  if (res.status === 401) location.assign(new URL('login', document.baseURI).href);
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = errorView(body)?.error ?? (text.slice(0, 200) || res.statusText);
    throw new ApiError(`${res.status} ${msg}`, res.status, body);
  }
  if (body === undefined) throw new ApiError(`Unexpected non-JSON answer from ${path}`, res.status);
  return body as T;
}

export const api = {
  /** /api/health answers 503 with the same body when degraded: both are answers, not errors. */
  health: async (signal?: AbortSignal): Promise<HealthReport> => {
    try {
      return await getJson<HealthReport>('health', {}, signal);
    } catch (err) {
      if (err instanceof ApiError && err.status === 503 && err.body && typeof (err.body as { status?: unknown }).status === 'string') {
        return err.body as HealthReport;
      }
      throw err;
    }
  },
  settings: (signal?: AbortSignal) => getJson<SettingsView>('settings', {}, signal),
  services: (signal?: AbortSignal) => getJson<ServicesAnswer>('services', {}, signal).then((r) => r.services),
  operations: (service: string, signal?: AbortSignal) =>
    getJson<OperationsAnswer>(`services/${encodeURIComponent(service)}/operations`, {}, signal).then((r) => r.operations),
  findTraces: (query: Query, signal?: AbortSignal) => getJson<TraceSearchAnswer>('traces', query, signal),
  trace: (traceId: string, signal?: AbortSignal) => getJson<TraceView>(`traces/${encodeURIComponent(traceId)}`, {}, signal),
};

export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Business chains, topology and service health. Start/end are epoch milliseconds, like the other endpoints. */
export const insightApi = {
  chain: (key: string, value: string, query: Query = {}, signal?: AbortSignal) => getJson<ChainView>('chains', { ...query, key, value }, signal),
  slowChains: (query: Query, signal?: AbortSignal) => getJson<SlowChainsAnswer>('chains/slow', query, signal).then((r) => r.chains),
  /** No `b`: compared with a typical order of the same journey. */
  compareChains: (query: Query, signal?: AbortSignal) => getJson<ChainComparisonView>('chains/compare', query, signal),
  /** The topology with ratePerSec on nodes and edges over the rate window (`rate`). */
  topology: (query: Query, signal?: AbortSignal) => getJson<RatedTopology>('topology', query, signal),
  /** Every service with rate, error rate, quantiles and a series per step (the services table). */
  servicesOverview: (query: Query, signal?: AbortSignal) => getJson<ServicesOverview>('services/stats', query, signal),
  serviceStats: (service: string, query: Query, signal?: AbortSignal) =>
    getJson<ServiceStats>(`services/${encodeURIComponent(service)}/stats`, query, signal),
};

/** Anomalies and incidents (docs/alerts.md#incidents). Start/end are epoch milliseconds. */
export const incidentApi = {
  incidents: (signal?: AbortSignal) => getJson<IncidentsAnswer>('incidents', {}, signal),
  incident: (id: string, signal?: AbortSignal) => getJson<IncidentEvidence>(`incidents/${encodeURIComponent(id)}`, {}, signal),
  /** The anomalies of the whole minutes from start to end (default the last 5, at most 60). */
  anomalies: (query: Query, signal?: AbortSignal) => getJson<AnomalyReport>('anomalies', query, signal),
};

/** Log center: query language, histogram, facets, context, live tail. Start/end are epoch milliseconds. */
export const logApi = {
  search: (query: Query, signal?: AbortSignal) => getJson<LogSearchView>('logs', query, signal),
  histogram: (query: Query, signal?: AbortSignal) => getJson<LogHistogramView>('logs/histogram', query, signal),
  facets: (query: Query, signal?: AbortSignal) => getJson<LogFacetsView>('logs/facets', query, signal),
  context: (id: string, query: Query = {}, signal?: AbortSignal) => getJson<LogContextView>(`logs/${encodeURIComponent(id)}/context`, query, signal),
  /** URL for an EventSource: `log` events carry one LogView as JSON, `dropped` a TailDroppedEvent. */
  tailUrl: (query: Query) => apiUrl('logs/tail', query),
};

/** OTLP metrics: names, one name's labels, computed series (start/end epoch ms). */
export const metricsApi = {
  names: (signal?: AbortSignal) => getJson<MetricNamesAnswer>('metrics', {}, signal).then((r) => r.metrics),
  labels: (name: string, signal?: AbortSignal) => getJson<MetricLabelsAnswer>('metrics', { name }, signal).then((r) => r.labels),
  series: (query: Query, signal?: AbortSignal) => getJson<MetricSeriesAnswer>('metrics/series', query, signal),
};
