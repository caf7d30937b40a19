/** Topology reads and write-path lookups, built only from quote.ts. */
import { qualifiedName, quoteInList, quoteString, quoteUInt } from './quote';
import { TABLES } from './schema';
import { TOPOLOGY_TABLES, topologyDayOf } from './topology-schema';

export const CLICKHOUSE_TOPOLOGY_LIMITS = { edgeRows: 200_000, serviceRows: 200_000, operationRows: 1_000_000, aliases: 100_000 } as const;

function minuteWhere(fromMinute: number, toMinute: number): string {
  const day = (us: number) => topologyDayOf(`toUInt64(${quoteUInt(us)})`);
  return `day >= ${day(fromMinute)} AND day <= ${day(toMinute)} AND minute >= ${quoteUInt(fromMinute)} AND minute <= ${quoteUInt(toMinute)}`;
}

export function topologyEdgesSql(db: string, fromMinute: number, toMinute: number): string {
  return `SELECT source, source_kind AS sourceKind, target, target_kind AS targetKind, kind, bucket, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.edges)} FINAL
WHERE ${minuteWhere(fromMinute, toMinute)}
GROUP BY source, source_kind, target, target_kind, kind, bucket
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.edgeRows)}`;
}

export function topologyServicesSql(db: string, fromMinute: number, toMinute: number): string {
  return `SELECT service, bucket, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE ${minuteWhere(fromMinute, toMinute)}
GROUP BY service, bucket
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.serviceRows)}`;
}

export function serviceOperationsSql(db: string, service: string, fromMinute: number, toMinute: number): string {
  return `SELECT minute, operation, bucket, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE service = ${quoteString(service)} AND ${minuteWhere(fromMinute, toMinute)}
GROUP BY minute, operation, bucket
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.operationRows)}`;
}

/** Entry-span calls per minute and latency bucket, of one service or (undefined) of all. */
export function latencyMinutesSql(db: string, service: string | undefined, fromMinute: number, toMinute: number): string {
  return `SELECT minute, bucket, count() AS count
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE ${service === undefined ? '' : `service = ${quoteString(service)} AND `}${minuteWhere(fromMinute, toMinute)}
GROUP BY minute, bucket
ORDER BY minute, bucket`;
}

export function aliasPeersSql(db: string): string {
  return `SELECT DISTINCT peer FROM ${qualifiedName(db, TOPOLOGY_TABLES.aliases)} LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.aliases)}`;
}

/** Stored spans by identity (the caller keeps only the exact (trace, span) pairs). */
export function spanFactsSql(db: string, traceIds: readonly string[], spanIds: readonly string[]): string {
  return `SELECT DISTINCT trace_id, span_id, parent_span_id, service, kind, start_us, duration_us, status_code, attributes
FROM ${qualifiedName(db, TABLES.spans)}
WHERE trace_id IN ${quoteInList(traceIds)} AND span_id IN ${quoteInList(spanIds)}`;
}

/** Children parked waiting for one of these spans as their parent. */
export function pendingChildrenSql(db: string, traceIds: readonly string[], parentSpanIds: readonly string[]): string {
  return `SELECT DISTINCT trace_id, parent_span_id, facts
FROM ${qualifiedName(db, TOPOLOGY_TABLES.pending)}
WHERE trace_id IN ${quoteInList(traceIds)} AND parent_span_id IN ${quoteInList(parentSpanIds)}`;
}
