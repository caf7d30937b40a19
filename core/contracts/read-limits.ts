import { ValidationError } from '../errors';
import { minuteOf, MINUTE_US } from '../topology';

/**
 * Caps every store applies to its reads, part of the SpanStore / LogStore
 * contracts (as Jaeger keeps its search limits in its storage API package):
 * each backend reads them from here, so no two backends can answer the same
 * question with a different number of rows. A `limit` argument above its cap
 * is lowered to the cap (checkLimit); a list argument over its cap is a
 * ValidationError.
 */

/** Span-store reads. */
export const SPAN_READ_LIMITS = {
  /** Spans getTrace returns at most (and getTraces per trace). */
  spansPerTrace: 100_000,
  /** Trace ids one getTraces call may take. */
  traceIdsPerRead: 100,
  /** Names services() returns at most. */
  services: 10_000,
  /** Names operations(service) returns at most. */
  operationsPerService: 10_000,
  /** Trace ids one linkedTraces call may take. */
  linkedTraceIds: 1_000,
  /** Joins one linkedTraces call returns at most. */
  linkedTraceRows: 10_000,
  /** findTraces and tracesByBusinessKey limits. */
  findTraces: 10_000,
} as const;

/** Span-store reads for chain assembly. */
export const CHAIN_READ_LIMITS = {
  /** Trace ids one traceSummaries call may take. */
  summaryTraceIds: 1_000,
  /** slowestBusinessKeys limit. */
  slowestKeys: 1_000,
  /** Distinct values first looked at by slowestBusinessKeys; a window with more is ranked over these. */
  slowestCandidates: 100_000,
  /** Trace ids slowestBusinessKeys lists per value at most. */
  traceIdsPerValue: 1_000,
} as const;

/** Order roll-up reads (orderMinutes, slowestOrders). */
export const ORDER_READ_LIMITS = {
  /** Minutes one read may span (a week). */
  windowMinutes: 7 * 24 * 60,
  /** slowestOrders limit. */
  slowestOrders: 1_000,
} as const;

/**
 * The whole minutes an order roll-up read touches (core/topology.ts minutes), after checking the window:
 * both bounds, start ≤ end, at most ORDER_READ_LIMITS.windowMinutes (else ValidationError naming the bound).
 */
export function orderReadMinutes(window: { startUs?: number; endUs?: number }): { first: number; last: number } {
  const { startUs, endUs } = window;
  if (startUs === undefined || endUs === undefined || !Number.isFinite(startUs) || !Number.isFinite(endUs)) {
    throw new ValidationError('an order roll-up read needs both window bounds', startUs === undefined ? 'startUs' : 'endUs');
  }
  if (endUs < startUs) throw new ValidationError('window end is before its start', 'endUs');
  const first = minuteOf(startUs);
  const last = minuteOf(endUs);
  if ((last - first) / MINUTE_US + 1 > ORDER_READ_LIMITS.windowMinutes) {
    throw new ValidationError(`an order roll-up read spans at most ${ORDER_READ_LIMITS.windowMinutes} minutes`, 'startUs');
  }
  return { first, last };
}

/** Log-store reads. */
export const LOG_READ_LIMITS = {
  /** search limit (Elasticsearch/OpenSearch's default index.max_result_window; deeper pages use the cursor). */
  search: 10_000,
  /** `total` counts at most this many matches, then reports a lower bound. */
  countCap: 10_000,
  /** byTrace limit. */
  byTrace: 10_000,
  /** context before / after, each. */
  contextSide: 1_000,
  /** facets limit. */
  facets: 1_000,
  /** Services one bursts read returns at most (a dashboard panel's largest `limit`). */
  burstServices: 50,
  /** Messages per service one bursts read returns at most. */
  burstMessages: 10,
  /**
   * Newest records per service a bursts read groups into messages: OpenSearch's and Elasticsearch's default
   * index.max_inner_result_window, the most a top_hits aggregation returns per bucket.
   */
  burstSample: 100,
} as const;

/** A read's `limit` argument: a non-negative whole number (else ValidationError naming `parameter`), lowered to `max`. */
export function checkLimit(limit: number, max: number, parameter = 'limit'): number {
  if (!Number.isInteger(limit) || limit < 0) throw new ValidationError(`${parameter} must be a non-negative integer`, parameter);
  return Math.min(limit, max);
}

/** A read's list of trace ids: at most `max` (else ValidationError naming `traceIds` and the method). */
export function checkTraceIds(method: string, traceIds: readonly string[], max: number): void {
  if (traceIds.length > max) throw new ValidationError(`${method} takes at most ${max} trace ids (got ${traceIds.length})`, 'traceIds');
}
