/**
 * Read queries, built only from quote.ts. Pure functions: the store runs
 * them, the unit tests read them.
 */
import { SPAN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { AttributeFilter, TraceQuery } from '../../core/contracts/span-store';
import { descending, MAX_MATCHING_SPANS, spanConditions, traceDurationApplies, type SpanConditions, type TraceSort } from '../../core/contracts/trace-search';
import type { TimeWindow } from '../../core/model';
import { qualifiedName, quoteInList, quoteString, quoteUInt } from './quote';
import { dayOf, TABLES } from './schema';

export const SPAN_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'service',
  'name',
  'kind',
  'start_us',
  'duration_us',
  'status_code',
  'status_message',
  'attributes',
  'resource',
  'events',
  'links',
  'scope_name',
  'scope_version',
] as const;

/**
 * The spans of these traces, by trace, start time and span id, at most SPAN_READ_LIMITS.spansPerTrace per trace.
 * Without FINAL: on 18.16 FINAL reads a whole 8,192-row granule of every column per part and cannot skip them
 * (0.5–4 s a trace on a loaded server); spans are immutable, so a replayed copy is the same row, and LIMIT 1 BY
 * the span identity drops it. PREWHERE: a condition on the primary key alone is not moved there, and without it
 * every column of the matching granules is read (586 MiB against 44 MiB for 30 traces at 5.6 M spans).
 */
export function tracesSpansSql(db: string, traceIds: readonly string[]): string {
  const order = 'ORDER BY trace_id, start_us, span_id';
  return `SELECT ${SPAN_COLUMNS.join(', ')}
FROM (
  SELECT ${SPAN_COLUMNS.join(', ')}
  FROM ${qualifiedName(db, TABLES.spans)}
  PREWHERE trace_id IN ${quoteInList(traceIds)}
  ${order}
  LIMIT 1 BY trace_id, span_id
)
${order}
LIMIT ${quoteUInt(SPAN_READ_LIMITS.spansPerTrace)} BY trace_id`;
}

/** Server-side day of a microsecond literal, the same expression the tables partition by. */
function dayOfLiteral(us: number): string {
  return dayOf(`toUInt64(${quoteUInt(us)})`);
}

/**
 * findTraces in one statement: candidate trace ids from the index tables
 * (one IN per filter, so all filters must hold, each on any span or as a
 * business key of the trace), then the
 * exact summary of each candidate merged from trace_summaries across all its
 * partitions, filtered on the merged values and sorted newest first.
 *
 * A candidate index row may only be narrowed by a lower time bound: every
 * span of a trace starts at or after the trace's start, but a span of the
 * trace can start after the window ends. Summary rows are never narrowed by
 * day, or a trace that began before the window would be summarised from its
 * later spans alone.
 */
export function findTracesSql(db: string, q: TraceQuery, limit: number): string {
  const candidates: string[] = [];
  const since = (column = 'start_us') =>
    q.startUs === undefined ? '' : ` AND day >= ${dayOfLiteral(q.startUs)} AND ${column} >= ${quoteUInt(q.startUs)}`;
  const conditions = spanConditions(q);

  if (q.service !== undefined || q.operation !== undefined) {
    const where: string[] = [];
    if (q.service !== undefined) where.push(`service = ${quoteString(q.service)}`);
    if (q.operation !== undefined) where.push(`name = ${quoteString(q.operation)}`);
    candidates.push(`SELECT trace_id FROM ${qualifiedName(db, TABLES.traceOps)} WHERE ${where.join(' AND ')}${since()}`);
  }
  if (conditions && needsSpanScan(conditions)) {
    // status or span duration: one span must meet every span-level condition (spans of the trace start at or after it)
    const spansSince =
      q.startUs === undefined ? '' : ` AND start_time >= toDateTime(${quoteUInt(Math.floor(q.startUs / 1_000_000))}) AND start_us >= ${quoteUInt(q.startUs)}`;
    candidates.push(`SELECT trace_id FROM ${qualifiedName(db, TABLES.spans)} WHERE ${spanWhere(conditions).join(' AND ')}${spansSince}`);
  }
  for (const a of q.attributes ?? []) {
    // a pair a trace carries on a span or as a business key (found in its logs); a key row is not
    // narrowed by time: a log line of the trace may be stamped before the trace's first span
    const pair = `key = ${quoteString(a.key)} AND value = ${quoteString(a.value)}`;
    candidates.push(
      `SELECT trace_id FROM ${qualifiedName(db, TABLES.traceAttrs)} WHERE ${pair}${since()}
    UNION ALL SELECT trace_id FROM ${qualifiedName(db, TABLES.businessKeys)} WHERE ${pair}`,
    );
  }
  if (candidates.length === 0 && (q.startUs !== undefined || q.endUs !== undefined)) {
    // the day row holding a trace's earliest span has its merged start inside the window
    const days: string[] = [];
    const having: string[] = [];
    if (q.startUs !== undefined) {
      days.push(`day >= ${dayOfLiteral(q.startUs)}`);
      having.push(`minMerge(start_min) >= ${quoteUInt(q.startUs)}`);
    }
    if (q.endUs !== undefined) {
      days.push(`day <= ${dayOfLiteral(q.endUs)}`);
      having.push(`minMerge(start_min) <= ${quoteUInt(q.endUs)}`);
    }
    candidates.push(
      `SELECT trace_id FROM ${qualifiedName(db, TABLES.traceSummaries)} WHERE ${days.join(' AND ')} GROUP BY day, trace_id HAVING ${having.join(' AND ')}`,
    );
  }

  const having: string[] = [];
  if (q.startUs !== undefined) having.push(`trace_start_us >= ${quoteUInt(q.startUs)}`);
  if (q.endUs !== undefined) having.push(`trace_start_us <= ${quoteUInt(q.endUs)}`);
  if (q.minDurationUs !== undefined && traceDurationApplies(q)) having.push(`trace_end_us - trace_start_us >= ${quoteUInt(q.minDurationUs)}`);
  if (q.maxDurationUs !== undefined && traceDurationApplies(q)) having.push(`trace_end_us - trace_start_us <= ${quoteUInt(q.maxDurationUs)}`);
  if (conditions?.status === 'error' && !needsSpanScan(conditions)) having.push('error_count > 0');
  const sort = q.sort ?? 'newest';
  const key = sortKeyExpression(sort);
  const dir = descending(sort) ? 'DESC' : 'ASC';
  if (q.after !== undefined) {
    const cmp = descending(sort) ? '<' : '>';
    const k = quoteUInt(q.after.key);
    having.push(`(${key} ${cmp} ${k} OR (${key} = ${k} AND trace_id ${cmp} ${quoteString(q.after.traceId)}))`);
  }

  return `SELECT
  trace_id,
  minMerge(start_min) AS trace_start_us,
  maxMerge(end_max) AS trace_end_us,
  uniqExactMerge(span_ids) AS span_count,
  uniqExactIfMerge(error_span_ids) AS error_count,
  minMerge(root) AS root,
  groupUniqArrayMerge(services) AS services
FROM ${qualifiedName(db, TABLES.traceSummaries)}
${candidates.length ? `WHERE ${candidates.map((c) => `trace_id IN (${c})`).join('\n  AND ')}\n` : ''}GROUP BY trace_id
${having.length ? `HAVING ${having.join(' AND ')}\n` : ''}ORDER BY ${key} ${dir}, trace_id ${dir}
LIMIT ${quoteUInt(limit)}`;
}

function sortKeyExpression(sort: TraceSort): string {
  return sort === 'newest' || sort === 'oldest' ? 'trace_start_us' : '(trace_end_us - trace_start_us)';
}

/** Status other than "any span errored" (error_count answers that) or a span duration needs the spans table. */
function needsSpanScan(c: SpanConditions): boolean {
  const byOperation = c.service !== undefined || c.operation !== undefined;
  return c.minDurationUs !== undefined || c.maxDurationUs !== undefined || (c.status !== undefined && (c.status !== 'error' || byOperation));
}

function spanWhere(c: SpanConditions): string[] {
  const where: string[] = [];
  if (c.service !== undefined) where.push(`service = ${quoteString(c.service)}`);
  if (c.operation !== undefined) where.push(`name = ${quoteString(c.operation)}`);
  if (c.status !== undefined) where.push(`status_code = ${quoteString(c.status)}`);
  if (c.minDurationUs !== undefined) where.push(`duration_us >= ${quoteUInt(c.minDurationUs)}`);
  if (c.maxDurationUs !== undefined) where.push(`duration_us <= ${quoteUInt(c.maxDurationUs)}`);
  return where;
}

/**
 * The matching spans of the given hits, at most MAX_MATCHING_SPANS per trace: errors first, then
 * longest, then by span id. DISTINCT folds a replayed span's copies not merged yet.
 */
export function matchingSpansSql(db: string, traceIds: readonly string[], c: SpanConditions): string {
  return hitSpansSql(db, traceIds, spanWhere(c));
}

/** With only attribute filters: the hits' spans whose span or resource attributes carry one of the pairs. */
export function carryingSpansSql(db: string, traceIds: readonly string[], pairs: readonly AttributeFilter[]): string {
  const carries = pairs.map((p) => `arrayExists((k, v) -> k = ${quoteString(p.key)} AND v = ${quoteString(p.value)}, attr_keys, attr_values)`);
  return hitSpansSql(db, traceIds, [`(${carries.join(' OR ')})`]);
}

function hitSpansSql(db: string, traceIds: readonly string[], conditions: string[]): string {
  const where = [`trace_id IN ${quoteInList(traceIds)}`, ...conditions];
  return `SELECT trace_id, span_id, service, name, start_us, duration_us, status_code
FROM (
  SELECT DISTINCT trace_id, span_id, service, name, start_us, duration_us, status_code
  FROM ${qualifiedName(db, TABLES.spans)}
  WHERE ${where.join(' AND ')}
)
ORDER BY trace_id, status_code = 'error' DESC, duration_us DESC, span_id
LIMIT ${quoteUInt(MAX_MATCHING_SPANS)} BY trace_id`;
}

export function servicesSql(db: string): string {
  return `SELECT DISTINCT service FROM ${qualifiedName(db, TABLES.operations)} ORDER BY service LIMIT ${quoteUInt(SPAN_READ_LIMITS.services)}`;
}

export function operationsSql(db: string, service: string): string {
  return `SELECT DISTINCT name FROM ${qualifiedName(db, TABLES.operations)} WHERE service = ${quoteString(service)} ORDER BY name LIMIT ${quoteUInt(SPAN_READ_LIMITS.operationsPerService)}`;
}

/** A trace's time for a key is the earliest occurrence written (as in the embedded store). */
export function tracesByBusinessKeySql(db: string, key: string, value: string, window: TimeWindow, limit: number): string {
  const having: string[] = [];
  if (window.startUs !== undefined) having.push(`first_us >= ${quoteUInt(window.startUs)}`);
  if (window.endUs !== undefined) having.push(`first_us <= ${quoteUInt(window.endUs)}`);
  return `SELECT trace_id, min(time_us) AS first_us
FROM ${qualifiedName(db, TABLES.businessKeys)}
WHERE key = ${quoteString(key)} AND value = ${quoteString(value)}
GROUP BY trace_id
${having.length ? `HAVING ${having.join(' AND ')}\n` : ''}ORDER BY first_us DESC, trace_id
LIMIT ${quoteUInt(limit)}`;
}

export function traceLinksSql(db: string, traceIds: readonly string[]): string {
  return `SELECT from_trace_id, from_span_id, to_trace_id, to_span_id, kind, min(time_us) AS time_us
FROM ${qualifiedName(db, TABLES.traceLinks)}
WHERE trace_id IN ${quoteInList(traceIds)}
GROUP BY from_trace_id, from_span_id, to_trace_id, to_span_id, kind
ORDER BY time_us, from_trace_id, from_span_id, to_trace_id, to_span_id, kind
LIMIT ${quoteUInt(SPAN_READ_LIMITS.linkedTraceRows)}`;
}

/** Every producer and consumer of every messaging id seen on these traces. */
export function messageRowsSql(db: string, traceIds: readonly string[]): string {
  return `SELECT message_id, side, trace_id, span_id, min(time_us) AS time_us
FROM ${qualifiedName(db, TABLES.messageIds)}
WHERE message_id IN (
  SELECT message_id FROM ${qualifiedName(db, TABLES.messageIdsByTrace)} WHERE trace_id IN ${quoteInList(traceIds)}
)
GROUP BY message_id, side, trace_id, span_id
ORDER BY message_id, side, time_us, trace_id, span_id
LIMIT ${quoteUInt(SPAN_READ_LIMITS.linkedTraceRows)}`;
}

export function versionSql(): string {
  return 'SELECT version() AS version';
}

/** Partitions of our tables older than `retentionDays` (server calendar), for servers without TTL. */
export function expiredPartitionsSql(db: string, tables: readonly string[], retentionDays: number): string {
  return partitionsSql(db, tables, `toString(toYYYYMMDD(today() - ${quoteUInt(retentionDays)}))`);
}

/** The day partitions that end at or before `beforeUs` (the server's day of it is kept), or every partition (null). */
export function partitionsBeforeSql(db: string, tables: readonly string[], beforeUs: number | null): string {
  return partitionsSql(db, tables, beforeUs === null ? null : `toString(toYYYYMMDD(${dayOfLiteral(beforeUs)}))`);
}

function partitionsSql(db: string, tables: readonly string[], beforePartition: string | null): string {
  return `SELECT DISTINCT table, partition_id
FROM system.parts
WHERE database = ${quoteString(db)} AND active AND table IN ${quoteInList(tables)}${beforePartition === null ? '' : `
  AND partition_id < ${beforePartition}`}
ORDER BY table, partition_id`;
}

export function dropPartitionSql(db: string, table: string, partitionId: string): string {
  if (!/^\d{8}$/.test(partitionId)) throw new Error(`unexpected partition id ${JSON.stringify(partitionId)}`);
  return `ALTER TABLE ${qualifiedName(db, table)} DROP PARTITION ID ${quoteString(partitionId)}`;
}
