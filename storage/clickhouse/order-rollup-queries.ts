/**
 * Queries of the order roll-up (order-rollup-schema.ts), built only from
 * quote.ts like queries.ts. Pure functions.
 */
import { ORDER_FACT_TRACES } from '../../core/analysis/order-facts';
import { qualifiedName, quoteInList, quoteString, quoteUInt } from './quote';
import { ORDER_TABLES } from './order-rollup-schema';
import { TABLES } from './schema';

/** The rolled-up orders the given traces carry. */
export function ordersOfTracesSql(db: string, traceIds: readonly string[]): string {
  return `SELECT DISTINCT key, value FROM ${qualifiedName(db, ORDER_TABLES.traces)} WHERE trace_id IN ${quoteInList(traceIds)}`;
}

/** The traces of each order a fact is made of: its first ORDER_FACT_TRACES trace ids (the embedded store takes the same ones). */
export function tracesOfOrdersSql(db: string, key: string, values: readonly string[]): string {
  return `SELECT value, arraySlice(arraySort(groupUniqArray(trace_id)), 1, ${quoteUInt(ORDER_FACT_TRACES)}) AS trace_ids
FROM ${qualifiedName(db, TABLES.businessKeys)}
WHERE key = ${quoteString(key)} AND value IN ${quoteInList(values)}
GROUP BY value`;
}

/** The stored fact of each order (the newest version). */
export function currentFactsSql(db: string, key: string, values: readonly string[]): string {
  return `SELECT value, argMax(start_us, version) AS fact_start_us, argMax(end_us, version) AS fact_end_us,
  argMax(failed, version) AS fact_failed, argMax(stages, version) AS fact_stages, argMax(trace_ids, version) AS fact_trace_ids
FROM ${qualifiedName(db, ORDER_TABLES.current)}
WHERE key = ${quoteString(key)} AND value IN ${quoteInList(values)}
GROUP BY value`;
}

/** The minute sums of `key` from minute `first` to `last` (whole minutes, µs), rows summing to nothing left out. */
export function orderMinutesSql(db: string, key: string, first: number, last: number): string {
  return `SELECT minute, stage, bucket, sum(orders) AS sum_orders, sum(failed) AS sum_failed, sum(offset_us) AS sum_offset_us
FROM ${qualifiedName(db, ORDER_TABLES.minutes)}
WHERE key = ${quoteString(key)} AND minute >= ${quoteUInt(first)} AND minute <= ${quoteUInt(last)}
GROUP BY minute, stage, bucket
HAVING sum_orders != 0 OR sum_failed != 0 OR sum_offset_us != 0
ORDER BY minute, stage, bucket`;
}

/** Which rows of order_slow a slowest-orders read looks at. */
export interface SlowOrderRead {
  key: string;
  /** Minutes `first`..`last` (µs) holding the window [startUs, endUs]. */
  span: { first: number; last: number; startUs: number; endUs: number };
  failedOnly: boolean;
}

function slowOrderWhere(r: SlowOrderRead): string {
  return [`key = ${quoteString(r.key)}`, `minute >= ${quoteUInt(r.span.first)}`, `minute <= ${quoteUInt(r.span.last)}`, ...(r.failedOnly ? ['failed = 1'] : [])].join(
    ' AND ',
  );
}

/**
 * The slowest orders first seen in [startUs, endUs] (minutes `first`..`last`), each order's newest fact in its
 * minute; a minute the order left holds a `deleted` row. A fact's duration only grows and its failed flag never
 * clears, so an order's newest fact is the slowest row of its (value, minute) and passes every filter an older
 * one passes. `candidateRows`: only the orders named by the window's `candidateRows` slowest rows (any version,
 * deleted or not; a top-N sort of small columns), grouped: when `limit` of them are live facts of the window,
 * they are the answer (every order ranking above the last of them has a row among those), at a tenth of the
 * cost of grouping every order of the window (PREWHERE: the other columns are read only where they are).
 */
export function slowestOrdersSql(db: string, r: SlowOrderRead, limit: number, candidateRows?: number): string {
  const table = qualifiedName(db, ORDER_TABLES.slow);
  const where = slowOrderWhere(r);
  const candidates =
    candidateRows === undefined
      ? ''
      : `PREWHERE value IN (SELECT value FROM ${table} WHERE ${where} ORDER BY duration_us DESC, value, minute LIMIT ${quoteUInt(candidateRows)})\n`;
  return `SELECT value, argMax(start_us, version) AS fact_start_us, argMax(end_us, version) AS fact_end_us,
  argMax(trace_ids, version) AS fact_trace_ids, argMax(deleted, version) AS fact_deleted
FROM ${table}
${candidates}WHERE ${where}
GROUP BY value, minute
HAVING fact_deleted = 0 AND fact_start_us >= ${quoteUInt(r.span.startUs)} AND fact_start_us <= ${quoteUInt(r.span.endUs)}
ORDER BY fact_end_us - fact_start_us DESC, value
LIMIT ${quoteUInt(limit)}`;
}
