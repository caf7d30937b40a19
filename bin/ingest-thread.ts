import { parentPort, workerData } from 'node:worker_threads';
import { isRetriable } from '../core/errors';
import { Counters } from '../core/metrics';
import type { EdgeReport, FromThread, IngestThreadData, ToThread, WireMessage } from '../ingest/thread/protocol';
import { CounterDeltaWriter, type CounterDeltas } from '../ingest/thread/counter-deltas';
import { writeTurnTimer } from '../ingest/thread/write-turn-counters';
import { ThreadServiceGraph } from '../ingest/thread/thread-service-graph';
import { SpanMetrics } from '../ingest/span-metrics/span-metrics';
import { WriteTurn } from '../storage/embedded/write-turn';
import { createLogStore, createSpanStore, embeddedStoreOptions } from './backends';
import { storeBatchProcessor } from './components/store-processor';
import { storeSettingsForTenant } from './tenant-stores';
import { TenantBatchProcessor } from '../ingest/tenant-batch-processor';
import type { BatchProcessor } from '../ingest/batch-processor';
import type { Span } from '../core/model';
import { DEFAULT_TENANT } from '../core/security/tenants';

/**
 * Entry of an ingest worker thread: opens its own stores from the config it
 * was given and processes the batches its owner posts. Several such threads
 * write one embedded database through connections of their own, taking turns
 * for the write transaction; only the first runs retention. Each tenant's
 * batches go to that tenant's stores, opened on its first batch.
 */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('bin/ingest-thread must run as a worker thread');
  const { config, writeTurn, deletes, shard } = workerData as IngestThreadData;
  const reply = (msg: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
  // the store's own counters travel with the processor's to the owner's /metrics
  const counters = new Counters();
  // span metrics are counted here; service-graph pairs of this thread's shard of traces too (tallies go to the owner)
  const spanMetrics = new SpanMetrics({ counters, maxSeries: config.spanMetricsMaxSeries });
  const serviceGraph = config.spanMetricsMaxSeries > 0 ? new ThreadServiceGraph(shard) : null;
  const observing = {
    countSpans: () => spanMetrics.batch(),
    observeSpans: (spans: Span[]) => serviceGraph?.addSpans(spans),
  };
  /** One tenant's stores, opened by this thread, and the processor writing them (closed with them). */
  const openTenant = async (tenant: string): Promise<BatchProcessor> => {
    const settings = storeSettingsForTenant(config, tenant);
    const cache = new Map<string, unknown>();
    if (settings.spanStore === 'embedded' || settings.logStore === 'embedded') {
      const { openEmbeddedStores } = require('../storage/embedded') as typeof import('../storage/embedded');
      const options = embeddedStoreOptions(settings);
      cache.set('embedded', openEmbeddedStores({
        ...options,
        retention: deletes ? options.retention : undefined,
        writeTurn: writeTurn && new WriteTurn(writeTurn, undefined, writeTurnTimer(counters)),
        cacheSizeMiB: config.ingestThreadCacheMiB,
      }));
    }
    const spanStore = createSpanStore(settings, cache);
    const logStore = createLogStore(settings, cache, counters);
    const shutdown = async () => {
      await processor.close();
    };
    try {
      await spanStore.start();
      await logStore.start();
    } catch (err) {
      await shutdown().catch(() => undefined);
      throw err;
    }
    const processor = storeBatchProcessor(config, { spanStore, logStore }, counters, observing);
    return { process: (signal, topic, messages) => processor.process(signal, topic, messages), close: shutdown };
  };
  const processor = new TenantBatchProcessor(openTenant);
  try {
    // the default tenant's stores open at start: a store that cannot start fails the thread's start as before
    await processor.prepare(DEFAULT_TENANT);
  } catch (err) {
    reply({ type: 'started-failed', message: (err as Error)?.message ?? String(err) });
    return;
  }
  const counterDeltas = new CounterDeltaWriter();
  /** The counters' growth and the service graph's report since the last reply, with the buffers to transfer. */
  const report = (): { counters: CounterDeltas; edges: EdgeReport | null; transfer: ArrayBuffer[] } => {
    const grown = counterDeltas.take(counters);
    const graph = serviceGraph?.report() ?? { edges: null, transfer: [] };
    return { counters: grown.deltas, edges: graph.edges, transfer: [...grown.transfer, ...graph.transfer] };
  };

  // Batches are handled as they come (the owner's bus serialises each partition), so one batch's
  // decoding overlaps another's store round trip; close waits for all of them.
  const inFlight = new Set<Promise<void>>();
  const handle = async (msg: Extract<ToThread, { type: 'process' }>) => {
    const messages = msg.messages.map((m) => ({ ...m, value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) }));
    try {
      const dead = await processor.process(msg.signal, msg.topic, messages);
      const wire: WireMessage[] = dead.map((m) => ({ key: m.key, headers: m.headers, value: new Uint8Array(m.value) }));
      const { counters: grown, edges, transfer } = report();
      reply({ type: 'done', id: msg.id, deadLetters: wire, counters: grown, edges }, [...wire.map((m) => m.value.buffer as ArrayBuffer), ...transfer]);
    } catch (err) {
      const { counters: grown, edges, transfer } = report();
      reply({ type: 'failed', id: msg.id, message: (err as Error)?.message ?? String(err), retriable: isRetriable(err), counters: grown, edges }, transfer);
    }
  };
  port.on('message', (msg: ToThread) => {
    if (msg.type === 'process') {
      const work = handle(msg);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      return;
    }
    if (msg.type === 'edge-halves') {
      if (!serviceGraph) return;
      serviceGraph.addForeign(msg.halves);
      const { edges, transfer } = serviceGraph.report();
      if (edges.totals) reply({ type: 'edges', edges }, transfer);
      return;
    }
    void Promise.allSettled([...inFlight]).then(async () => {
      await processor.close();
      reply({ type: 'closed' });
      port.close();
    });
  });
  reply({ type: 'ready' });
}

main().catch((err) => {
  parentPort?.postMessage({ type: 'started-failed', message: (err as Error)?.stack ?? String(err) } satisfies FromThread);
});
