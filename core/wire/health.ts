import type { StoreStatus } from '../contracts/store-status';

export type { DiskStatus, RetentionStatus, StoreStatus } from '../contracts/store-status';

/** GET /api/health (answered with 503 and the same body when degraded). */
export interface HealthReport {
  /** `degraded` when anything reports a problem: data may not be stored right now. */
  status: 'ok' | 'degraded';
  /** Every problem, each once, prefixed with where it comes from. */
  problems: string[];
  /** Things to look at soon (e.g. disk almost full); they do not make the status degraded. */
  warnings: string[];
  spanStore: string;
  logStore: string;
  /** What each store says about itself (disk, retention), when it can tell. */
  stores: { spans?: StoreStatus; logs?: StoreStatus };
  /** Details of the other checks, by name. */
  checks: Record<string, unknown>;
}
