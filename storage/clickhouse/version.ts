import { ValidationError } from '../../core/errors';

/** A ClickHouse server version as `SELECT version()` prints it, e.g. '18.16.1' or '24.8.4.13'. */
export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseServerVersion(text: string): ServerVersion {
  const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) throw new ValidationError(`cannot read a ClickHouse version from ${JSON.stringify(text)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: text.trim() };
}

export function atLeast(v: ServerVersion, major: number, minor = 0): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * Schema features that only newer servers have. 18.16 (Debian's package,
 * what CI runs) has none of them. The thresholds are conservative: each is a
 * release where the feature is on by default without an experimental
 * setting, not the first release that carried it.
 */
export interface SchemaFeatures {
  /** Table TTL for retention (else the store drops old partitions itself). */
  ttl: boolean;
  /** Data-skipping indexes (bloom filters on attribute arrays and service). */
  skipIndexes: boolean;
  /** Column compression codecs. */
  codecs: boolean;
  /** LowCardinality(String) for services, span names, scopes. */
  lowCardinality: boolean;
  /** A DateTime64(6) alias column for people and dashboards reading the table. */
  dateTime64: boolean;
}

export const FEATURE_SINCE: Record<keyof SchemaFeatures, [number, number]> = {
  ttl: [20, 3],
  skipIndexes: [20, 3],
  codecs: [20, 3],
  lowCardinality: [20, 3],
  dateTime64: [20, 5],
};

export function featuresFor(v: ServerVersion): SchemaFeatures {
  const on = (f: keyof SchemaFeatures) => atLeast(v, ...FEATURE_SINCE[f]);
  return {
    ttl: on('ttl'),
    skipIndexes: on('skipIndexes'),
    codecs: on('codecs'),
    lowCardinality: on('lowCardinality'),
    dateTime64: on('dateTime64'),
  };
}
