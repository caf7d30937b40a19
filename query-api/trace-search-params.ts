import type { AttributeFilter, TraceQuery } from '../core/contracts/span-store';
import { TRACE_SORTS, type TraceSort } from '../core/contracts/trace-search';
import { ValidationError } from '../core/errors';
import { STATUS_CODES, type StatusCode } from '../core/model';
import {
  limit,
  MAX_DURATION_US,
  MAX_SERVICE_NAME_LENGTH,
  optionalBoolean,
  optionalEnum,
  optionalNumber,
  optionalString,
  stringList,
  timeWindow,
  type Query,
} from './params';
import { decodeTraceCursor } from './trace-cursor';

export const MAX_TRACES_LIMIT = 1000;
export const DEFAULT_TRACES_LIMIT = 20;
export const MAX_ATTRIBUTE_FILTERS = 16;
/** minDurationMs / maxDurationMs: 0 up to the longest duration any parameter may give. */
export const MAX_DURATION_MS = MAX_DURATION_US / 1000;

/** The parameters of GET /api/traces as a TraceQuery; every problem is a ValidationError naming its parameter. */
export function traceSearchQuery(query: Query, requireAttributeSearch: (parameter: 'attr' | 'tags') => void): TraceQuery {
  const minDurationMs = optionalNumber(query, 'minDurationMs', 0, MAX_DURATION_MS);
  const maxDurationMs = optionalNumber(query, 'maxDurationMs', 0, MAX_DURATION_MS);
  if (minDurationMs !== undefined && maxDurationMs !== undefined && minDurationMs > maxDurationMs) {
    throw new ValidationError('minDurationMs must not exceed maxDurationMs', 'minDurationMs');
  }
  const sort = optionalEnum<TraceSort>(query, 'sort', TRACE_SORTS, 'newest');
  const filters = attributeFilters(query);
  if (filters.attributes.some((f) => f.parameter === 'attr')) requireAttributeSearch('attr');
  if (filters.attributes.some((f) => f.parameter === 'tags')) requireAttributeSearch('tags');
  const out: TraceQuery = {
    ...timeWindow(query),
    service: optionalString(query, 'service', MAX_SERVICE_NAME_LENGTH),
    operation: optionalString(query, 'operation'),
    status: statusFilter(query, filters.statuses),
    attributes: filters.attributes.map(({ key, value }) => ({ key, value })),
    minDurationUs: minDurationMs === undefined ? undefined : Math.round(minDurationMs * 1000),
    maxDurationUs: maxDurationMs === undefined ? undefined : Math.round(maxDurationMs * 1000),
    sort,
    after: cursorParam(query, sort),
    limit: limit(query, 'limit', DEFAULT_TRACES_LIMIT, MAX_TRACES_LIMIT),
  };
  return out;
}

/**
 * The `tags` (Jaeger's JSON object) and `attr` filters of a query as attribute filters, with the
 * status spelled among them (`error`, `otel.status_code`, `status.code`) taken out: the rule
 * /api/traces and the Jaeger API (/jaeger/api/traces) share.
 */
export function tagQueryFilters(query: Query): { attributes: AttributeFilter[]; status?: StatusCode } {
  const filters = attributeFilters(query);
  return { attributes: filters.attributes.map(({ key, value }) => ({ key, value })), status: statusFilter({}, filters.statuses) };
}

/** `cursor`: the `next` of a previous page, made for the same sort. */
function cursorParam(query: Query, sort: TraceSort): TraceQuery['after'] {
  const raw = optionalString(query, 'cursor');
  if (raw === undefined) return undefined;
  const decoded = decodeTraceCursor(raw);
  if (!decoded) throw new ValidationError('cursor is not a trace search cursor returned by this API', 'cursor');
  if (decoded.sort !== sort) throw new ValidationError(`cursor was made for sort=${decoded.sort}, not sort=${sort}`, 'cursor');
  return decoded.cursor;
}

/** `error=true` and `status=…` and the status spelled as a tag: one status, or a 400 when they disagree. */
function statusFilter(query: Query, fromTags: Array<{ status: StatusCode; parameter: string }>): StatusCode | undefined {
  const given: Array<{ status: StatusCode; parameter: string }> = [...fromTags];
  if (optionalBoolean(query, 'error')) given.push({ status: 'error', parameter: 'error' });
  const status = optionalString(query, 'status');
  if (status !== undefined) {
    if (!(STATUS_CODES as readonly string[]).includes(status)) throw new ValidationError(`status must be one of ${STATUS_CODES.join(', ')}`, 'status');
    given.push({ status: status as StatusCode, parameter: 'status' });
  }
  const other = given.find((g) => g.status !== given[0].status);
  if (other) throw new ValidationError(`${given[0].parameter} asks for status ${given[0].status} but ${other.parameter} for status ${other.status}`, 'status');
  return given[0]?.status;
}

/**
 * The span status as other tools spell it in a tag search: Jaeger's `error=true`, OpenTelemetry's
 * `otel.status_code=ERROR|OK|UNSET` (as exported to Jaeger/Zipkin) and OTLP's `status.code=0|1|2`.
 * These are the `status` filter, not attributes (no span stores its status among its attributes);
 * a value that names no status is a 400 saying what to write instead.
 */
export function statusOfTag(key: string, value: string, parameter: string): StatusCode | undefined {
  const v = value.toLowerCase();
  if (key === 'error') {
    if (v === 'true') return 'error';
    throw new ValidationError(`${parameter} ${key}:${value} is not a filter: use error=true, or status=ok / status=unset for spans without error`, parameter);
  }
  if (key === 'otel.status_code') {
    if ((STATUS_CODES as readonly string[]).includes(v)) return v as StatusCode;
    throw new ValidationError(`${parameter} otel.status_code must be ERROR, OK or UNSET (or use status=error|ok|unset)`, parameter);
  }
  if (key === 'status.code') {
    const byNumber = ['0', '1', '2'].indexOf(v);
    if (byNumber >= 0) return STATUS_CODES[byNumber];
    if ((STATUS_CODES as readonly string[]).includes(v)) return v as StatusCode;
    throw new ValidationError(`${parameter} status.code must be 0 (unset), 1 (ok) or 2 (error) (or use status=error|ok|unset)`, parameter);
  }
  return undefined;
}

type SourcedFilter = AttributeFilter & { parameter: 'attr' | 'tags' };

/**
 * `attr=key:value` (repeated) and Jaeger's `tags={"key":"value"}` together: all must match, at most
 * MAX_ATTRIBUTE_FILTERS; the status spellings among them (statusOfTag) are taken out as statuses.
 */
function attributeFilters(query: Query): { attributes: SourcedFilter[]; statuses: Array<{ status: StatusCode; parameter: string }> } {
  const attr = stringList(query, 'attr', MAX_ATTRIBUTE_FILTERS);
  const tags = stringList(query, 'tags', MAX_ATTRIBUTE_FILTERS);
  const filters: SourcedFilter[] = attr.map((raw) => ({ ...attributeFilter(raw), parameter: 'attr' }));
  for (const raw of tags) filters.push(...tagFilters(raw).map((f): SourcedFilter => ({ ...f, parameter: 'tags' })));
  if (filters.length > MAX_ATTRIBUTE_FILTERS) {
    throw new ValidationError(`attr and tags may hold at most ${MAX_ATTRIBUTE_FILTERS} filters together (got ${filters.length})`, 'tags');
  }
  const attributes: SourcedFilter[] = [];
  const statuses: Array<{ status: StatusCode; parameter: string }> = [];
  for (const f of filters) {
    const status = statusOfTag(f.key, f.value, f.parameter);
    if (status === undefined) attributes.push(f);
    else statuses.push({ status, parameter: f.parameter });
  }
  return { attributes, statuses };
}

/**
 * A JSON object of key to value, as Jaeger's API takes `tags`. Values are compared as text: a
 * number or boolean value is the same filter as its string (`{"http.status_code":503}` = `"503"`).
 */
function tagFilters(raw: string): AttributeFilter[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError('tags must be a JSON object like {"order.id":"ORD-1"}', 'tags');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('tags must be a JSON object like {"order.id":"ORD-1"}', 'tags');
  }
  return Object.entries(parsed).map(([key, value]) => {
    if (key === '') throw new ValidationError('tags must not have an empty key', 'tags');
    if (typeof value === 'string') return { key, value };
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return { key, value: String(value) };
    throw new ValidationError(`tags value of "${key}" must be a string, number or boolean`, 'tags');
  });
}

/** `key:value`; the key is everything before the first colon. */
function attributeFilter(raw: string): AttributeFilter {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new ValidationError(`attr must look like key:value, got "${raw}"`, 'attr');
  return { key: raw.slice(0, colon), value: raw.slice(colon + 1) };
}
