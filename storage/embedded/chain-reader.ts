import type Database from 'better-sqlite3';
import { CHAIN_READ_LIMITS, checkLimit, checkTraceIds } from '../../core/contracts/read-limits';
import type { BusinessKeySpan } from '../../core/contracts/span-store';
import type { TimeWindow, TraceSummary } from '../../core/model';
import { TraceSummaryReader } from './trace-summary';
import type { EmbeddedDatabase } from './database';

interface SummaryRow {
  id: number;
  trace_id: string;
  start_us: number;
  end_us: number;
  span_count: number;
  error_count: number;
  root_op_id: number;
}

interface SlowRow {
  value: string;
  start_us: number;
  end_us: number;
  trace_ids: string;
}

/**
 * The reads chain assembly needs on top of SpanReader: trace summaries by id
 * and the slowest business-key values in a window. Both are index reads:
 * traces by its trace_id key, business_keys by (key, time_us) then its
 * primary key (key, value, trace_id).
 */
export class ChainReader {
  private readonly summariesStmt: Database.Statement<[string], SummaryRow>;
  private readonly summaries: TraceSummaryReader;
  private readonly slowestStmt: Database.Statement<[Record<string, unknown>], SlowRow>;

  constructor(edb: EmbeddedDatabase) {
    const db = edb.db;
    this.summariesStmt = db.prepare(
      `SELECT id, trace_id, start_us, end_us, span_count, error_count, root_op_id FROM traces
       WHERE trace_id IN (SELECT value FROM json_each(?)) AND span_count > 0`,
    );
    this.summaries = new TraceSummaryReader(edb);
    // candidates: values with an occurrence in the window (index business_keys_time);
    // a value counts when its first occurrence of all is in the window (min over all
    // its rows, read by primary key; a correlated subquery here would pick the time
    // index and scan the whole key per value)
    this.slowestStmt = db.prepare(
      `SELECT c.value AS value, min(t.start_us) AS start_us, max(t.end_us) AS end_us,
              json_group_array(t.trace_id) AS trace_ids
       FROM (SELECT DISTINCT value FROM business_keys
             WHERE key = @key AND time_us >= @startUs AND time_us <= @endUs LIMIT @cap) c
       JOIN business_keys b ON b.key = @key AND b.value = c.value
       LEFT JOIN traces t ON t.trace_id = b.trace_id AND t.span_count > 0
       GROUP BY c.value
       HAVING min(b.time_us) >= @startUs AND count(t.id) > 0
       ORDER BY max(t.end_us) - min(t.start_us) DESC, c.value
       LIMIT @limit`,
    );
  }

  traceSummaries(traceIds: string[]): TraceSummary[] {
    if (traceIds.length === 0) return [];
    checkTraceIds('traceSummaries', traceIds, CHAIN_READ_LIMITS.summaryTraceIds);
    return this.summariesStmt.all(JSON.stringify([...new Set(traceIds)])).map((r) => this.summaries.summaryOf(r));
  }

  slowestBusinessKeys(key: string, window: TimeWindow, limit: number): BusinessKeySpan[] {
    const n = checkLimit(limit, CHAIN_READ_LIMITS.slowestKeys);
    if (n === 0) return [];
    const rows = this.slowestStmt.all({
      key,
      startUs: window.startUs ?? 0,
      endUs: window.endUs ?? Number.MAX_SAFE_INTEGER,
      cap: CHAIN_READ_LIMITS.slowestCandidates,
      limit: n,
    });
    return rows.map((r) => ({
      value: r.value,
      traceIds: [...new Set((JSON.parse(r.trace_ids) as (string | null)[]).filter((id): id is string => id !== null))].slice(
        0,
        CHAIN_READ_LIMITS.traceIdsPerValue,
      ),
      startUs: r.start_us,
      endUs: r.end_us,
    }));
  }
}
