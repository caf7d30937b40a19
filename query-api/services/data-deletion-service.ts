import { isDataDeleter, type DataDeleter, type DeletionOutcome } from '../../core/contracts/data-deletion';
import type { LogStore } from '../../core/contracts/log-store';
import type { MetricStore } from '../../core/contracts/metric-store';
import type { SpanStore } from '../../core/contracts/span-store';
import { UnsupportedError } from '../../core/errors';
import type { AuditLog } from '../../core/security/audit-log';
import { tenantNameOf } from '../../core/security/tenants';

/** One tenant's stores, as bin/tenant-stores.ts opens them. */
export interface TenantStoreSet {
  spanStore?: SpanStore;
  logStore?: LogStore;
  metricStore?: MetricStore;
}

export interface DataDeletion {
  tenant: string;
  /** ISO-8601, or null: everything. */
  before: string | null;
  stores: DeletionOutcome[];
}

/**
 * An admin's deletion of a tenant's data, older than a time or all of it, on
 * every store the tenant has (span, log, metric; stores that share one body
 * of data, as the embedded file's do, are asked once), written to
 * the audit log once done. A store that cannot delete makes it a 501 before
 * anything is deleted.
 */
export async function deleteTenantData(
  stores: TenantStoreSet,
  tenant: string,
  beforeUs: number | null,
  audit: AuditLog,
  actor: string,
): Promise<DataDeletion> {
  tenantNameOf(tenant);
  const present = [stores.spanStore, stores.logStore, stores.metricStore].filter((s) => s !== undefined);
  const deleters = new Map<object, DataDeleter>();
  for (const store of present) {
    if (!isDataDeleter(store)) throw new UnsupportedError(`the ${(store as SpanStore).capabilities?.backend ?? 'configured'} store cannot delete data`);
    const unit = store.dataUnit ?? store;
    if (!deleters.has(unit)) deleters.set(unit, store);
  }
  const outcomes: DeletionOutcome[] = [];
  for (const store of deleters.values()) outcomes.push(await store.deleteData(beforeUs));
  const deletion: DataDeletion = { tenant, before: beforeUs === null ? null : new Date(beforeUs / 1000).toISOString(), stores: outcomes };
  audit.append('data.deleted', actor, { ...deletion });
  return deletion;
}

/** DELETE /api/admin/data: a tenant's stores from the process's TenantStores. */
export class DataDeletionService {
  constructor(
    private readonly storesOf: (tenant: string) => Promise<TenantStoreSet>,
    private readonly audit: AuditLog,
  ) {}

  async delete(tenant: string, beforeUs: number | null, actor: string): Promise<DataDeletion> {
    return deleteTenantData(await this.storesOf(tenantNameOf(tenant)), tenant, beforeUs, this.audit, actor);
  }
}
