import path from 'node:path';
import type { Config } from '../../core/config';
import { STORE_KEYS } from '../backends';
import { openStoreSet, TenantStores, type StoreSet } from '../tenant-stores';
import type { ComponentFactory, Role } from './component';
import { pick } from './pick';

const WITH_STORES: readonly Role[] = ['all-in-one', 'ingest', 'query', 'alerter'];

/**
 * The span, log and metric stores of this process, per tenant (the default
 * tenant's opened at start, the others on first use; bin/tenant-stores.ts).
 * With ingest on its own threads and no query API here (the ingest role),
 * the threads open their own span and log stores and this process needs none.
 */
export const storesFactory: ComponentFactory<Pick<Config, (typeof STORE_KEYS)[number]>> = {
  name: 'stores',
  settings: (config, role) => (WITH_STORES.includes(role) ? pick(config, STORE_KEYS) : null),
  create(settings, context) {
    const queryHere = context.role !== 'ingest';
    const options = { spansAndLogs: queryHere || !context.ingestThreadEntry, counters: context.counters, ingestThreads: context.ingestThreadEntry !== undefined };
    let own: (StoreSet & { shutdown(): Promise<void> }) | undefined;
    let tenants: TenantStores | undefined;
    return {
      async start() {
        own = await openStoreSet(settings, options);
        context.metricStore = own.metricStore;
        context.spanStore = own.spanStore;
        context.logStore = own.logStore;
        tenants = new TenantStores(own, settings, options);
        context.tenantStores = tenants;
        if (own.spanStore && settings.spanStore === 'embedded') context.log(`chainscope: embedded store in ${path.resolve(settings.dataDir)}`);
      },
      async shutdown() {
        let failure: unknown;
        for (const part of [tenants, own]) {
          try {
            await part?.shutdown();
          } catch (err) {
            failure ??= err;
          }
        }
        if (failure) throw failure;
      },
    };
  },
};
