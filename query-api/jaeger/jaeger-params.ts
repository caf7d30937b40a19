import type { TraceQuery } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import { MAX_DURATION_US, MAX_SERVICE_NAME_LENGTH, MAX_TIME_US, MIN_TIME_US, limit, optionalString, stringList, traceIdParam, type Query } from '../params';
import { MAX_TRACES_LIMIT, tagQueryFilters } from '../trace-search-params';

/** jaeger-query's defaults: 100 traces, the last hour. */
export const JAEGER_DEFAULT_LIMIT = 100;
const DEFAULT_LOOKBACK_US = 3_600_000_000;
/** Traces asked for by id at once (`traceID=` repeated). */
export const MAX_JAEGER_TRACE_IDS = 100;

export type JaegerTraceSearch = { traceIds: string[] } | { query: TraceQuery };

/**
 * GET /jaeger/api/traces parameters as jaeger-query reads them: `traceID`
 * (repeated) for traces by id, else `service` (required), `operation`,
 * `tags` (a JSON object, as Jaeger UI sends; `error`/`otel.status_code` are
 * the status filter), `minDuration`/`maxDuration` (Go durations: 1.5ms,
 * 100us, 2s, 1m30s), `start`/`end` (epoch microseconds; default the `lookback`
 * before now, 1h) and `limit` (default 100, at most 1000).
 */
export function jaegerTraceSearch(query: Query, nowUs: number, requireAttributeSearch: (parameter: 'tags') => void): JaegerTraceSearch {
  const traceIds = stringList(query, 'traceID', MAX_JAEGER_TRACE_IDS).map((id) => traceIdParam(id.padStart(32, '0'), 'traceID'));
  if (traceIds.length > 0) return { traceIds };
  const service = optionalString(query, 'service', MAX_SERVICE_NAME_LENGTH);
  if (service === undefined) throw new ValidationError('parameter \'service\' is required', 'service');
  const endUs = microsParam(query, 'end') ?? nowUs;
  const startUs = microsParam(query, 'start') ?? endUs - (goDurationUs(query, 'lookback') ?? DEFAULT_LOOKBACK_US);
  if (startUs > endUs) throw new ValidationError('start must not be after end', 'start');
  const minDurationUs = goDurationUs(query, 'minDuration');
  const maxDurationUs = goDurationUs(query, 'maxDuration');
  if (minDurationUs !== undefined && maxDurationUs !== undefined && minDurationUs > maxDurationUs) {
    throw new ValidationError('minDuration must not exceed maxDuration', 'minDuration');
  }
  const { attributes, status } = tagQueryFilters({ tags: query.tags });
  if (attributes.length > 0) requireAttributeSearch('tags');
  return {
    query: {
      service,
      operation: optionalString(query, 'operation'),
      attributes,
      status,
      minDurationUs,
      maxDurationUs,
      startUs: Math.max(startUs, MIN_TIME_US),
      endUs,
      limit: limit(query, 'limit', JAEGER_DEFAULT_LIMIT, MAX_TRACES_LIMIT),
    },
  };
}

/** `endTs` and `lookback` of /dependencies, in milliseconds as jaeger-query takes them (default: now, 24h). */
export function jaegerDependencyWindow(query: Query, nowMs: number): { startUs: number; endUs: number } {
  const endMs = wholeMillis(query, 'endTs') ?? nowMs;
  const lookbackMs = wholeMillis(query, 'lookback') ?? 86_400_000;
  return { startUs: Math.max(endMs - lookbackMs, 0) * 1000, endUs: endMs * 1000 };
}

function microsParam(query: Query, name: string): number | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined) return undefined;
  const us = Number(raw);
  if (!/^\d{1,17}$/.test(raw) || !(us >= MIN_TIME_US && us <= MAX_TIME_US)) {
    throw new ValidationError(`${name} must be epoch microseconds between ${MIN_TIME_US} and ${MAX_TIME_US}, got "${raw.slice(0, 40)}"`, name);
  }
  return us;
}

function wholeMillis(query: Query, name: string): number | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,14}$/.test(raw) || Number(raw) > MAX_TIME_US / 1000) throw new ValidationError(`${name} must be whole milliseconds, got "${raw.slice(0, 40)}"`, name);
  return Number(raw);
}

const GO_UNITS_US: Record<string, number> = { ns: 0.001, us: 1, µs: 1, μs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** A Go duration (`1.5ms`, `100us`, `2s`, `1h30m`) → whole µs, at most MAX_DURATION_US. */
export function goDurationUs(query: Query, name: string): number | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/y;
  let us = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m || text.length > 64) throw new ValidationError(`${name} must be a duration like 1.5ms, 100us, 2s or 1m30s, got "${raw.slice(0, 40)}"`, name);
    us += Number(m[1]) * GO_UNITS_US[m[2]];
    at = part.lastIndex;
  }
  if (text.length === 0) return undefined;
  if (!(us <= MAX_DURATION_US)) throw new ValidationError(`${name} may be at most ${MAX_DURATION_US / 86_400_000_000}d`, name);
  return Math.round(us);
}
