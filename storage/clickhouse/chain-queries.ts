/**
 * Read queries for chain assembly (trace summaries by id, slowest business-key
 * values), built only from quote.ts like queries.ts. Pure functions.
 */
import { CHAIN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { TimeWindow } from '../../core/model';
import { qualifiedName, quoteInList, quoteString, quoteUInt } from './quote';
import { dayOf, TABLES, TRACE_SUMMARY_AGGREGATES } from './schema';

/**
 * Up to this many ids, traceSummaries merges the traces' spans rather than their trace_summaries rows: each id
 * reads one 8,192-row granule per part either way, and decoding a granule of aggregate states (uniqExact sets,
 * groupUniqArray) costs several times reading a granule of eight plain span columns (30 traces at 10 M spans:
 * 137 MiB and 0.5–1.1 s against 22 MiB and 0.1–0.5 s under load). More ids touch most granules of a part, where
 * the summaries table, a tenth of the rows, is the smaller read (the write path's order roll-up asks for a
 * batch's traces).
 */
export const SUMMARIES_FROM_SPANS_MAX_IDS = 100;

/**
 * The exact summary of each trace, merged across all its partitions: from its spans (replayed copies change no
 * min, max, uniqExact or set) or from the replay-proof states of trace_summaries, the materialized view of the
 * same expressions, by the number of ids. PREWHERE: a condition on the primary key alone is not moved there, and
 * then every column of the matching granules is read and decoded (291 MiB against 81 MiB of summaries for 30
 * traces at 5.6 M spans).
 */
export function traceSummariesSql(db: string, traceIds: readonly string[]): string {
  const fromSpans = traceIds.length <= SUMMARIES_FROM_SPANS_MAX_IDS;
  const columns = TRACE_SUMMARY_AGGREGATES.map((a) => (fromSpans ? `${a.fn}(${a.args}) AS ${a.answer}` : `${a.fn}Merge(${a.state}) AS ${a.answer}`)).join(',\n  ');
  return `SELECT
  trace_id,
  ${columns}
FROM ${qualifiedName(db, fromSpans ? TABLES.spans : TABLES.traceSummaries)}
PREWHERE trace_id IN ${quoteInList(traceIds)}
GROUP BY trace_id
LIMIT ${quoteUInt(CHAIN_READ_LIMITS.summaryTraceIds)}`;
}

/**
 * Values of `key` whose first occurrence is in the window, with the span of
 * the traces that carry them. Candidates come from the key table narrowed by
 * day and time (an occurrence in the window); the first occurrence and the
 * trace summaries are then merged over all partitions, so a value or trace
 * that began before the window is judged on its whole history.
 */
export function slowestBusinessKeysSql(db: string, key: string, window: TimeWindow, limit: number): string {
  const keys = qualifiedName(db, TABLES.businessKeys);
  const inWindow: string[] = [`key = ${quoteString(key)}`];
  if (window.startUs !== undefined) {
    inWindow.push(`day >= ${dayOf(`toUInt64(${quoteUInt(window.startUs)})`)}`, `time_us >= ${quoteUInt(window.startUs)}`);
  }
  if (window.endUs !== undefined) {
    inWindow.push(`day <= ${dayOf(`toUInt64(${quoteUInt(window.endUs)})`)}`, `time_us <= ${quoteUInt(window.endUs)}`);
  }
  const candidates = `SELECT DISTINCT value FROM ${keys} WHERE ${inWindow.join(' AND ')} LIMIT ${quoteUInt(CHAIN_READ_LIMITS.slowestCandidates)}`;
  const having = window.startUs === undefined ? '' : `\nHAVING value_first_us >= ${quoteUInt(window.startUs)}`;
  return `SELECT
  value,
  min(key_first_us) AS value_first_us,
  min(trace_start_us) AS chain_start_us,
  max(trace_end_us) AS chain_end_us,
  groupUniqArray(trace_id) AS trace_ids
FROM (
  SELECT value, trace_id, min(time_us) AS key_first_us
  FROM ${keys}
  WHERE key = ${quoteString(key)} AND value IN (${candidates})
  GROUP BY value, trace_id
) ANY INNER JOIN (
  SELECT trace_id, minMerge(start_min) AS trace_start_us, maxMerge(end_max) AS trace_end_us
  FROM ${qualifiedName(db, TABLES.traceSummaries)}
  WHERE trace_id IN (SELECT trace_id FROM ${keys} WHERE key = ${quoteString(key)} AND value IN (${candidates}))
  GROUP BY trace_id
) USING trace_id
GROUP BY value${having}
ORDER BY chain_end_us - chain_start_us DESC, value
LIMIT ${quoteUInt(limit)}`;
}
