import { METRIC_TABLES } from './metric-schema';
import { qualifiedName, quoteString, quoteUInt } from './quote';

/** Names with kind, unit, temporality and series count, by name then kind (the embedded store's order). */
export function metricNamesSql(db: string, limit: number): string {
  return `SELECT name, kind, unit, temporality, monotonic, series FROM (
  SELECT CAST(name AS String) AS name, CAST(kind AS String) AS kind, max(CAST(unit AS String)) AS unit,
    max(CAST(temporality AS String)) AS temporality, max(monotonic) AS monotonic, uniqExact(series_id) AS series
  FROM ${qualifiedName(db, METRIC_TABLES.series)}
  GROUP BY name, kind
)
ORDER BY name, kind
LIMIT ${quoteUInt(limit)}`;
}

/** The series of one name, first written first (then by id), at most `limit`; duplicates of a series collapse. */
export function seriesOfSql(db: string, name: string, limit: number): string {
  return `SELECT series_id, any(CAST(kind AS String)) AS kind, any(CAST(temporality AS String)) AS temporality, any(monotonic) AS monotonic,
  any(CAST(service AS String)) AS service, any(attributes) AS attributes, min(first_us) AS first_us
FROM ${qualifiedName(db, METRIC_TABLES.series)}
WHERE name = ${quoteString(name)}
GROUP BY series_id
ORDER BY first_us, series_id
LIMIT ${quoteUInt(limit)}`;
}

/**
 * Points of one name with startUs <= time < endUs, by series then time, at
 * most `limit`; `maxSeries`: only the series seriesOfSql keeps at that limit
 * (when the name has more series than a read takes). FINAL: a replaced point
 * shows once.
 */
export function metricPointsSql(db: string, name: string, startUs: number, endUs: number, limit: number, maxSeries?: number): string {
  const only =
    maxSeries === undefined ? '' : `\n  AND series_id IN (SELECT series_id FROM (${seriesOfSql(db, name, maxSeries)}))`;
  return `SELECT series_id, time_us, start_us, value, count, bounds, bucket_counts
FROM ${qualifiedName(db, METRIC_TABLES.points)} FINAL
WHERE name = ${quoteString(name)} AND time_us >= ${quoteUInt(startUs)} AND time_us < ${quoteUInt(endUs)}${only}
ORDER BY series_id, time_us
LIMIT ${quoteUInt(limit)}`;
}
