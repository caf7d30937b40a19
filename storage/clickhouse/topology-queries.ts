/** Topology reads and write-path lookups, built only from quote.ts. */
import { qualifiedName, quoteArray, quoteInList, quoteString, quoteUInt } from './quote';
import { TABLES } from './schema';
import { MINUTE_MARK, TOPOLOGY_TABLES, topologyDayOf } from './topology-schema';
import type { MinuteRanges } from './topology-minutes';

export const CLICKHOUSE_TOPOLOGY_LIMITS = { edgeRows: 200_000, serviceRows: 200_000, operationRows: 1_000_000, aliases: 100_000 } as const;

const day = (us: number) => topologyDayOf(`toUInt64(${quoteUInt(us)})`);

/** Rows of these minutes (inclusive ranges of minute starts, µs); the day bounds let the read skip other partitions. */
function minutesWhere(ranges: MinuteRanges): string {
  const first = ranges[0][0];
  const last = ranges[ranges.length - 1][1];
  const within = ranges.map(([from, to]) => (from === to ? `minute = ${quoteUInt(from)}` : `(minute >= ${quoteUInt(from)} AND minute <= ${quoteUInt(to)})`));
  return `day >= ${day(first)} AND day <= ${day(last)} AND (${within.join(' OR ')})`;
}

const EDGE_GROUP = 'source, source_kind, target, target_kind, kind, bucket';
const EDGE_NAMES = 'source, source_kind AS sourceKind, target, target_kind AS targetKind, kind, bucket';

/** Edge calls per group and latency bucket over these minutes, exact (FINAL collapses replayed calls). */
export function topologyEdgesSql(db: string, minutes: MinuteRanges): string {
  return `SELECT ${EDGE_NAMES}, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.edges)} FINAL
WHERE ${minutesWhere(minutes)}
GROUP BY ${EDGE_GROUP}
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.edgeRows)}`;
}

/** Entry calls per service and latency bucket over these minutes, exact. */
export function topologyServicesSql(db: string, minutes: MinuteRanges): string {
  return `SELECT service, bucket, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE ${minutesWhere(minutes)}
GROUP BY service, bucket
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.serviceRows)}`;
}

/** Rows of one service, or of any of several. */
const ofServices = (services: string | readonly string[]) => (typeof services === 'string' ? `service = ${quoteString(services)}` : `service IN ${quoteInList(services)}`);

/** These services' entry calls per minute, operation and bucket over these minutes, exact. */
export function serviceOperationsSql(db: string, services: readonly string[], minutes: MinuteRanges): string {
  return `SELECT minute, service, operation, bucket, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE ${ofServices(services)} AND ${minutesWhere(minutes)}
GROUP BY minute, service, operation, bucket
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.operationRows)}`;
}

/** Entry-span calls per minute and latency bucket over these minutes, of one service or (undefined) of all, exact. */
export function latencyMinutesSql(db: string, service: string | undefined, minutes: MinuteRanges): string {
  return `SELECT minute, bucket, count() AS count
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE ${service === undefined ? '' : `service = ${quoteString(service)} AND `}${minutesWhere(minutes)}
GROUP BY minute, bucket
ORDER BY minute, bucket`;
}

/** The same over summarized minutes. */
export function summarizedLatencyMinutesSql(db: string, service: string | undefined, minutes: MinuteRanges): string {
  return `SELECT minute, bucket, sum(c) AS count
FROM (
  ${summarizedOperations(db, minutes, service)}
)
GROUP BY minute, bucket
ORDER BY minute, bucket`;
}

/** The write and summary marks of the minutes from..to, and the server's clock (seconds) when read. */
export function minuteMarksSql(db: string, fromMinute: number, toMinute: number): string {
  return `SELECT groupArray(tuple(minute, written, summarized)) AS marks, toUInt32(now()) AS as_of
FROM (
  SELECT minute, maxIf(at, kind = ${MINUTE_MARK.written}) AS written, maxIf(at, kind = ${MINUTE_MARK.summarized}) AS summarized
  FROM ${qualifiedName(db, TOPOLOGY_TABLES.minuteMarks)}
  WHERE ${minutesWhere([[fromMinute, toMinute]])}
  GROUP BY minute
)`;
}

/** Marks these minutes written now (server clock); sent after the rows written into them are stored. */
export function markMinutesWrittenSql(db: string, minutes: readonly number[]): string {
  return `INSERT INTO ${qualifiedName(db, TOPOLOGY_TABLES.minuteMarks)} (minute, kind, at)
SELECT arrayJoin(${quoteArray(minutes, quoteUInt)}) AS minute, ${MINUTE_MARK.written} AS kind, toUInt32(now()) AS at`;
}

/** Edge calls per minute and group over these minutes (FINAL), to be stored as their summaries. */
export function edgeMinutesToSummarizeSql(db: string, minutes: MinuteRanges): string {
  return `SELECT minute, ${EDGE_GROUP}, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.edges)} FINAL
WHERE ${minutesWhere(minutes)}
GROUP BY minute, ${EDGE_GROUP}`;
}

/** Entry calls per minute, service, operation and bucket over these minutes (FINAL), to be stored as their summaries. */
export function operationMinutesToSummarizeSql(db: string, minutes: MinuteRanges): string {
  return `SELECT minute, service, operation, bucket, count() AS calls, sum(error) AS errors
FROM ${qualifiedName(db, TOPOLOGY_TABLES.operations)} FINAL
WHERE ${minutesWhere(minutes)}
GROUP BY minute, service, operation, bucket`;
}

/** The newest summary rows of the edges of these minutes. */
function summarizedEdgeGroups(db: string, minutes: MinuteRanges): string {
  return `SELECT minute, ${EDGE_GROUP}, argMax(calls, version) AS c, argMax(errors, version) AS e
  FROM ${qualifiedName(db, TOPOLOGY_TABLES.edgeMinutes)}
  WHERE ${minutesWhere(minutes)}
  GROUP BY minute, ${EDGE_GROUP}`;
}

/** Edge calls per group and bucket over summarized minutes: each minute's newest summary, summed. */
export function summarizedEdgesSql(db: string, minutes: MinuteRanges): string {
  return `SELECT ${EDGE_NAMES}, sum(c) AS calls, sum(e) AS errors
FROM (
  ${summarizedEdgeGroups(db, minutes)}
)
GROUP BY ${EDGE_GROUP}
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.edgeRows)}`;
}

/** Edge calls per minute, group and bucket of summarized minutes (each minute's newest summary), as kept between reads. */
export function summarizedEdgeMinutesSql(db: string, minutes: MinuteRanges): string {
  return `SELECT minute, ${EDGE_NAMES}, c AS calls, e AS errors
FROM (
  ${summarizedEdgeGroups(db, minutes)}
)
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.edgeRows)}`;
}

/** The newest summary rows of the operations of these minutes (of one service, several, or all). */
function summarizedOperations(db: string, minutes: MinuteRanges, services?: string | readonly string[]): string {
  const where = services === undefined ? minutesWhere(minutes) : `${ofServices(services)} AND ${minutesWhere(minutes)}`;
  return `SELECT minute, service, operation, bucket, argMax(calls, version) AS c, argMax(errors, version) AS e
  FROM ${qualifiedName(db, TOPOLOGY_TABLES.operationMinutes)}
  WHERE ${where}
  GROUP BY minute, service, operation, bucket`;
}

/** Entry calls per service and bucket over summarized minutes. */
export function summarizedServicesSql(db: string, minutes: MinuteRanges): string {
  return `SELECT service, bucket, sum(c) AS calls, sum(e) AS errors
FROM (
  ${summarizedOperations(db, minutes)}
)
GROUP BY service, bucket
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.serviceRows)}`;
}

/** Entry calls per minute, service, operation and bucket of summarized minutes, of these services or (undefined) of all. */
export function summarizedOperationMinutesSql(db: string, minutes: MinuteRanges, services?: readonly string[]): string {
  return `SELECT minute, service, operation, bucket, c AS calls, e AS errors
FROM (
  ${summarizedOperations(db, minutes, services)}
)
LIMIT ${quoteUInt(CLICKHOUSE_TOPOLOGY_LIMITS.operationRows)}`;
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
