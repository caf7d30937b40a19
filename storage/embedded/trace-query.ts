import { descending, type SpanConditions, type TraceCursor, type TraceSort } from '../../core/contracts/trace-search';
import { statusToInt } from './codec';
import { chunksOfTrace } from './span-chunk';

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
 * service/operation, error_count for "any span errored"; the trace's span chunks (one key range)
 * are scanned only for status or span duration, through their facts (cs_span_match, span-chunk.ts).
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
    const match = chunkHasMatchingSpan('s.facts', c);
    where.push(`EXISTS (SELECT 1 FROM span_chunks s WHERE ${chunksOfTrace('s.id', 't.id')} AND ${match.where[0]})`);
    params.push(...match.params);
  }
  return { where, params };
}

/** A chunk whose facts are in column `facts` has a span meeting every one of the conditions (cs_span_match). */
export function chunkHasMatchingSpan(facts: string, c: SpanConditions): SqlFilter {
  const ops = operationWhere(c);
  // the operations' ids as one JSON array: an uncorrelated subquery, evaluated once per statement
  const opIds = ops ? `(SELECT json_group_array(id) FROM operations WHERE ${ops.where.join(' AND ')})` : 'NULL';
  return {
    where: [`cs_span_match(${facts}, ${opIds}, ?, ?, ?)`],
    params: [...(ops?.params ?? []), c.status === undefined ? null : statusToInt(c.status), c.minDurationUs ?? null, c.maxDurationUs ?? null],
  };
}
