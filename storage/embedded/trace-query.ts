import { descending, type SpanConditions, type TraceCursor, type TraceSort } from '../../core/contracts/trace-search';
import { statusToInt } from './codec';

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
