/**
 * Topology and service roll-ups on ClickHouse (issue 4). Why per-span facts
 * in ReplacingMergeTree rather than counters in an AggregatingMergeTree:
 * ingest is at-least-once and a replayed span must not count twice. A
 * countState/sumState would add the replay; a uniqExact state over span ids
 * would be exact but holds every span id anyway. So each table holds one
 * narrow row per call, keyed by its span identity (plus the roll-up key in
 * front, so a window read is a primary-key range), and the queries aggregate
 * with FINAL over the window: duplicates from replays collapse, before or
 * after merges. It is still not a raw-span scan: rows are ~10 columns, only
 * entry spans and edge spans have one, and the latency is pre-bucketed into
 * the same log-scale histogram the embedded store uses.
 *
 * - topology_edges: one row per edge call (see core/analysis/topology-derive.ts).
 * - topology_operations: one row per entry span (server, consumer, root) of a service.
 * - topology_aliases: caller-side peer names seen calling an instrumented service.
 * - topology_pending: server/consumer spans whose parent had not arrived; the
 *   batch that brings the parent turns them into edges. Never deleted (retention drops them).
 *
 * FINAL over an hour of calls is too slow for a wall screen (millions of rows
 * at 10 M spans an hour), so settled minutes are read from summaries
 * (topology-minutes.ts):
 *
 * - topology_edge_minutes / topology_operation_minutes: the per-call tables
 *   counted per minute and group, each summary of a minute stamped with the
 *   server time it was taken (`version`); the newest wins (argMax at read).
 * - topology_minute_marks: per minute, the server time (seconds) of the last
 *   write into it (kind 0, after the write's rows are stored) and of the last
 *   summary (kind 1, taken before its read). A minute is read from its summary
 *   only while the summary is newer than the last write, so a replayed or late
 *   batch sends the minute back to the exact FINAL read until it is summarized
 *   again.
 */
import { qualifiedName, quoteUInt } from './quote';
import { featuresFor } from './version';
import type { ServerVersion } from './version';

export const TOPOLOGY_TABLES = {
  edges: 'topology_edges',
  operations: 'topology_operations',
  aliases: 'topology_aliases',
  pending: 'topology_pending',
  edgeMinutes: 'topology_edge_minutes',
  operationMinutes: 'topology_operation_minutes',
  minuteMarks: 'topology_minute_marks',
} as const;

/** The kinds of row in topology_minute_marks. */
export const MINUTE_MARK = { written: 0, summarized: 1 } as const;

export const TOPOLOGY_DATA_TABLES: readonly string[] = Object.values(TOPOLOGY_TABLES);

/** Same expression as schema.ts dayOf: partitions agree. */
export const topologyDayOf = (microsColumn: string): string => `toDate(toDateTime(intDiv(${microsColumn}, 1000000)))`;

export interface RollupSchemaOptions {
  database: string;
  retentionDays?: number;
}

/**
 * CREATE for a roll-up table partitioned by the day of `timeColumn` (microseconds), with the retention TTL where
 * the server has one; `lc` wraps a type in LowCardinality where the server has it.
 */
export function rollupTableMaker(version: ServerVersion, options: RollupSchemaOptions) {
  const f = featuresFor(version);
  const retention = options.retentionDays;
  return {
    lc: (type: string) => (f.lowCardinality ? `LowCardinality(${type})` : type),
    table: (name: string, columns: string[], timeColumn: string, orderBy: string, engine = 'ReplacingMergeTree') =>
      `CREATE TABLE IF NOT EXISTS ${qualifiedName(options.database, name)} (\n  ${[...columns, `day Date MATERIALIZED ${topologyDayOf(timeColumn)}`].join(',\n  ')}\n) ENGINE = ${engine}\n` +
      `PARTITION BY day\nORDER BY (${orderBy})` +
      (f.ttl && retention !== undefined ? `\nTTL day + INTERVAL ${quoteUInt(retention)} DAY` : '') +
      `\nSETTINGS index_granularity = 8192` +
      (f.ttl && retention !== undefined ? ', ttl_only_drop_parts = 1' : ''),
  };
}

export function topologySchemaFor(version: ServerVersion, options: RollupSchemaOptions): string[] {
  const { lc, table } = rollupTableMaker(version, options);
  const call = ['trace_id String', 'span_id String', 'bucket UInt8', 'error UInt8', 'duration_us UInt64'];
  const summed = ['bucket UInt8', 'calls UInt64', 'errors UInt64', 'version UInt32'];
  return [
    table(
      TOPOLOGY_TABLES.edges,
      [
        'minute UInt64',
        `source ${lc('String')}`,
        `source_kind ${lc('String')}`,
        `target ${lc('String')}`,
        `target_kind ${lc('String')}`,
        `kind ${lc('String')}`,
        ...call,
      ],
      'minute',
      'minute, source, source_kind, target, target_kind, kind, trace_id, span_id',
    ),
    table(
      TOPOLOGY_TABLES.operations,
      ['minute UInt64', `service ${lc('String')}`, `operation ${lc('String')}`, ...call],
      'minute',
      'service, minute, operation, trace_id, span_id',
    ),
    table(TOPOLOGY_TABLES.aliases, ['peer String', 'service String', 'time_us UInt64'], 'time_us', 'peer, service'),
    table(
      TOPOLOGY_TABLES.pending,
      ['trace_id String', 'parent_span_id String', 'span_id String', 'start_us UInt64', 'facts String'],
      'start_us',
      'trace_id, parent_span_id, span_id',
    ),
    table(
      TOPOLOGY_TABLES.edgeMinutes,
      ['minute UInt64', ...[`source`, `source_kind`, `target`, `target_kind`, `kind`].map((c) => `${c} ${lc('String')}`), ...summed],
      'minute',
      'minute, source, source_kind, target, target_kind, kind, bucket',
      'ReplacingMergeTree(version)',
    ),
    table(
      TOPOLOGY_TABLES.operationMinutes,
      ['minute UInt64', `service ${lc('String')}`, `operation ${lc('String')}`, ...summed],
      'minute',
      'service, minute, operation, bucket',
      'ReplacingMergeTree(version)',
    ),
    table(TOPOLOGY_TABLES.minuteMarks, ['minute UInt64', 'kind UInt8', 'at UInt32'], 'minute', 'minute, kind', 'ReplacingMergeTree(at)'),
  ];
}
