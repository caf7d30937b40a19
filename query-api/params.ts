import type { LogCursor } from '../core/contracts/log-store';
import { ValidationError } from '../core/errors';
import { DEFAULT_INPUT_LIMITS, MAX_TIME_MS, MAX_TIME_US, MIN_TIME_MS, MIN_TIME_US } from '../core/limits';
import { decodeLogCursor } from './log-cursor';

/** Query-string readers: each returns a typed value or throws ValidationError naming the parameter. */
export type Query = Record<string, unknown>;

/** Longest string any query or path parameter may be (the query language has its own, LOGQL_LIMITS.length). */
export const MAX_PARAM_LENGTH = 1024;

export function optionalString(query: Query, name: string, maxLength = MAX_PARAM_LENGTH): string | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new ValidationError(`${name} must be given once, as a string`, name);
  if (raw.length > maxLength) throw new ValidationError(`${name} is longer than ${maxLength} characters`, name);
  noNul(raw, name);
  return raw;
}

/**
 * U+0000 means nothing in a name or query, and ends a string early in the
 * stores' own query parsers (SQLite FTS5 answered "unterminated string"): refused here, for every store.
 */
function noNul(raw: string, name: string): void {
  if (raw.includes('\u0000')) throw new ValidationError(`${name} must not contain NUL (U+0000) characters`, name);
}

/** A string that must be given: a 400 naming it when absent (`what` says what it is for). */
export function requiredString(query: Query, name: string, maxLength = MAX_PARAM_LENGTH, what = ''): string {
  const value = optionalString(query, name, maxLength);
  if (value === undefined) throw new ValidationError(`${name} is required${what ? `: ${what}` : ''}`, name);
  return value;
}

const DURATION_UNITS_US: Record<string, number> = { ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 };

/** Longest duration a parameter may give (histogram interval, span duration filters): 3660 days, about ten years. */
export const MAX_DURATION_US = 3660 * 86_400_000_000;

/** `10s`, `1m`, `500ms`, `1h`, `1d` → µs, at most `maxUs`; undefined when absent or `auto`. */
export function optionalDurationUs(query: Query, name: string, maxUs = MAX_DURATION_US): number | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined || raw === 'auto') return undefined;
  const m = /^(\d{1,16})(ms|s|m|h|d)$/.exec(raw.trim());
  if (!m || Number(m[1]) === 0) throw new ValidationError(`${name} must be like 500ms, 10s, 1m, 1h, 1d or auto, got "${shown(raw)}"`, name);
  const us = Number(m[1]) * DURATION_UNITS_US[m[2]];
  if (!(us <= maxUs)) throw new ValidationError(`${name} may be at most ${maxUs / 86_400_000_000}d, got "${shown(raw)}"`, name);
  return us;
}

/** A caller's value quoted in an error message, cut so a 1 KiB parameter does not come back whole. */
function shown(raw: string): string {
  return raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
}

/** A `cursor` from a previous page: base64url of JSON [timeUs, id]. */
export function optionalCursor(query: Query, name = 'cursor'): LogCursor | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined) return undefined;
  const cursor = decodeLogCursor(raw);
  if (!cursor) throw new ValidationError(`${name} is not a cursor returned by this API`, name);
  return cursor;
}

/** One of `allowed`, or `fallback` when absent. */
export function optionalEnum<T extends string>(query: Query, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optionalString(query, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ValidationError(`${name} must be one of ${allowed.join(', ')}`, name);
  return raw as T;
}

export function stringList(query: Query, name: string, max: number): string[] {
  const raw = query[name];
  if (raw === undefined || raw === '') return [];
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length > max) throw new ValidationError(`${name} may be given at most ${max} times`, name);
  return values.map((v) => {
    if (typeof v !== 'string') throw new ValidationError(`${name} must be a string`, name);
    if (v.length > MAX_PARAM_LENGTH) throw new ValidationError(`${name} is longer than ${MAX_PARAM_LENGTH} characters`, name);
    noNul(v, name);
    return v;
  });
}

export function optionalNumber(query: Query, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || raw.trim() === '') throw new ValidationError(`${name} must be a number, got "${shown(raw)}"`, name);
  if (n < min || n > max) throw new ValidationError(`${name} must be between ${min} and ${max}, got ${n}`, name);
  return n;
}

/** A whole number within [min, max]: default when absent; a fraction or a number out of bounds is a 400 naming the parameter. */
export function wholeNumber(query: Query, name: string, defaultValue: number, min: number, max: number): number {
  const n = optionalNumber(query, name, min, max);
  if (n === undefined) return defaultValue;
  if (!Number.isInteger(n)) throw new ValidationError(`${name} must be a whole number, got ${n}`, name);
  return n;
}

/** A result-size limit: default when absent, capped at `max` (asking for more is not an error). */
export function limit(query: Query, name: string, defaultValue: number, max: number): number {
  const n = optionalNumber(query, name, 1);
  if (n === undefined) return defaultValue;
  if (!Number.isInteger(n)) throw new ValidationError(`${name} must be a whole number, got ${n}`, name);
  return Math.min(n, max);
}

/** The times a parameter may name (1970..2200) are core's (core/limits.ts), the same span log times are read within. */
export { MAX_TIME_MS, MAX_TIME_US, MIN_TIME_MS, MIN_TIME_US };
const TIME_RANGE_TEXT = '1970-01-01T00:00:00Z and 2200-01-01T00:00:00Z';

/** A time as ISO-8601 or epoch milliseconds, within 1970..2200 → whole microseconds since epoch. */
export function optionalTimeUs(query: Query, name: string): number | undefined {
  const raw = optionalString(query, name);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text);
  } else if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new ValidationError(`${name} is not a valid date: "${shown(raw)}"`, name);
  } else {
    throw new ValidationError(`${name} must be ISO-8601 (2026-01-31T12:00:00Z) or epoch milliseconds, got "${shown(raw)}"`, name);
  }
  if (!(ms >= MIN_TIME_MS && ms <= MAX_TIME_MS)) {
    throw new ValidationError(`${name} must lie between ${TIME_RANGE_TEXT} (epoch ms ${MIN_TIME_MS}..${MAX_TIME_MS}), got "${shown(raw)}"`, name);
  }
  return Math.round(ms * 1000);
}

export function timeWindow(query: Query): { startUs?: number; endUs?: number } {
  const startUs = optionalTimeUs(query, 'start');
  const endUs = optionalTimeUs(query, 'end');
  if (startUs !== undefined && endUs !== undefined && startUs > endUs) {
    throw new ValidationError('start must not be after end', 'start');
  }
  return { startUs, endUs };
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;

/** A trace id in any case → lowercase; anything but 32 hex digits is a 400. */
export function traceIdParam(raw: unknown, name = 'traceId'): string {
  if (typeof raw !== 'string' || !TRACE_ID.test(raw) || /^0+$/.test(raw)) {
    throw new ValidationError(`${name} must be 32 hex digits (not all zero)`, name);
  }
  return raw.toLowerCase();
}

/**
 * A service name taken from the URL path: 1 to the longest a stored service name can be
 * (it is the resource attribute service.name, cut at ingest like every attribute value),
 * so every service the API lists can be asked about.
 */
export const MAX_SERVICE_NAME_LENGTH = DEFAULT_INPUT_LIMITS.maxAttributeValueLength;

/** A name taken from the URL path (a service): 1 to `maxLength` characters. */
export function pathName(raw: unknown, name: string, maxLength = MAX_SERVICE_NAME_LENGTH): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new ValidationError(`${name} must not be empty`, name);
  if (raw.length > maxLength) throw new ValidationError(`${name} is longer than ${maxLength} characters`, name);
  noNul(raw, name);
  return raw;
}

export function spanIdParam(raw: unknown, name = 'spanId'): string {
  if (typeof raw !== 'string' || !SPAN_ID.test(raw) || /^0+$/.test(raw)) {
    throw new ValidationError(`${name} must be 16 hex digits (not all zero)`, name);
  }
  return raw.toLowerCase();
}

/** `true` or `false` (also 1 / 0); `fallback` when absent. */
export function optionalBoolean(query: Query, name: string, fallback = false): boolean {
  const raw = optionalString(query, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ValidationError(`${name} must be true or false, got "${shown(raw)}"`, name);
}

/** A dashboard id from the URL path: the id pattern of dashboards/dashboard.schema.json. */
export const DASHBOARD_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function dashboardIdParam(raw: unknown, name = 'id'): string {
  if (typeof raw !== 'string' || !DASHBOARD_ID.test(raw)) {
    throw new ValidationError(`${name} must be a dashboard id: 1 to 63 lowercase letters, digits and -, not starting with -`, name);
  }
  return raw;
}
