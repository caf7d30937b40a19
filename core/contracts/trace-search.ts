import type { StatusCode, TraceSummary } from '../model';

/**
 * What a trace search means, shared by every span store (the rules live here once):
 *
 * - A *matching span* is a span that meets every span-level condition the query gives: `service`,
 *   `operation`, `status`, and — only when an `operation` is given — `minDurationUs` / `maxDurationUs`
 *   (Jaeger's meaning: the duration of that operation's span). A trace matches only when one span
 *   meets them all together.
 * - Without an `operation`, `minDurationUs` / `maxDurationUs` apply to the trace (first span start to
 *   last span end). Time window and attribute filters always apply to the trace.
 * - `status: 'error'` with neither service nor operation is "any span of the trace has status error".
 */

/** Result orders of a trace search; `newest` is the default. */
export const TRACE_SORTS = ['newest', 'oldest', 'longest', 'shortest'] as const;
export type TraceSort = (typeof TRACE_SORTS)[number];

/** At most this many matching spans are returned per hit. */
export const MAX_MATCHING_SPANS = 3;

/**
 * Where the previous page ended: the sort key of its last hit (trace start for newest/oldest, trace
 * duration for longest/shortest, µs) and its trace id. Ties on the key are ordered by trace id, in
 * the same direction as the key, so a page after a cursor never repeats or skips a trace.
 */
export interface TraceCursor {
  key: number;
  traceId: string;
}

/** One span of a hit that met the span-level conditions (see above). */
export interface MatchingSpan {
  spanId: string;
  service: string;
  name: string;
  startUs: number;
  durationUs: number;
  status: StatusCode;
}

/**
 * A trace search hit: the trace summary and up to MAX_MATCHING_SPANS of its matching spans, errors
 * first, then longest first, then by span id. With attribute filters and no span-level condition:
 * the spans whose span or resource attributes carry one of the pairs (a pair found only in an event
 * or as a business key names no span). [] when the query has neither.
 */
export interface TraceHit extends TraceSummary {
  matchingSpans: MatchingSpan[];
}

/** The span-level conditions of a query: what one matching span must meet. */
export interface SpanConditions {
  service?: string;
  operation?: string;
  status?: StatusCode;
  minDurationUs?: number;
  maxDurationUs?: number;
}

/** The query's span-level conditions (the rules above), or undefined when it has none. */
export function spanConditions(q: {
  service?: string;
  operation?: string;
  status?: StatusCode;
  minDurationUs?: number;
  maxDurationUs?: number;
}): SpanConditions | undefined {
  if (q.service === undefined && q.operation === undefined && q.status === undefined) return undefined;
  const out: SpanConditions = {};
  if (q.service !== undefined) out.service = q.service;
  if (q.operation !== undefined) out.operation = q.operation;
  if (q.status !== undefined) out.status = q.status;
  if (q.operation !== undefined && q.minDurationUs !== undefined) out.minDurationUs = q.minDurationUs;
  if (q.operation !== undefined && q.maxDurationUs !== undefined) out.maxDurationUs = q.maxDurationUs;
  return out;
}

/** True when the query's duration bounds apply to the whole trace (no operation given). */
export function traceDurationApplies(q: { operation?: string }): boolean {
  return q.operation === undefined;
}

/** What a hit's place in a sort depends on. */
export type SortedHit = Pick<TraceSummary, 'traceId' | 'startUs' | 'durationUs'>;

/** The sort key of a hit, as a TraceCursor holds it. */
export function sortKey(sort: TraceSort, hit: SortedHit): number {
  return sort === 'newest' || sort === 'oldest' ? hit.startUs : hit.durationUs;
}

/** True when the sort puts the largest key first. */
export function descending(sort: TraceSort): boolean {
  return sort === 'newest' || sort === 'longest';
}

/** Compares two hits in a sort's order (ties by trace id, in the key's direction). */
export function compareHits(sort: TraceSort, a: SortedHit, b: SortedHit): number {
  const byKey = sortKey(sort, a) - sortKey(sort, b) || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);
  return descending(sort) ? -byKey : byKey;
}

/** Orders matching spans as a hit lists them: errors first, then longest, then by span id. */
export function compareMatchingSpans(a: MatchingSpan, b: MatchingSpan): number {
  const errorFirst = Number(b.status === 'error') - Number(a.status === 'error');
  return errorFirst || b.durationUs - a.durationUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}
