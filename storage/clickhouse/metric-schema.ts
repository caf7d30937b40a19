/**
 * OTLP metric tables on ClickHouse (issue 17). Why two tables:
 * - metric_series: one row per series (name, kind, service, point attributes,
 *   resource), keyed by a series id the store derives from exactly those
 *   (so every ingest worker computes the same id without asking the server).
 *   ReplacingMergeTree over (name, series_id): a series written again by
 *   another worker or a replayed batch collapses; reads GROUP BY series_id, so
 *   duplicates never show before a merge. Not partitioned and never expired
 *   (as in the embedded store: one small row per label set).
 * - metric_points: one narrow row per data point, ordered by (name,
 *   series_id, time_us), so a series query is one primary-key range per
 *   name. ReplacingMergeTree on that identity: a retried export or a
 *   redelivered Kafka batch replaces the point (reads use FINAL).
 *   Partitioned by the point's day: TTL drops old days where the server has
 *   TTL (20.3+); on 18.16 the span store's sweep drops its old partitions (it
 *   is in DATA_TABLES).
 */
import { qualifiedName, quoteUInt } from './quote';
import { featuresFor } from './version';
import type { ServerVersion } from './version';

export const METRIC_TABLES = {
  series: 'metric_series',
  points: 'metric_points',
} as const;

/** Same expression as schema.ts dayOf: partitions agree. */
const dayOf = (microsColumn: string): string => `toDate(toDateTime(intDiv(${microsColumn}, 1000000)))`;

const KIND_ENUM = "Enum8('gauge' = 1, 'sum' = 2, 'histogram' = 3, 'exponential_histogram' = 4)";
const TEMPORALITY_ENUM = "Enum8('unspecified' = 0, 'delta' = 1, 'cumulative' = 2)";

export function metricSchemaFor(version: ServerVersion, options: { database: string; retentionDays?: number }): string[] {
  const f = featuresFor(version);
  const lc = (type: string) => (f.lowCardinality ? `LowCardinality(${type})` : type);
  const codec = (spec: string) => (f.codecs ? ` CODEC(${spec})` : '');
  const retention = options.retentionDays;
  const ttl = f.ttl && retention !== undefined;
  const t = (name: string) => qualifiedName(options.database, name);
  return [
    `CREATE TABLE IF NOT EXISTS ${t(METRIC_TABLES.series)} (
  name ${lc('String')},
  series_id String,
  kind ${KIND_ENUM},
  unit ${lc('String')},
  temporality ${TEMPORALITY_ENUM},
  monotonic UInt8,
  service ${lc('String')},
  attributes String${codec('ZSTD(1)')},
  resource String${codec('ZSTD(1)')},
  first_us UInt64
) ENGINE = ReplacingMergeTree
ORDER BY (name, series_id)
SETTINGS index_granularity = 8192`,
    `CREATE TABLE IF NOT EXISTS ${t(METRIC_TABLES.points)} (
  name ${lc('String')},
  series_id String,
  time_us UInt64,
  start_us UInt64,
  value Nullable(Float64),
  count UInt64,
  bounds Array(Float64)${codec('ZSTD(1)')},
  bucket_counts Array(UInt64)${codec('ZSTD(1)')},
  day Date MATERIALIZED ${dayOf('time_us')}
) ENGINE = ReplacingMergeTree
PARTITION BY day
ORDER BY (name, series_id, time_us)` +
      (ttl ? `\nTTL day + INTERVAL ${quoteUInt(retention)} DAY` : '') +
      `\nSETTINGS index_granularity = 8192` +
      (ttl ? ', ttl_only_drop_parts = 1' : ''),
  ];
}
