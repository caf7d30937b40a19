/** Typed client for the query API (same origin, relative to the page so a path prefix works). */

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
  constructor(message: string, readonly status: number) {
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
    throw new ApiError(`${res.status} ${msg}`, res.status);
  }
  if (body === undefined) throw new ApiError(`Unexpected non-JSON answer from ${path}`, res.status);
  return body as T;
}

export const api = {
  health: (signal?: AbortSignal) => getJson<{ status: string }>('health', {}, signal),
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
