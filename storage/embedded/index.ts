import type { OrderRollupSettings } from '../../core/contracts/span-store';
import { EmbeddedDatabase } from './database';
import type { EmbeddedDatabaseOptions } from './database';
import { EmbeddedLogStore } from './log-store';
import { EmbeddedMetricStore } from './metric-store';
import { EmbeddedRetention, walLimitFor, type RetentionOptions } from './retention';
import { EmbeddedSpanStore } from './span-store';

export { EmbeddedDatabase } from './database';
export type { EmbeddedDatabaseOptions } from './database';
export { EmbeddedSpanStore } from './span-store';
export { EmbeddedLogStore } from './log-store';
export { EmbeddedMetricStore } from './metric-store';
export { buildFtsQuery } from './fts-query';
export { EmbeddedRetention } from './retention';
export type { PassReport, RetentionOptions } from './retention';

export interface EmbeddedStores {
  spans: EmbeddedSpanStore;
  logs: EmbeddedLogStore;
  database: EmbeddedDatabase;
  /** Runs on its own once this connection writes; exposed for tests and the bench. */
  retention: EmbeddedRetention;
}

export interface EmbeddedStoreOptions extends EmbeddedDatabaseOptions {
  /** Age and size limits (RETENTION, MAX_DISK_BYTES); absent: everything is kept. */
  retention?: RetentionOptions;
  /**
   * Attribute names whose key=value pairs are indexed at write time, so a trace search by one reads
   * the traces that carry it instead of walking the window (the business keys and INDEXED_ATTRIBUTES;
   * '*' = every name, at about 2.5x the write CPU per span). Default: none.
   */
  indexedAttributes?: readonly string[];
  /** The business keys rolled up per minute at write, and the stage rules (BUSINESS_KEYS, CHAIN_STAGES); default DEFAULT_ORDER_ROLLUP. */
  orderRollup?: OrderRollupSettings;
}

/**
 * Opens (creating and migrating when needed) the embedded database in
 * `options.dataDir` and returns the span and log stores sharing it. The file
 * closes when both stores have shut down. With `options.retention`, the
 * connection deletes old data once it has written (see retention.ts).
 */
export function openEmbeddedStores(options: EmbeddedStoreOptions): EmbeddedStores {
  const { retention: retentionOptions, indexedAttributes, orderRollup, ...databaseOptions } = options;
  const database = new EmbeddedDatabase({ walLimitBytes: walLimitFor(retentionOptions?.maxBytes), ...databaseOptions });
  try {
    const retention = new EmbeddedRetention(database, retentionOptions);
    return { spans: new EmbeddedSpanStore(database, retention, indexedAttributes, orderRollup), logs: new EmbeddedLogStore(database, retention), database, retention };
  } catch (err) {
    database.close();
    throw err;
  }
}

/**
 * The metric store on the same file as `stores`: a holder of the file like the
 * span and log stores, so whoever opens it shuts it down. Its writes start
 * `stores.retention` on this connection unless `startsRetention` is false (ingest
 * threads write the file and the first one runs retention, metric points included).
 */
export function openEmbeddedMetricStore(stores: Pick<EmbeddedStores, 'database' | 'retention'>, startsRetention = true): EmbeddedMetricStore {
  return new EmbeddedMetricStore(stores.database, startsRetention ? stores.retention : undefined);
}
