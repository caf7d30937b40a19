import type { FacetField, LogFilterQuery, LogQuery, TextQuery } from '../../core/contracts/log-store';
import { checkLimit, LOG_READ_LIMITS } from '../../core/contracts/read-limits';
import type { LogQlNode, MatchNode, PatternPart, RangeNode, TextNode } from '../../core/logql/ast';
import { NUMERIC_MARK, sortableNumber } from './mappings';
import { ValidationError } from '../../core/errors';
import type { LogRecord } from '../../core/model';

/**
 * Query translation: LogQuery → Elasticsearch/OpenSearch query DSL.
 *
 * User text reaches the engine only as the value of `match_phrase` (body) and
 * `term` (keyword fields) clauses. Neither parses query syntax, so `*:*`,
 * `OR`, quotes, backslashes and `{!lucene}` are words to look for, never
 * operators. No `query_string`, `simple_query_string` or scripts are built
 * from user input, ever; `wildcard` only gets values whose own `*`, `?` and
 * `\` are escaped (the wildcards are ours, from the parsed AST), and
 * `regexp` only appears as a terms-aggregation filter over an escaped name.
 */
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

/** Matches nothing (a word with no tokens, e.g. "(" or "*"): the same answer as the embedded store. */
const NONE: Clause = { bool: { must_not: [{ match_all: {} }] } };

/** Lowercase, diacritics folded: what the body analyzer makes of a single token. */
function foldToken(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function textClause(node: TextNode): Clause {
  if (!hasTokens(node.value)) return NONE;
  if (!node.prefix) return { match_phrase: { body: { query: node.value } } };
  const tokens = node.value.match(/[\p{L}\p{N}\p{Co}]+/gu) ?? [];
  if (tokens.length === 1) return { prefix: { body: { value: foldToken(tokens[0]) } } };
  return { match_phrase_prefix: { body: { query: node.value, max_expansions: 1000 } } };
}

/** A Lucene wildcard pattern: our `*`/`?` as wildcards, the user's characters escaped. */
export function wildcardPattern(parts: PatternPart[], prefix = ''): string {
  const escape = (t: string) => t.replace(/[\\*?]/g, (c) => `\\${c}`);
  return escape(prefix) + parts.map((p) => ('literal' in p ? escape(p.literal) : p.any === 'one' ? '?' : '*')).join('');
}

/** term / prefix / wildcard on a keyword field; `prefix` is our own key part (`order.id=`). */
function keywordMatch(field: string, node: MatchNode, prefix = '', lower = false): Clause {
  const fold = (t: string) => (lower ? t.toLowerCase() : t);
  if (!node.pattern) return term(field, prefix + fold(node.value));
  const parts = node.pattern.map((p) => ('literal' in p ? { literal: fold(p.literal) } : p));
  const [first, second] = parts;
  if (parts.length === 2 && 'literal' in first && 'any' in second && second.any === 'rest') {
    return { prefix: { [field]: { value: prefix + first.literal } } };
  }
  return { wildcard: { [field]: { value: wildcardPattern(parts, prefix) } } };
}

function matchClause(node: MatchNode): Clause {
  const f = node.field;
  switch (f.kind) {
    case 'service':
    case 'trace_id':
    case 'span_id':
      return keywordMatch(f.kind, node);
    case 'severity':
      return keywordMatch('severity_text.lc', node, '', true);
    case 'host':
      return keywordMatch('resource_kv', node, 'host.name=');
    case 'attribute':
      return keywordMatch('attr_kv', node, `${f.name}=`);
    case 'time':
      return NONE;
  }
}

function rangeClause(node: RangeNode): Clause {
  const f = node.field;
  const r: Record<string, unknown> = {};
  if (f.kind === 'time' || f.kind === 'severity') {
    for (const k of ['gt', 'gte', 'lt', 'lte'] as const) if (node[k] !== undefined) r[k] = node[k];
    return { range: { [f.kind === 'time' ? 'time_us' : 'severity_number']: r } };
  }
  if (f.kind !== 'attribute') return NONE;
  // numeric attributes are indexed as `name=\u0001<sortable hex>`: a range over those strings is the numeric range
  const key = `${f.name}=${NUMERIC_MARK}`;
  for (const k of ['gt', 'gte', 'lt', 'lte'] as const) if (node[k] !== undefined) r[k] = key + sortableNumber(node[k]!);
  if (node.gt === undefined && node.gte === undefined) r.gte = key;
  if (node.lt === undefined && node.lte === undefined) r.lte = key + 'g';
  return { range: { attr_kv: r } };
}

/** LogQlNode → query DSL. */
export function filterClause(node: LogQlNode): Clause {
  switch (node.type) {
    case 'and':
      return { bool: { filter: node.children.map(filterClause) } };
    case 'or':
      return { bool: { should: node.children.map(filterClause), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [filterClause(node.child)] } };
    case 'text':
      return textClause(node);
    case 'match':
      return matchClause(node);
    case 'range':
      return rangeClause(node);
  }
}

/** The bool query of a query's filters, or null when the legacy text has nothing searchable. */
export function buildQueryClause(query: LogFilterQuery): Clause | null {
  const filter: Clause[] = [];
  if (hasTextCriteria(query.text)) {
    const clauses = textClauses(query.text);
    if (clauses === null) return null;
    filter.push(...clauses);
  }
  if (query.filter) filter.push(filterClause(query.filter));
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
  return filter.length ? { bool: { filter } } : { match_all: {} };
}

/** Non-empty `intervalUs` buckets of time_us with the severity numbers in each (folded into severity groups by the store). */
function histogramAgg(intervalUs: number): Clause {
  return {
    histogram: { field: 'time_us', interval: intervalUs, min_doc_count: 1 },
    aggs: { sn: { terms: { field: 'severity_number', size: 100 } } },
  };
}

/** Facet order: count descending, then value ascending. */
const FACET_ORDER = [{ _count: 'desc' }, { _key: 'asc' }];

/** Severity numbers per bucket; folded into severity groups by the store. */
export function buildHistogramBody(query: LogFilterQuery, intervalUs: number): Record<string, unknown> | null {
  const q = buildQueryClause(query);
  if (q === null) return null;
  return { query: q, size: 0, track_total_hits: false, aggs: { t: histogramAgg(intervalUs) } };
}

/** Fields of a record a bursts read needs for its messages. */
const BURST_SOURCE = ['id', 'time_us', 'service', 'severity_text', 'body', 'trace_id'];

/**
 * One request for LogStore.bursts: the top `services` services (`facets` order), in each the histogram
 * and, unless `sample` is 0, the newest `sample` records (time, then id, descending; a top_hits per service).
 */
export function buildBurstsBody(query: LogFilterQuery, intervalUs: number, services: number, sample: number): Record<string, unknown> | null {
  const q = buildQueryClause(query);
  if (q === null) return null;
  const aggs: Record<string, Clause> = { t: histogramAgg(intervalUs) };
  if (sample > 0) aggs.m = { top_hits: { size: sample, sort: NEWEST_FIRST, _source: { includes: BURST_SOURCE } } };
  return { query: q, size: 0, track_total_hits: false, aggs: { s: { terms: { field: 'service', size: services, order: FACET_ORDER }, aggs } } };
}

/** Lucene regular expression matching `text` literally. */
function regexLiteral(text: string): string {
  return text.replace(/[.?+*|{}[\]()"\\#@&<>~\-/$^]/g, (c) => `\\${c}`);
}

/** Terms aggregation of a facet field; `strip` is the key prefix to remove from each bucket key. */
export function buildFacetsBody(query: LogFilterQuery, field: FacetField, limit: number): { body: Record<string, unknown>; strip: string } | null {
  const q = buildQueryClause(query);
  if (q === null) return null;
  let terms: Record<string, unknown>;
  let strip = '';
  if (field.kind === 'service') terms = { field: 'service' };
  else if (field.kind === 'severity') terms = { field: 'severity_text' };
  else {
    strip = `${field.kind === 'attribute' ? field.name : 'host.name'}=`;
    terms = {
      field: field.kind === 'host' ? 'resource_kv' : 'attr_kv',
      include: `${regexLiteral(strip)}.*`,
      exclude: `${regexLiteral(strip + NUMERIC_MARK)}.*`,
    };
  }
  return {
    body: { query: q, size: 0, track_total_hits: false, aggs: { f: { terms: { ...terms, size: limit, order: FACET_ORDER } } } },
    strip,
  };
}

/** The search body for `query`, or null when the text has nothing searchable (the answer is "no match"). */
export function buildSearchBody(query: LogQuery): Record<string, unknown> | null {
  const limit = checkLimit(query.limit, LOG_READ_LIMITS.search);
  const q = buildQueryClause(query);
  if (q === null) return null;
  const body: Record<string, unknown> = {
    query: q,
    sort: query.sort === 'time_asc' ? OLDEST_FIRST : NEWEST_FIRST,
    size: limit,
    track_total_hits: LOG_READ_LIMITS.countCap,
  };
  if (query.cursor) body.search_after = [query.cursor.timeUs, query.cursor.id];
  return body;
}

function checkTime(us: number, parameter: string): number {
  if (!Number.isFinite(us)) throw new ValidationError(`${parameter} must be a number of microseconds`, parameter);
  return us;
}

/** Logs of a trace (optionally one span), oldest first; null when there is nothing to look for. */
export function buildByTraceBody(traceId: string, limit: number, spanId?: string): Record<string, unknown> | null {
  const size = checkLimit(limit, LOG_READ_LIMITS.byTrace);
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
  const b = checkLimit(before, LOG_READ_LIMITS.contextSide, 'before');
  const a = checkLimit(after, LOG_READ_LIMITS.contextSide, 'after');
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
