import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config';
import { MemoryBus } from '../../bus/memory/memory-bus';
import type { BatchProcessor } from '../../ingest/batch-processor';
import { IngestWorker } from '../../ingest/ingest-worker';
import { TenantBatchProcessor } from '../../ingest/tenant-batch-processor';
import { UnsupportedError } from '../../core/errors';
import type { Span } from '../../core/model';
import { MetricsIngest } from '../../ingest/metrics-ingest';
import type { IngestThreadData } from '../../ingest/thread/protocol';
import { EdgePairing, SERVICE_GRAPH_PAIRING } from '../../ingest/span-metrics/edge-pairing';
import { ServiceGraph } from '../../ingest/span-metrics/service-graph';
import { describeSpanMetrics, SpanMetrics } from '../../ingest/span-metrics/span-metrics';
import { ThreadedBatchProcessor } from '../../ingest/thread/threaded-processor';
import { describeWriteTurnCounters } from '../../ingest/thread/write-turn-counters';
import { WriteTurn } from '../../storage/embedded/write-turn';
import type { ComponentFactory, Log, Role } from './component';
import { repoRoot } from './paths';
import { pick } from './pick';
import { PROCESSOR_KEYS, storeBatchProcessor } from './store-processor';

const WITH_INGEST: readonly Role[] = ['all-in-one', 'ingest'];

const INGEST_KEYS = [...PROCESSOR_KEYS, 'ingestThread', 'ingestThreads', 'ingestThreadMaxOldSpaceMiB', 'ingestThreadCacheMiB', 'spansTopic', 'logsTopic', 'metricsTopic', 'jsonLogsTopic', 'ingestGroup'] as const satisfies readonly (keyof Config)[];
type IngestSettings = Pick<Config, (typeof INGEST_KEYS)[number]>;

/** The compiled ingest thread when this role ingests on threads (INGEST_THREAD); without a build (sources only) ingest stays on the main thread. */
export function ingestThreadEntry(role: Role, config: Pick<Config, 'ingestThread'>, log: Log): string | undefined {
  if (!WITH_INGEST.includes(role) || !config.ingestThread) return undefined;
  const entry = path.join(repoRoot(), 'dist', 'bin', 'ingest-thread.js');
  if (fs.existsSync(entry)) return entry;
  log(`chainscope: ${entry} not built; ingest runs on the main thread (npm run build to change that)`);
  return undefined;
}

/**
 * Consumes the bus into the stores: on INGEST_THREADS worker threads with
 * their own store connections, or on this thread through its stores.
 */
export const ingestFactory: ComponentFactory<IngestSettings> = {
  name: 'ingest',
  settings: (config, role) => (WITH_INGEST.includes(role) ? pick(config, INGEST_KEYS) : null),
  create(settings, context) {
    const { counters, log } = context;
    let processor: BatchProcessor | undefined;
    let worker: IngestWorker | undefined;
    let metrics: MetricsIngest | undefined;
    return {
      async start() {
        const bus = context.bus!;
        const serviceGraph = new ServiceGraph({ counters, maxSeries: settings.spanMetricsMaxSeries });
        if (context.ingestThreadEntry) {
          describeSpanMetrics(counters);
          const writeTurn = settings.ingestThreads > 1 ? WriteTurn.shared() : undefined;
          const config = context.config;
          // the turn is taken by embedded writes only
          if (writeTurn && (config.spanStore === 'embedded' || config.logStore === 'embedded')) describeWriteTurnCounters(counters);
          const threaded = new ThreadedBatchProcessor({
            entry: context.ingestThreadEntry,
            threads: settings.ingestThreads,
            maxOldSpaceMiB: settings.ingestThreadMaxOldSpaceMiB,
            workerData: (index): IngestThreadData => ({ config, writeTurn, deletes: index === 0, shard: { index, count: settings.ingestThreads } }),
            counters,
            // a thread that stopped mid-write (out of memory) must not leave the others waiting for its turn
            onStopped: (threadId) => writeTurn && WriteTurn.releaseHeldBy(writeTurn, threadId),
            onEdgeTotals: (totals) => serviceGraph.record(totals),
            log,
          });
          processor = threaded;
          await threaded.start();
        } else {
          const spanMetrics = new SpanMetrics({ counters, maxSeries: settings.spanMetricsMaxSeries });
          const pairing = new EdgePairing(SERVICE_GRAPH_PAIRING);
          const observing = {
            countSpans: () => spanMetrics.batch(),
            observeSpans: (spans: Span[]) => {
              if (settings.spanMetricsMaxSeries <= 0) return;
              pairing.addSpans(spans);
              serviceGraph.record(pairing.take());
            },
          };
          // the stores component owns every tenant's stores: these processors hold nothing to close
          processor = new TenantBatchProcessor(async (tenant) => {
            const { spanStore, logStore } = await context.tenantStores!.of(tenant);
            return storeBatchProcessor(settings, { spanStore: spanStore!, logStore: logStore! }, counters, observing);
          });
        }
        const topics = { spans: settings.spansTopic, logs: settings.logsTopic, jsonLogs: settings.jsonLogsTopic || undefined };
        worker = new IngestWorker({ bus, topics, group: settings.ingestGroup, processor, counters, log });
        await worker.start();
        if (context.metricStore) {
          const storeOf = async (tenant: string) => {
            const { metricStore } = await context.tenantStores!.of(tenant);
            if (!metricStore) throw new UnsupportedError(`tenant ${tenant} has no metric store`);
            return metricStore;
          };
          metrics = new MetricsIngest({ bus, topic: settings.metricsTopic, group: settings.ingestGroup, storeOf, counters, log });
          await metrics.start();
        }
        if (context.keeper && bus instanceof MemoryBus) context.keeper.restore(bus);
      },
      async shutdown() {
        // The bus stops first: an in-process bus drains into ingest before ingest stops.
        await context.bus?.shutdown();
        await metrics?.shutdown();
        if (worker) await worker.shutdown(); // closes the processor
        else await processor?.close();
      },
    };
  },
};
