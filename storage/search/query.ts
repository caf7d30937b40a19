import type { LogQuery, TextQuery } from '../../core/contracts/log-store';
import { ValidationError } from '../../core/errors';
import type { LogRecord } from '../../core/model';

/**
 * Query translation: LogQuery → Elasticsearch/OpenSearch query DSL.
 *
 * User text reaches the engine only as the value of `match_phrase` (body) and
 * `term` (keyword fields) clauses. Neither parses query syntax, so `*:*`,
 * `OR`, quotes, backslashes and `{!lucene}` are words to look for, never
 * operators. No `query_string`, `simple_query_string`, `regexp`, `wildcard`
 * or scripts are built from user input, ever.
 */
export const SEARCH_READ_LIMITS = {
  /** = index.max_result_window default; deeper pages need search_after. */
  search: 10_000,
  /** `total` counts at most this many matches (track_total_hits), then reports a lower bound. */
  countCap: 10_000,
  byTrace: 10_000,
  contextSide: 1_000,
} as const;

export function checkLimit(limit: number, max: number, parameter = 'limit'): number {
  if (!Number.isInteger(limit) || limit < 0) throw new ValidationError(`${parameter} must be a non-negative integer`, parameter);
  return Math.min(limit, max);
}

/**
 * True when `text` holds at least one letter, digit or private-use character,
 * i.e. the body analyzer (standard tokenizer) finds a word in it. A part
 * without words is dropped, exactly as the embedded store drops it; a query
 * left with no part at all matches nothing rather than everything.
 */
export function hasTokens(text: string): boolean {
  return /[\p{L}\p{N}\p{Co}]/u.test(text);
}

type Clause = Record<string, unknown>;

/**
 * Every term and every phrase must occur in the body. Each one becomes its
 * own `match_phrase`: a term the analyzer splits (`ORD-1` → `ord`, `1`) must
 * then occur as adjacent words, as it does in the embedded FTS5 store; a
 * one-word term is a plain term lookup. Returns null when nothing searchable
 * is left.
 */
export function textClauses(text: TextQuery): Clause[] | null {
  const clauses: Clause[] = [];
  for (const part of [...text.terms, ...text.phrases]) {
    if (hasTokens(part)) clauses.push({ match_phrase: { body: { query: part } } });
  }
  return clauses.length ? clauses : null;
}

export function hasTextCriteria(text: TextQuery | undefined): text is TextQuery {
  return !!text && text.terms.length + text.phrases.length > 0;
}

const term = (field: string, value: string | number): Clause => ({ term: { [field]: { value } } });

export const NEWEST_FIRST = [{ time_us: { order: 'desc' } }, { id: { order: 'desc' } }];
export const OLDEST_FIRST = [{ time_us: { order: 'asc' } }, { id: { order: 'asc' } }];

/** The search body for `query`, or null when the text has nothing searchable (the answer is "no match"). */
export function buildSearchBody(query: LogQuery): Record<string, unknown> | null {
  const limit = checkLimit(query.limit, SEARCH_READ_LIMITS.search);
  const filter: Clause[] = [];
  if (hasTextCriteria(query.text)) {
    const clauses = textClauses(query.text);
    if (clauses === null) return null;
    filter.push(...clauses);
  }
  if (query.service !== undefined) filter.push(term('service', query.service));
  if (query.severity !== undefined) filter.push(term('severity_text.lc', query.severity.toLowerCase()));
  if (query.traceId) filter.push(term('trace_id', query.traceId));
  if (query.spanId) filter.push(term('span_id', query.spanId));
  if (query.startUs !== undefined || query.endUs !== undefined) {
    const range: Record<string, number> = {};
    if (query.startUs !== undefined) range.gte = checkTime(query.startUs, 'startUs');
    if (query.endUs !== undefined) range.lte = checkTime(query.endUs, 'endUs');
    filter.push({ range: { time_us: range } });
  }
  return {
    query: filter.length ? { bool: { filter } } : { match_all: {} },
    sort: NEWEST_FIRST,
    size: limit,
    track_total_hits: SEARCH_READ_LIMITS.countCap,
  };
}

function checkTime(us: number, parameter: string): number {
  if (!Number.isFinite(us)) throw new ValidationError(`${parameter} must be a number of microseconds`, parameter);
  return us;
}

/** Logs of a trace (optionally one span), oldest first; null when there is nothing to look for. */
export function buildByTraceBody(traceId: string, limit: number, spanId?: string): Record<string, unknown> | null {
  const size = checkLimit(limit, SEARCH_READ_LIMITS.byTrace);
  if (!traceId) return null;
  const filter = [term('trace_id', traceId)];
  if (spanId) filter.push(term('span_id', spanId));
  return { query: { bool: { filter } }, sort: OLDEST_FIRST, size, track_total_hits: false };
}

/** Finds the record `context` is anchored on. */
export function buildAnchorBody(logId: string): Record<string, unknown> {
  return { query: { bool: { filter: [term('id', logId)] } }, size: 1, track_total_hits: false };
}

/**
 * The records of the anchor's service strictly before it (newest first, to be
 * reversed) and strictly after it (oldest first), in (time_us, id) order:
 * `search_after` with the anchor's sort values is exactly that tuple comparison.
 */
export function buildContextBodies(
  anchor: Pick<LogRecord, 'id' | 'timeUs' | 'service'>,
  before: number,
  after: number,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b = checkLimit(before, SEARCH_READ_LIMITS.contextSide, 'before');
  const a = checkLimit(after, SEARCH_READ_LIMITS.contextSide, 'after');
  const query = { bool: { filter: [term('service', anchor.service)] } };
  const searchAfter = [anchor.timeUs, anchor.id];
  return {
    before: { query, sort: NEWEST_FIRST, search_after: searchAfter, size: b, track_total_hits: false },
    after: { query, sort: OLDEST_FIRST, search_after: searchAfter, size: a, track_total_hits: false },
  };
}

/** `total` and `totalIsLowerBound` from hits.total (object form; a bare number from older servers). */
export function parseTotal(
  total: { value: number; relation: 'eq' | 'gte' } | number | undefined,
  fallback: number,
): { total: number; totalIsLowerBound: boolean } {
  if (typeof total === 'number') return { total, totalIsLowerBound: false };
  if (!total) return { total: fallback, totalIsLowerBound: false };
  return { total: total.value, totalIsLowerBound: total.relation === 'gte' };
}
