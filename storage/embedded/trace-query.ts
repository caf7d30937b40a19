import type Database from 'better-sqlite3';
import type { TraceQuery } from '../../core/contracts/span-store';
import { compareMatchingSpans, descending, MAX_MATCHING_SPANS, type MatchingSpan, type SpanConditions, type TraceCursor, type TraceSort } from '../../core/contracts/trace-search';
import { intToStatus, STATUS_ERROR, statusToInt } from './codec';
import type { EmbeddedDatabase } from './database';

/** SQL conditions with their parameters, in order. */
export interface SqlFilter {
  where: string[];
  params: unknown[];
}

/** The sort key of a trace row `t`. */
function keyColumn(sort: TraceSort): string {
  return sort === 'newest' || sort === 'oldest' ? 't.start_us' : '(t.end_us - t.start_us)';
}

/** ORDER BY of a trace search on `t` (ties by trace id, in the key's direction). */
export function traceOrder(sort: TraceSort): string {
  const dir = descending(sort) ? 'DESC' : 'ASC';
  return `ORDER BY ${keyColumn(sort)} ${dir}, t.trace_id ${dir}`;
}

/** Traces after the cursor in the sort's order (the first condition lets the start index bound the walk). */
export function afterCursor(sort: TraceSort, cursor: TraceCursor): SqlFilter {
  const key = keyColumn(sort);
  const [cmp, cmpOrEqual] = descending(sort) ? ['<', '<='] : ['>', '>='];
  return {
    where: [`${key} ${cmpOrEqual} ?`, `(${key} ${cmp} ? OR t.trace_id ${cmp} ?)`],
    params: [cursor.key, cursor.key, cursor.traceId],
  };
}

/** Conditions on a span row `s` for the span-level conditions. */
export function spanWhere(c: SpanConditions): SqlFilter {
  const where: string[] = [];
  const params: unknown[] = [];
  const ops = operationWhere(c);
  if (ops) {
    where.push(`s.op_id IN (SELECT id FROM operations WHERE ${ops.where.join(' AND ')})`);
    params.push(...ops.params);
  }
  if (c.status !== undefined) {
    where.push('s.status_code = ?');
    params.push(statusToInt(c.status));
  }
  if (c.minDurationUs !== undefined) {
    where.push('s.duration_us >= ?');
    params.push(c.minDurationUs);
  }
  if (c.maxDurationUs !== undefined) {
    where.push('s.duration_us <= ?');
    params.push(c.maxDurationUs);
  }
  return { where, params };
}

function operationWhere(c: SpanConditions): SqlFilter | undefined {
  if (c.service === undefined && c.operation === undefined) return undefined;
  const where: string[] = [];
  const params: unknown[] = [];
  if (c.service !== undefined) {
    where.push('service = ?');
    params.push(c.service);
  }
  if (c.operation !== undefined) {
    where.push('name = ?');
    params.push(c.operation);
  }
  return { where, params };
}

/**
 * A trace `t` has a span meeting the conditions. The cheap summaries answer first: trace_ops for
 * service/operation, error_count for "any span errored"; the trace's spans (one key range) are
 * read only for status or span duration.
 */
export function hasMatchingSpan(c: SpanConditions): SqlFilter {
  const where: string[] = [];
  const params: unknown[] = [];
  const ops = operationWhere(c);
  if (ops) {
    where.push(`EXISTS (SELECT 1 FROM trace_ops o WHERE o.trace_ref = t.id AND o.op_id IN (SELECT id FROM operations WHERE ${ops.where.join(' AND ')}))`);
    params.push(...ops.params);
  }
  if (c.status === 'error') where.push('t.error_count > 0');
  const needsSpans = c.minDurationUs !== undefined || c.maxDurationUs !== undefined || (c.status !== undefined && (c.status !== 'error' || ops !== undefined));
  if (needsSpans) {
    const spans = spanWhere(c);
    where.push(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_ref = t.id AND ${spans.where.join(' AND ')})`);
    params.push(...spans.params);
  }
  return { where, params };
}

interface MatchingRow {
  span_id: string;
  op_id: number;
  start_us: number;
  duration_us: number;
  status_code: number;
}

/** Reads the matching spans of hits (at most MAX_MATCHING_SPANS each), with one statement per condition shape. */
export class MatchingSpanReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly edb: EmbeddedDatabase) {}

  read(traceRef: number, c: SpanConditions): MatchingSpan[] {
    const filter = spanWhere(c);
    const sql =
      `SELECT s.span_id, s.op_id, s.start_us, s.duration_us, s.status_code FROM spans s WHERE s.trace_ref = ?` +
      filter.where.map((w) => ` AND ${w}`).join('') +
      ` ORDER BY s.status_code = ${STATUS_ERROR} DESC, s.duration_us DESC, s.span_id LIMIT ${MAX_MATCHING_SPANS}`;
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.edb.db.prepare(sql);
      this.statements.set(sql, stmt); // a handful of shapes: which conditions are present
    }
    const rows = stmt.all(traceRef, ...filter.params) as MatchingRow[];
    return rows
      .map((r): MatchingSpan => {
        const op = this.edb.operation(r.op_id);
        return { spanId: r.span_id, service: op.service, name: op.name, startUs: r.start_us, durationUs: r.duration_us, status: intToStatus(r.status_code) };
      })
      .sort(compareMatchingSpans);
  }
}
