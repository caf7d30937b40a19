import { EmbeddedDatabase } from './database';
import type { EmbeddedDatabaseOptions } from './database';
import { EmbeddedLogStore } from './log-store';
import { EmbeddedSpanStore } from './span-store';

export { EmbeddedDatabase } from './database';
export type { EmbeddedDatabaseOptions } from './database';
export { EmbeddedSpanStore } from './span-store';
export { EmbeddedLogStore } from './log-store';
export { buildFtsQuery } from './fts-query';
export { SPAN_READ_LIMITS } from './span-reader';
export { LOG_READ_LIMITS } from './log-reader';

export interface EmbeddedStores {
  spans: EmbeddedSpanStore;
  logs: EmbeddedLogStore;
  database: EmbeddedDatabase;
}

/**
 * Opens (creating and migrating when needed) the embedded database in
 * `options.dataDir` and returns the span and log stores sharing it. The file
 * closes when both stores have shut down.
 */
export function openEmbeddedStores(options: EmbeddedDatabaseOptions): EmbeddedStores {
  const database = new EmbeddedDatabase(options);
  try {
    return { spans: new EmbeddedSpanStore(database), logs: new EmbeddedLogStore(database), database };
  } catch (err) {
    database.close();
    throw err;
  }
}
