import path from 'node:path';
import type { Config } from '../../core/config';
import { createLogStore, createMetricStore, createSpanStore, STORE_KEYS } from '../backends';
import type { ComponentFactory, Role } from './component';
import { pick } from './pick';

const WITH_STORES: readonly Role[] = ['all-in-one', 'ingest', 'query', 'alerter'];

/**
 * The span, log and metric stores of this process. With ingest on its own threads and
 * no query API here (the ingest role), the threads open their own and this
 * process needs none.
 */
export const storesFactory: ComponentFactory<Pick<Config, (typeof STORE_KEYS)[number]>> = {
  name: 'stores',
  settings: (config, role) => (WITH_STORES.includes(role) ? pick(config, STORE_KEYS) : null),
  create(settings, context) {
    const queryHere = context.role !== 'ingest';
    const needed = queryHere || !context.ingestThreadEntry;
    const cache = new Map<string, unknown>();
    const spanStore = needed ? createSpanStore(settings, cache) : undefined;
    const logStore = needed ? createLogStore(settings, cache, context.counters) : undefined;
    // metric points are written on the main thread (ingest/metrics-ingest.ts), so every role with stores opens it
    const metricStore = createMetricStore(settings, cache, context.ingestThreadEntry !== undefined);
    return {
      async start() {
        await metricStore.start();
        context.metricStore = metricStore;
        if (!spanStore || !logStore) return;
        await spanStore.start();
        context.spanStore = spanStore;
        await logStore.start();
        context.logStore = logStore;
        if (settings.spanStore === 'embedded') context.log(`chainscope: embedded store in ${path.resolve(settings.dataDir)}`);
      },
      async shutdown() {
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
      },
    };
  },
};
