/**
 * ClickHouse schema, built by a pure function of the server version so the
 * same code creates a working schema on 18.16 and on current releases.
 *
 * Layout (why, not what):
 * - spans: ReplacingMergeTree ordered by (trace_id, span_id), the span
 *   identity, partitioned by the span's own start day, so a replayed span
 *   lands in the same partition as its first copy and FINAL (or a merge)
 *   collapses it. getTrace is a primary-key read.
 * - trace_summaries: AggregatingMergeTree filled by a materialized view on
 *   spans. Every state is idempotent under replay: min/max of times,
 *   uniqExact of span ids (span and error counts), min of a
 *   (not-a-root, start, span id, service, name) tuple for the root, and
 *   groupUniqArray of services. A replayed batch adds rows whose merged
 *   value is the same, so summaries stay exact before and after merges.
 * - trace_ops / trace_attrs: small index tables, ordered by what findTraces
 *   filters on (service, name / key, value), giving candidate trace ids.
 * - operations: (service, name) pairs for services() and operations().
 * - business_keys, trace_links (written under both trace ids, so both
 *   directions are primary-key reads), message_ids (by message id) and
 *   message_ids_by_trace (by trace id).
 * Index tables are ReplacingMergeTree over their whole row; reads use
 * DISTINCT/GROUP BY with min(time), so duplicates never show.
 *
 * Per-minute topology and service roll-ups: topology-schema.ts; OTLP metric
 * series and points: metric-schema.ts (both appended below).
 */
import { qualifiedName, quoteIdentifier, quoteUInt } from './quote';
import { featuresFor } from './version';
import { ORDER_DATA_TABLES, orderRollupSchemaFor } from './order-rollup-schema';
import { TOPOLOGY_DATA_TABLES, topologySchemaFor } from './topology-schema';
import { METRIC_TABLES, metricSchemaFor } from './metric-schema';
import type { SchemaFeatures, ServerVersion } from './version';

export const TABLES = {
  spans: 'spans',
  traceSummaries: 'trace_summaries',
  traceSummariesView: 'trace_summaries_mv',
  traceOps: 'trace_ops',
  traceAttrs: 'trace_attrs',
  operations: 'operations',
  businessKeys: 'business_keys',
  traceLinks: 'trace_links',
  messageIds: 'message_ids',
  messageIdsByTrace: 'message_ids_by_trace',
} as const;

/** Tables holding data (the view holds none), in creation order. */
export const DATA_TABLES: readonly string[] = [
  TABLES.spans,
  TABLES.traceSummaries,
  TABLES.traceOps,
  TABLES.traceAttrs,
  TABLES.operations,
  TABLES.businessKeys,
  TABLES.traceLinks,
  TABLES.messageIds,
  TABLES.messageIdsByTrace,
  ...TOPOLOGY_DATA_TABLES,
  // metric_series is not partitioned by day and never expires (metric-schema.ts)
  METRIC_TABLES.points,
  ...ORDER_DATA_TABLES,
];

export interface SchemaOptions {
  database: string;
  /** Days to keep; undefined keeps everything. */
  retentionDays?: number;
}

/** Server-side day of a microsecond time column: the same expression everywhere, so partitions agree. */
export function dayOf(microsColumn: string): string {
  return `toDate(toDateTime(intDiv(${microsColumn}, 1000000)))`;
}

const KIND_ENUM = "Enum8('unspecified' = 0, 'internal' = 1, 'server' = 2, 'client' = 3, 'producer' = 4, 'consumer' = 5)";
const STATUS_ENUM = "Enum8('unset' = 0, 'ok' = 1, 'error' = 2)";
const LINK_KIND_ENUM = "Enum8('link' = 1, 'message' = 2)";
const SIDE_ENUM = "Enum8('producer' = 1, 'consumer' = 2)";
/** Root candidate: (0 for a real root else 1, start, span id, service, name); the min wins. */
export const ROOT_TUPLE_TYPE = 'Tuple(UInt8, UInt64, String, String, String)';
/** A span's root candidate (ROOT_TUPLE_TYPE); CAST drops LowCardinality so the states match the column types on every version. */
const ROOT_CANDIDATE = "tuple(toUInt8(parent_span_id != ''), start_us, span_id, CAST(service AS String), CAST(name AS String))";

/**
 * A trace's summary as aggregates of its spans, each replay-proof (a span's copy changes no min, max,
 * uniqExact or set): `trace_summaries_mv` keeps them as `<fn>State(args) AS state`, a read merges those
 * (`<fn>Merge(state) AS answer`) or takes them straight from the spans (`<fn>(args) AS answer`): one list, so
 * the two reads cannot drift apart. CAST drops LowCardinality so the states match the column types on every version.
 */
export const TRACE_SUMMARY_AGGREGATES: readonly { fn: string; args: string; state: string; answer: string }[] = [
  { fn: 'min', args: 'start_us', state: 'start_min', answer: 'trace_start_us' },
  { fn: 'max', args: 'start_us + duration_us', state: 'end_max', answer: 'trace_end_us' },
  { fn: 'uniqExact', args: 'span_id', state: 'span_ids', answer: 'span_count' },
  { fn: 'uniqExactIf', args: "span_id, status_code = 'error'", state: 'error_span_ids', answer: 'error_count' },
  { fn: 'min', args: ROOT_CANDIDATE, state: 'root', answer: 'root' },
  { fn: 'groupUniqArray', args: 'CAST(service AS String)', state: 'services', answer: 'services' },
];

/** CREATE statements (all IF NOT EXISTS, so start-up can run them every time), in order. */
export function schemaFor(version: ServerVersion, options: SchemaOptions): string[] {
  const f = featuresFor(version);
  const db = options.database;
  const t = (name: string) => qualifiedName(db, name);
  const lc = (type: string) => (f.lowCardinality ? `LowCardinality(${type})` : type);
  const codec = (spec: string) => (f.codecs ? ` CODEC(${spec})` : '');
  const retention = options.retentionDays;
  if (retention !== undefined) quoteUInt(retention);
  const tail = (partition: string, orderBy: string, ttlColumn: string) =>
    `PARTITION BY ${partition}\nORDER BY (${orderBy})` +
    (f.ttl && retention !== undefined ? `\nTTL ${ttlColumn} + INTERVAL ${quoteUInt(retention)} DAY` : '') +
    `\nSETTINGS index_granularity = 8192` +
    (f.ttl && retention !== undefined ? ', ttl_only_drop_parts = 1' : '');
  const day = (column: string) => `day Date MATERIALIZED ${dayOf(column)}`;
  const table = (name: string, columns: string[], engine: string, partition: string, orderBy: string, ttlColumn: string) =>
    `CREATE TABLE IF NOT EXISTS ${t(name)} (\n  ${columns.join(',\n  ')}\n) ENGINE = ${engine}\n${tail(partition, orderBy, ttlColumn)}`;

  const spanColumns = [
    'trace_id String',
    'span_id String',
    'parent_span_id String',
    `service ${lc('String')}`,
    `name ${lc('String')}`,
    `kind ${KIND_ENUM}`,
    'start_us UInt64',
    'start_time DateTime MATERIALIZED toDateTime(intDiv(start_us, 1000000))',
    'duration_us UInt64',
    `status_code ${STATUS_ENUM}`,
    'status_message String',
    `attributes String${codec('ZSTD(1)')}`,
    `resource String${codec('ZSTD(1)')}`,
    `events String${codec('ZSTD(1)')}`,
    `links String${codec('ZSTD(1)')}`,
    `scope_name ${lc('String')}`,
    `scope_version ${lc('String')}`,
    // span then resource attributes with a text form, for span-level attribute search
    `attr_keys Array(String)${codec('ZSTD(1)')}`,
    `attr_values Array(String)${codec('ZSTD(1)')}`,
  ];
  if (f.dateTime64) spanColumns.push('start DateTime64(6) ALIAS fromUnixTimestamp64Micro(toInt64(start_us))');
  if (f.skipIndexes) {
    spanColumns.push(
      'INDEX idx_service service TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_attr_keys attr_keys TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_attr_values attr_values TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_start start_us TYPE minmax GRANULARITY 4',
    );
  }

  const statements = [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(db)}`,
    table(TABLES.spans, spanColumns, 'ReplacingMergeTree', 'toDate(start_time)', 'trace_id, span_id', 'start_time'),
    table(
      TABLES.traceSummaries,
      [
        'day Date',
        'trace_id String',
        'start_min AggregateFunction(min, UInt64)',
        'end_max AggregateFunction(max, UInt64)',
        'span_ids AggregateFunction(uniqExact, String)',
        'error_span_ids AggregateFunction(uniqExactIf, String, UInt8)',
        `root AggregateFunction(min, ${ROOT_TUPLE_TYPE})`,
        'services AggregateFunction(groupUniqArray, String)',
      ],
      'AggregatingMergeTree',
      'day',
      'trace_id',
      'day',
    ),
    // CAST drops LowCardinality so the states match the target column types on every version
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t(TABLES.traceSummariesView)} TO ${t(TABLES.traceSummaries)} AS
SELECT
  ${dayOf('start_us')} AS day,
  trace_id,
  ${TRACE_SUMMARY_AGGREGATES.map((a) => `${a.fn}State(${a.args}) AS ${a.state}`).join(',\n  ')}
FROM ${t(TABLES.spans)}
GROUP BY day, trace_id`,
    table(
      TABLES.traceOps,
      [`service ${lc('String')}`, `name ${lc('String')}`, 'trace_id String', 'start_us UInt64', day('start_us')],
      'ReplacingMergeTree',
      'day',
      'service, name, trace_id',
      'day',
    ),
    table(
      TABLES.traceAttrs,
      ['key String', 'value String', 'trace_id String', 'start_us UInt64', day('start_us')],
      'ReplacingMergeTree',
      'day',
      'key, value, trace_id',
      'day',
    ),
    table(
      TABLES.operations,
      [`service ${lc('String')}`, `name ${lc('String')}`, 'time_us UInt64', day('time_us')],
      'ReplacingMergeTree',
      'day',
      'service, name',
      'day',
    ),
    table(
      TABLES.businessKeys,
      [`key ${lc('String')}`, 'value String', 'trace_id String', 'time_us UInt64', day('time_us')],
      'ReplacingMergeTree',
      'day',
      'key, value, trace_id, time_us',
      'day',
    ),
    table(
      TABLES.traceLinks,
      [
        'trace_id String',
        'from_trace_id String',
        'from_span_id String',
        'to_trace_id String',
        'to_span_id String',
        `kind ${LINK_KIND_ENUM}`,
        'time_us UInt64',
        day('time_us'),
      ],
      'ReplacingMergeTree',
      'day',
      'trace_id, from_trace_id, from_span_id, to_trace_id, to_span_id, kind, time_us',
      'day',
    ),
    table(
      TABLES.messageIds,
      ['message_id String', `side ${SIDE_ENUM}`, 'trace_id String', 'span_id String', 'time_us UInt64', day('time_us')],
      'ReplacingMergeTree',
      'day',
      'message_id, side, trace_id, span_id, time_us',
      'day',
    ),
    table(
      TABLES.messageIdsByTrace,
      ['trace_id String', 'message_id String', 'time_us UInt64', day('time_us')],
      'ReplacingMergeTree',
      'day',
      'trace_id, message_id, time_us',
      'day',
    ),
  ];
  statements.push(...topologySchemaFor(version, options));
  statements.push(...metricSchemaFor(version, options));
  statements.push(...orderRollupSchemaFor(version, options));
  return statements;
}

export type { SchemaFeatures };
