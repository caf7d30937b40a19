import * as path from 'node:path';
import type Database from 'better-sqlite3';
import type { StoreStatus } from '../../core/contracts/store-status';
import type { EmbeddedDatabase } from './database';
import type { EmbeddedRetention } from './retention';
import { fileSizes, freeBytesNear, pageUsage } from './store-files';

/** Less free space than this on the store's file system is a warning (a full disk is a problem once a write fails). */
export const LOW_FREE_BYTES = 256 * 1024 * 1024;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The embedded store's health: its files, the file system's free space and
 * what retention last did (read from the shared state table, so the query
 * side reports what the writer's retention did).
 */
export class EmbeddedStatusReader {
  private readonly oldestTrace: Database.Statement<[], { t: number | null }>;
  private readonly oldestLog: Database.Statement<[], { t: number | null }>;

  constructor(
    private readonly edb: EmbeddedDatabase,
    private readonly retention: EmbeddedRetention,
  ) {
    this.oldestTrace = edb.db.prepare('SELECT min(start_us) AS t FROM traces');
    this.oldestLog = edb.db.prepare('SELECT min(time_us) AS t FROM logs');
  }

  status(): StoreStatus {
    const { maxAgeUs, maxBytes } = this.retention;
    const files = fileSizes(this.edb.file);
    const freeBytes = freeBytesNear(this.edb.file);
    const state = this.retention.state.read();
    const oldest = [this.oldestTrace.get()?.t, this.oldestLog.get()?.t].filter((t): t is number => typeof t === 'number');

    const problems: string[] = [];
    if (maxBytes !== null && files.totalBytes > maxBytes) {
      const cannotShrink = pageUsage(this.edb.db).autoVacuum === 0;
      problems.push(
        `over MAX_DISK_BYTES: the store's files take ${mib(files.totalBytes)} of ${mib(maxBytes)}` +
          (cannotShrink ? ' (the file was created without auto-vacuum and is too big to convert at start: it reuses its freed pages but cannot shrink)' : ''),
      );
    }
    if (state.lastError) problems.push(`retention failing: ${state.lastError}`);
    const warnings: string[] = [];
    if (freeBytes !== null && freeBytes < LOW_FREE_BYTES) warnings.push(`disk almost full: ${mib(freeBytes)} free`);

    return {
      backend: 'embedded',
      problems,
      warnings,
      disk: {
        path: path.dirname(this.edb.file),
        usedBytes: files.totalBytes,
        walBytes: files.walBytes,
        freeBytes,
        maxBytes,
      },
      retention: {
        maxAgeUs,
        maxBytes,
        lastRunAt: state.lastRunUs === null ? null : new Date(Math.floor(state.lastRunUs / 1000)).toISOString(),
        oldestKeptUs: oldest.length ? Math.min(...oldest) : null,
        deletedTraces: state.deletedTraces,
        deletedLogs: state.deletedLogs,
        ...(state.lastError ? { lastError: state.lastError } : {}),
      },
    };
  }
}
