import crypto from 'node:crypto';
import path from 'node:path';
import type { LogStore } from '../core/contracts/log-store';
import type { MetricStore } from '../core/contracts/metric-store';
import type { SpanStore } from '../core/contracts/span-store';
import type { Counters } from '../core/metrics';
import { DEFAULT_TENANT, tenantNameOf, tenantStorageName } from '../core/security/tenants';
import { PerTenant } from '../core/tenancy/per-tenant';
import { createLogStore, createMetricStore, createSpanStore, type StoreSettings } from './backends';

const MAX_CLICKHOUSE_NAME = 128;

/**
 * Where a tenant's data lives: the default tenant where data has always been
 * (so single-tenant installs change nothing), every other tenant in places of
 * its own, so no query of one tenant can reach another's rows:
 * - embedded: `<DATA_DIR>/tenants/<tenant>/` (its own SQLite file);
 * - ClickHouse: database `<CLICKHOUSE_DATABASE>_t_<name>`;
 * - Elasticsearch/OpenSearch: index prefix `<LOG_INDEX_PREFIX>.<name>`
 *   (the default tenant's read pattern `<prefix>-*.*.*` never matches it);
 * `<name>` is tenantStorageName (only [a-z0-9_], one per tenant; for a
 * database name past 128 characters, 32 hex digits of the tenant's SHA-256).
 */
export function storeSettingsForTenant<S extends Pick<StoreSettings, 'dataDir' | 'clickhouseDatabase' | 'logIndexPrefix'>>(settings: S, tenant: string): S {
  if (tenantNameOf(tenant) === DEFAULT_TENANT) return settings;
  const name = tenantStorageName(tenant);
  const database = `${settings.clickhouseDatabase}_t_${name}`;
  return {
    ...settings,
    dataDir: path.join(settings.dataDir, 'tenants', tenant),
    // a ClickHouse name has at most 128 characters: a name with many '-' (each written as two) uses a hash of it instead
    clickhouseDatabase: database.length <= MAX_CLICKHOUSE_NAME ? database : `${settings.clickhouseDatabase}_t_${crypto.createHash('sha256').update(tenant).digest('hex').slice(0, 32)}`,
    logIndexPrefix: `${settings.logIndexPrefix}.${name}`,
  };
}

/** One tenant's stores in this process. */
export interface StoreSet {
  spanStore?: SpanStore;
  logStore?: LogStore;
  metricStore?: MetricStore;
}

export interface StoreSetOptions {
  /** Open the span and log stores (false: an ingest role whose threads open their own). */
  spansAndLogs: boolean;
  counters: Counters;
  /** Ingest runs on threads: the embedded file's retention is theirs, not this process's. */
  ingestThreads: boolean;
}

/** Opens one tenant's stores (span, log, and the metric store where there is one) and starts them. */
export async function openStoreSet(settings: StoreSettings, options: StoreSetOptions): Promise<StoreSet & { shutdown(): Promise<void> }> {
  const cache = new Map<string, unknown>();
  const spanStore = options.spansAndLogs ? createSpanStore(settings, cache) : undefined;
  const logStore = options.spansAndLogs ? createLogStore(settings, cache, options.counters) : undefined;
  // metric points are written on the main thread (ingest/metrics-ingest.ts), so every role with stores opens it
  const metricStore = createMetricStore(settings, cache, options.ingestThreads);
  const shutdown = async () => {
    // in reverse of their start; one failing does not keep the other open
    let failure: unknown;
    for (const store of [logStore, spanStore, metricStore]) {
      try {
        await store?.shutdown();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  };
  try {
    await metricStore?.start();
    await spanStore?.start();
    await logStore?.start();
  } catch (err) {
    await shutdown().catch(() => undefined);
    throw err;
  }
  return { spanStore, logStore, metricStore, shutdown };
}

/** Every tenant's stores of this process: the default tenant's given, the others opened on first use. */
export class TenantStores {
  private readonly others: PerTenant<StoreSet & { shutdown(): Promise<void> }>;

  constructor(
    private readonly own: StoreSet,
    settings: StoreSettings,
    options: StoreSetOptions,
  ) {
    this.others = new PerTenant((tenant) => openStoreSet(storeSettingsForTenant(settings, tenant), options), (set) => set.shutdown());
  }

  of(tenant: string): Promise<StoreSet> {
    return tenant === DEFAULT_TENANT ? Promise.resolve(this.own) : this.others.get(tenant);
  }

  /** Closes the other tenants' stores (the default tenant's belong to whoever gave them). */
  shutdown(): Promise<void> {
    return this.others.closeAll();
  }
}
