export { ClickHouseSpanStore, CLICKHOUSE_DEFAULTS } from './span-store';
export type { ClickHouseSpanStoreOptions } from './span-store';
export { schemaFor, TABLES, DATA_TABLES } from './schema';
export type { SchemaOptions } from './schema';
export { featuresFor, parseServerVersion, FEATURE_SINCE } from './version';
export type { SchemaFeatures, ServerVersion } from './version';
export { toStoreError } from './errors';
export { ClickHouseMetricStore } from './metric-store';
export type { ClickHouseMetricStoreOptions } from './metric-store';
