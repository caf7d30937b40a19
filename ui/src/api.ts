/** Typed client for the query API (same origin, relative to the page so a path prefix works). */
import type { ChainComparisonView } from '../../core/analysis/chain-compare';

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal' | 'unspecified';
export type StatusCode = 'unset' | 'ok' | 'error';
export type Attributes = Record<string, unknown>;

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startUs: number;
  durationUs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface SpanEvent {
  timeUs: number;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  status: { code: StatusCode; message: string };
  attributes: Attributes;
  resource: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

export interface LogRecord {
  id: string;
  timeUs: number;
  service: string;
  severityText: string;
  severityNumber: number;
  body: unknown;
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface LogSearchResult {
  total: number;
  totalIsLowerBound?: boolean;
  logs: LogRecord[];
}

export class ApiError extends Error {
  /** The parsed JSON body of the refusal, when it had one. */
  constructor(message: string, readonly status: number, readonly body?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
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
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = body && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : text.slice(0, 200) || res.statusText;
    throw new ApiError(`${res.status} ${msg}`, res.status, body);
  }
  if (body === undefined) throw new ApiError(`Unexpected non-JSON answer from ${path}`, res.status);
  return body as T;
}

export const api = {
  /** /api/health answers 503 with the same body when degraded: both are answers, not errors. */
  health: async (signal?: AbortSignal): Promise<{ status: string; problems?: string[] }> => {
    try {
      return await getJson<{ status: string; problems?: string[] }>('health', {}, signal);
    } catch (err) {
      if (err instanceof ApiError && err.status === 503 && err.body && typeof (err.body as { status?: unknown }).status === 'string') {
        return err.body as { status: string; problems?: string[] };
      }
      throw err;
    }
  },
  services: (signal?: AbortSignal) => getJson<{ services: string[] }>('services', {}, signal).then((r) => r.services),
  operations: (service: string, signal?: AbortSignal) =>
    getJson<{ operations: string[] }>(`services/${encodeURIComponent(service)}/operations`, {}, signal).then((r) => r.operations),
  findTraces: (query: Query, signal?: AbortSignal) => getJson<{ traces: TraceSummary[] }>('traces', query, signal).then((r) => r.traces),
  trace: (traceId: string, signal?: AbortSignal) => getJson<Trace>(`traces/${encodeURIComponent(traceId)}`, {}, signal),
  logs: (query: Query, signal?: AbortSignal) => getJson<LogSearchResult>('logs', query, signal),
};

export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

// ---- Business chains, topology and service health (issue 4) ----

export interface ChainTrace extends TraceSummary {
  /** Stage name this trace belongs to (may be empty). */
  stage?: string;
}

/** A span on a chain's merged timeline; the chain endpoint may leave out resource, events and links. */
export type ChainSpan = Pick<Span, 'traceId' | 'spanId' | 'parentSpanId' | 'service' | 'name' | 'kind' | 'startUs' | 'durationUs' | 'status' | 'attributes'> &
  Partial<Pick<Span, 'resource' | 'events' | 'links'>>;

export interface ChainJoin {
  kind: 'link' | 'message' | string;
  fromTraceId: string;
  fromSpanId: string;
  toTraceId: string;
  toSpanId: string;
  waitUs?: number;
}

export interface ChainStage {
  name: string;
  startUs: number;
  endUs: number;
  traceIds: string[];
}

/** queue: published → consumed; intended: a delay listed in CHAIN_EXPECTED_WAITS; gap: nothing explains it. */
export type WaitKind = 'queue' | 'intended' | 'gap';

export interface ChainWait {
  kind?: WaitKind;
  fromTraceId: string;
  fromSpanId?: string;
  toTraceId: string;
  toSpanId?: string;
  startUs: number;
  endUs: number;
  destination?: string;
  onCriticalPath?: boolean;
}

export type ChainCriticalStep =
  | { traceId: string; spanId: string; startUs: number; endUs: number; wait?: false }
  | { wait: true; kind?: WaitKind; startUs: number; endUs: number; traceId?: string; spanId?: string; fromTraceId?: string; fromSpanId?: string; toTraceId?: string; toSpanId?: string; destination?: string };

/** What held a chain up most: an operation, or a wait that was not intended (core/analysis/chain-bottleneck.ts). */
export interface ChainBottleneck {
  kind?: 'span' | 'wait';
  service: string;
  operation: string;
  selfUs?: number;
  waitKind?: 'queue' | 'gap';
  destination?: string;
  /** Named from a trace summary: the trace's spans were not loaded. */
  estimated?: boolean;
}

/** A chain's end-to-end time split along its critical path: working + waiting = durationUs. */
export interface ChainTiming {
  workingUs?: number;
  waitingUs?: number;
  queueWaitUs?: number;
  intendedWaitUs?: number;
  gapUs?: number;
}

export interface ChainError {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  message: string;
}

/** A log line of a chain; the chain endpoint may send `severity` or the log store's severityText/severityNumber. */
export interface ChainLog {
  id: string;
  timeUs: number;
  service: string;
  severity?: string;
  severityText?: string;
  severityNumber?: number;
  body: unknown;
  traceId: string;
  spanId: string;
  attributes?: Attributes;
}

export interface Chain extends ChainTiming {
  key: string;
  value: string;
  traceCount: number;
  truncated: boolean;
  startUs: number;
  endUs: number;
  durationUs: number;
  traces: ChainTrace[];
  spans: ChainSpan[];
  joins: ChainJoin[];
  stages: ChainStage[];
  waits: ChainWait[];
  criticalPath: ChainCriticalStep[];
  errors: ChainError[];
  errorCount?: number;
  bottleneck: ChainBottleneck | null;
  logs: ChainLog[];
  /** Some trace had more logs than its share of the chain's log cap. */
  logsTruncated?: boolean;
}

export interface SlowChain extends ChainTiming {
  value: string;
  startUs: number;
  endUs: number;
  durationUs: number;
  traceCount: number;
  errorCount?: number;
  bottleneck: ChainBottleneck | null;
}

export type TopologyNodeKind = 'service' | 'database' | 'queue' | 'external';

export interface TopologyNode {
  id: string;
  kind: TopologyNodeKind | string;
  calls: number;
  errorRate: number | null;
  /** null when nothing was measured. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface TopologyEdge {
  source: string;
  target: string;
  kind: 'sync' | 'async' | string;
  calls: number;
  errors: number;
  /** null when nothing was measured. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export interface StatsPoint {
  tUs: number;
  calls: number;
  errors: number;
  ratePerSec: number;
  errorRate: number | null;
  /** null when nothing was measured. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface OperationStats {
  name: string;
  calls: number;
  errors: number;
  errorRate: number | null;
  /** null when nothing was measured. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  series?: StatsPoint[];
}

export interface ServiceStats {
  service: string;
  stepUs: number;
  series: StatsPoint[];
  operations: OperationStats[];
}

/** Start/end are epoch milliseconds, like the other endpoints. */
export const insightApi = {
  chain: (key: string, value: string, query: Query = {}, signal?: AbortSignal) => getJson<Chain>('chains', { ...query, key, value }, signal),
  slowChains: (query: Query, signal?: AbortSignal) => getJson<{ chains: SlowChain[] }>('chains/slow', query, signal).then((r) => r.chains),
  /** No `b`: compared with a typical order of the same journey. */
  compareChains: (query: Query, signal?: AbortSignal) => getJson<ChainComparisonView>('chains/compare', query, signal),
  topology: (query: Query, signal?: AbortSignal) => getJson<Topology>('topology', query, signal),
  serviceStats: (service: string, query: Query, signal?: AbortSignal) =>
    getJson<ServiceStats>(`services/${encodeURIComponent(service)}/stats`, query, signal),
};

// ---- Log center (issue 5): query language, histogram, facets, context, live tail ----

/** A log line as /api/logs, context and tail send it. */
export interface LogLine extends LogRecord {
  severity?: string;
  body: string;
  resource?: Attributes;
}

export interface LogHighlight {
  terms: string[];
  phrases: string[];
}

export interface LogPage {
  total: number;
  totalIsLowerBound?: boolean;
  logs: LogLine[];
  /** Present when more lines follow; pass back as `cursor`. */
  nextCursor?: string | null;
  highlight?: LogHighlight;
}

export interface LogHistogramBucket {
  tUs: number;
  total: number;
  counts: Record<string, number>;
}

export interface LogHistogram {
  intervalUs: number;
  buckets: LogHistogramBucket[];
}

export interface LogFacet {
  field: string;
  values: Array<{ value: string; count: number }>;
}

export interface LogContext {
  anchorId: string;
  logs: LogLine[];
}

/** A 400 from the API with where the query went wrong, when the API says. */
export class LogQueryError extends ApiError {
  constructor(
    message: string,
    status: number,
    readonly parameter?: string,
    readonly position?: number,
    readonly expected?: string[],
  ) {
    super(message, status);
    this.name = 'LogQueryError';
  }
}

async function getLogJson<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the API: ${(err as Error).message}`, 0);
  }
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = typeof body?.error === 'string' ? body.error : text.slice(0, 200) || res.statusText;
    throw new LogQueryError(
      `${res.status} ${msg}`,
      res.status,
      typeof body?.parameter === 'string' ? body.parameter : undefined,
      typeof body?.position === 'number' ? body.position : undefined,
      Array.isArray(body?.expected) ? (body.expected as unknown[]).map(String) : undefined,
    );
  }
  if (body === undefined) throw new ApiError(`Unexpected non-JSON answer from ${path}`, res.status);
  return body as T;
}

/** Start/end are epoch milliseconds. */
export const logApi = {
  search: (query: Query, signal?: AbortSignal) => getLogJson<LogPage>('logs', query, signal),
  histogram: (query: Query, signal?: AbortSignal) => getLogJson<LogHistogram>('logs/histogram', query, signal),
  facets: (query: Query, signal?: AbortSignal) => getLogJson<LogFacet>('logs/facets', query, signal),
  context: (id: string, query: Query = {}, signal?: AbortSignal) => getLogJson<LogContext>(`logs/${encodeURIComponent(id)}/context`, query, signal),
  /** URL for an EventSource: `log` events carry one LogLine as JSON, `dropped` a { count } notice. */
  tailUrl: (query: Query) => apiUrl('logs/tail', query),
};
