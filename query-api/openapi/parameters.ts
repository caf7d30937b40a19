import { LOGQL_LIMITS } from '../../core/logql';
import { MAX_DURATION_US, MAX_PARAM_LENGTH, MAX_SERVICE_NAME_LENGTH, MAX_TIME_MS, MIN_TIME_MS } from '../params';
import { MAX_CONTEXT_LINES } from '../routes/log-context';
import { DEFAULT_RATE_MINUTES, MAX_RATE_MINUTES } from '../services/topology-service';
import { MAX_ATTRIBUTE_FILTERS, MAX_DURATION_MS } from '../routes/traces';
import { TRACE_SORTS } from '../../core/contracts/trace-search';
import { STATUS_CODES } from '../../core/model';
import { SERIES_FUNCTIONS } from '../../core/analysis/metric-series';
import { MAX_GROUP_BY, MAX_METRIC_NAME_LENGTH } from '../routes/metrics';
import { MAX_SERIES_STEPS } from '../services/metric-service';

/**
 * OpenAPI parameter objects, built from the same constants the parsers in
 * params.ts and the routes enforce, so the bounds written here are the ones
 * a request meets.
 */
export type Schema = Record<string, unknown>;
export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description: string;
  schema: Schema;
  style?: 'form';
  explode?: boolean;
}

const MAX_DURATION_DAYS = MAX_DURATION_US / 86_400_000_000;

function query(name: string, description: string, schema: Schema, required = false): Parameter {
  return { name, in: 'query', required, description, schema };
}

export function pathParam(name: string, description: string, schema: Schema): Parameter {
  return { name, in: 'path', required: true, description, schema };
}

const timeSchema: Schema = {
  anyOf: [
    { type: 'integer', minimum: MIN_TIME_MS, maximum: MAX_TIME_MS, description: 'epoch milliseconds' },
    { type: 'string', format: 'date-time', description: 'ISO-8601' },
  ],
};
const timeText = `between 1970-01-01T00:00:00Z and 2200-01-01T00:00:00Z, as epoch milliseconds (${MIN_TIME_MS}..${MAX_TIME_MS}) or ISO-8601; anything else is a 400 naming the parameter`;

export const start = query('start', `Start of the time window, ${timeText}. Must not be after end.`, timeSchema);
export const end = query('end', `End of the time window, ${timeText}.`, timeSchema);
export const timeWindow = [start, end];

/** A result-size limit: at least 1, values above `max` are answered as `max`. */
export function limitParam(defaultValue: number, max: number): Parameter {
  return query('limit', `Most results (default ${defaultValue}); values above ${max} are answered as ${max}.`, {
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    default: defaultValue,
  });
}

/** No U+0000 in any string parameter (params.ts refuses it). */
const NO_NUL = '^[^\\u0000]*$';
const shortString: Schema = { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: NO_NUL };
export const traceIdSchema: Schema = { type: 'string', pattern: '^[0-9a-fA-F]{32}$', description: '32 hex digits, not all zero' };
const spanIdSchema: Schema = { type: 'string', pattern: '^[0-9a-fA-F]{16}$', description: '16 hex digits, not all zero' };

export const service = query('service', 'Only this service (exact name).', { type: 'string', maxLength: MAX_SERVICE_NAME_LENGTH, pattern: NO_NUL });
export const operation = query('operation', 'Only spans with this name (exact).', shortString);
export const attr: Parameter = {
  name: 'attr',
  in: 'query',
  description: `Attribute filter key:value (the key is everything before the first colon), matched like tags; repeat for AND, at most ${MAX_ATTRIBUTE_FILTERS}.`,
  schema: { type: 'array', maxItems: MAX_ATTRIBUTE_FILTERS, items: { type: 'string', pattern: '^[^:\\u0000]+:[^\\u0000]*$', maxLength: MAX_PARAM_LENGTH } },
  style: 'form',
  explode: true,
};
export const tags: Parameter = {
  name: 'tags',
  in: 'query',
  description:
    `Jaeger-style tag filter: a JSON object of attribute key to value, e.g. {"order.id":"ORD-1","http.status_code":"503"} ` +
    `(numbers and booleans match their text). Every pair must match, on any span (span, event or resource attributes) or as a business key of the trace; ` +
    `ANDed with attr, at most ${MAX_ATTRIBUTE_FILTERS} pairs in attr and tags together. May repeat. ` +
    `The span status spelled as a tag (in tags or attr) is the status filter, not an attribute: error=true, otel.status_code=ERROR|OK|UNSET, status.code=0|1|2; other values of those keys are a 400.`,
  schema: { type: 'array', maxItems: MAX_ATTRIBUTE_FILTERS, items: { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: NO_NUL } },
  style: 'form',
  explode: true,
};
const durationScope = 'With an operation: the duration of a span of that operation (the span that meets every span-level filter); without: the trace (first span start to last span end).';
export const minDurationMs = query('minDurationMs', `At least this long (ms, fractions allowed); must not exceed maxDurationMs. ${durationScope}`, {
  type: 'number',
  minimum: 0,
  maximum: MAX_DURATION_MS,
});
export const maxDurationMs = query('maxDurationMs', `At most this long (ms, fractions allowed). ${durationScope}`, { type: 'number', minimum: 0, maximum: MAX_DURATION_MS });
export const traceError = query(
  'error',
  'true: only traces where a span has status error (with service/operation: a span of them). false or absent: no status filter. Same as status=error.',
  { type: 'boolean' },
);
export const traceStatus = query('status', 'Only traces where a span has this status (with service/operation: a span of them); must agree with error and status tags.', {
  type: 'string',
  enum: [...STATUS_CODES],
});
export const traceSort = query('sort', 'Order of the hits: trace start newest/oldest first, or trace duration longest/shortest first (ties by trace id).', {
  type: 'string',
  enum: [...TRACE_SORTS],
  default: 'newest',
});
export const traceCursor = query('cursor', 'next of the previous page (opaque), with the same filters and sort.', { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: NO_NUL });

export const q = query('q', 'A query in the log query language (docs/log-query.md); a syntax error is a 400 with position and expected.', {
  type: 'string',
  maxLength: LOGQL_LIMITS.length,
  pattern: NO_NUL,
});
export const severity = query('severity', 'Only this severity text (exact).', shortString);
export const traceIdFilter = query('traceId', 'Only records of this trace.', traceIdSchema);
export const spanIdFilter = query('spanId', 'Only records of this span.', spanIdSchema);
/** `q` plus the single-field log filters, all ANDed. */
export const logFilters = [q, service, severity, traceIdFilter, spanIdFilter];

export const sort = query('sort', 'Order of the page.', { type: 'string', enum: ['time_desc', 'time_asc'], default: 'time_desc' });
export const cursor = query('cursor', 'nextCursor of the previous page (opaque).', { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: NO_NUL });
export const interval = query('interval', `Bucket width like 500ms, 10s, 1m, 1h, 1d (at most ${MAX_DURATION_DAYS}d), or auto (about 60 buckets); a window needing more buckets than allowed is a 400.`, {
  type: 'string',
  pattern: '^(auto|[0-9]{1,16}(ms|s|m|h|d))$',
  default: 'auto',
});
export const facetField = query('field', 'service, severity (or level), host (or host.name), or an attribute name (letters, digits, _ . - / @).', {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: NO_NUL,
}, true);

export function contextSide(name: 'before' | 'after', defaultValue: number): Parameter {
  return query(name, `Lines ${name} the anchor from the same source (0..${MAX_CONTEXT_LINES}).`, { type: 'integer', minimum: 0, maximum: MAX_CONTEXT_LINES, default: defaultValue });
}

export const step = query('step', 'Width of one point: 60s, 5m, 1h or a number of seconds; a whole number of minutes. Default: whole minutes giving about 60 points; a step giving too many points is a 400.', {
  type: 'string',
  pattern: '^[0-9]+(\\.[0-9]+)?(s|m|h)?$',
});

export const rateMinutes = query(
  'rateMinutes',
  `Rates (ratePerSec) are calls per second over this many whole minutes: the last ones before the minute the window ends in, not before the window's first minute (docs/topology.md, "Rates"). 1..${MAX_RATE_MINUTES}.`,
  { type: 'integer', minimum: 1, maximum: MAX_RATE_MINUTES, default: DEFAULT_RATE_MINUTES },
);

export const lastEventId: Parameter = {
  name: 'Last-Event-ID',
  in: 'header',
  description: 'Sent by a reconnecting EventSource: the id of the last event received (<timeUs>-<log id>); the tail resumes after it.',
  schema: { type: 'string', pattern: '^[0-9]{1,17}-[0-9A-Za-z_.:-]{1,128}$' },
};

export const serviceInPath = pathParam('service', 'Service name.', { type: 'string', minLength: 1, maxLength: MAX_SERVICE_NAME_LENGTH, pattern: NO_NUL });

export function businessKey(keys: readonly string[], required = true): Parameter {
  return query('key', 'A configured business key (BUSINESS_KEYS).', keys.length > 0 ? { type: 'string', enum: [...keys] } : shortString, required);
}
/** The slow-chains list's sort column, order and filters (routes/chains.ts parses them). */
export function slowChainOptions(sorts: readonly string[], orders: readonly string[]): Parameter[] {
  const flag = (name: string, description: string) => query(name, description, { type: 'string', enum: ['false', 'true'], default: 'false' });
  return [
    query('sort', 'Column to sort by: end-to-end duration, working or waiting time, error spans, the bottleneck\'s time on the critical path, or start time.', {
      type: 'string',
      enum: [...sorts],
      default: 'duration',
    }),
    query('order', 'Sort order.', { type: 'string', enum: [...orders], default: 'desc' }),
    flag('errorsOnly', 'Only chains with at least one error span.'),
    flag('excludeIntendedWaits', 'Leave intended waits (CHAIN_EXPECTED_WAITS) out of durationUs and waitingUs, and so out of the ranking.'),
  ];
}
/** The two orders of GET /api/chains/compare: `a` required, `b` absent for a typical order. */
export function comparedValues(maxLength: number): Parameter[] {
  const value: Schema = { type: 'string', minLength: 1, maxLength, pattern: NO_NUL };
  return [
    query('a', 'The order (business key value, exact) to explain.', value, true),
    query('b', 'The order to compare it with; absent: a typical order of the same journey.', value),
  ];
}
export function businessValue(maxLength: number, required = true): Parameter {
  return query('value', 'The business key value (exact).', { type: 'string', minLength: 1, maxLength, pattern: NO_NUL }, required);
}

const INCIDENT_ID = { type: 'string', pattern: '^[0-9a-f]{16}$' };
/** An incident id (GET /api/incidents lists them) in the path. */
export const incidentInPath = pathParam('id', 'An incident id: 16 hex digits (GET /api/incidents lists them).', INCIDENT_ID);
/** GET /api/rca?incident=: rank an incident's causes instead of one chain's (not with key and value). */
export const incidentQuery = query('incident', 'An incident id (16 hex digits): rank the causes of that incident instead of one chain; not together with key and value.', INCIDENT_ID);

/** A dashboard id in the path (params.ts dashboardIdParam). */
export const dashboardId = pathParam('id', 'A dashboard id (GET /api/dashboards lists them).', { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' });
/** The end of every panel's window on GET /api/dashboards/{id}/data (default now). */
export const dashboardEnd = query('end', `End of every panel's window (default now), ${timeText}.`, timeSchema);
/** How often a dashboard stream pushes data. */
export function streamRefresh(minSeconds: number, maxSeconds: number): Parameter {
  return query('refresh', `How often the stream pushes data, like 10s or 1m (default: the dashboard's refresh); at least ${minSeconds}s (less is answered as ${minSeconds}s), at most ${maxSeconds / 60}m.`, {
    type: 'string',
    pattern: '^[1-9][0-9]{0,5}(ms|s|m)$',
  });
}

const metricNameSchema: Schema = { type: 'string', minLength: 1, maxLength: MAX_METRIC_NAME_LENGTH, pattern: NO_NUL };
export const metricNameFilter = query('name', 'A metric name (exact): answers its label keys and values instead of the names.', metricNameSchema);
export const metricName = query('name', 'The metric name (exact).', metricNameSchema, true);
export const metricStep = query(
  'step',
  `Width of one point: 60s, 5m, 1h or a number of seconds. Default: about 60 points (at least 1 s). More than ${MAX_SERIES_STEPS} points is a 400.`,
  { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(s|m|h)?$' },
);
export const metricFn = query(
  'fn',
  'What each point is: auto (rate for counters and histograms, value otherwise), value (last value; gauges, up-down sums), rate (per-second increase of a counter or of a histogram count), avg (histogram sum / count), quantile (explicit-bucket histograms). A function that does not fit the metric is a 400.',
  { type: 'string', enum: ['auto', ...SERIES_FUNCTIONS], default: 'auto' },
);
export const metricQuantile = query('quantile', 'With fn=quantile: which one, 0..1.', { type: 'number', minimum: 0, maximum: 1, default: 0.95 });
export const metricGroupBy: Parameter = {
  name: 'groupBy',
  in: 'query',
  description: `Label keys to group series by (repeat the parameter or separate by commas; at most ${MAX_GROUP_BY}); service is the resource's service.name. Absent: one series of all.`,
  schema: { type: 'array', items: { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: NO_NUL }, maxItems: MAX_GROUP_BY },
  style: 'form',
  explode: true,
};
