import { parentPort, workerData } from 'node:worker_threads';
import { isRetriable } from '../core/errors';
import { Counters } from '../core/metrics';
import type { FromThread, ToThread, WireMessage } from '../ingest/thread/protocol';
import type { IngestThreadData } from '../ingest/thread/protocol';
import { EdgeHalfPacker } from '../ingest/span-metrics/edge-halves';
import { SpanMetrics } from '../ingest/span-metrics/span-metrics';
import { WriteTurn } from '../storage/embedded/write-turn';
import { createLogStore, createSpanStore, embeddedStoreOptions } from './backends';
import { storeBatchProcessor } from './components/store-processor';

/**
 * Entry of an ingest worker thread: opens its own stores from the config it
 * was given and processes the batches its owner posts. Several such threads
 * write one embedded database through connections of their own, taking turns
 * for the write transaction; only the first runs retention.
 */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('bin/ingest-thread must run as a worker thread');
  const { config, writeTurn, deletes } = workerData as IngestThreadData;
  const reply = (msg: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
  const cache = new Map<string, unknown>();
  if (config.spanStore === 'embedded' || config.logStore === 'embedded') {
    const { openEmbeddedStores } = require('../storage/embedded') as typeof import('../storage/embedded');
    const options = embeddedStoreOptions(config);
    cache.set('embedded', openEmbeddedStores({ ...options, retention: deletes ? options.retention : undefined, writeTurn: writeTurn && new WriteTurn(writeTurn) }));
  }
  // the store's own counters travel with the processor's to the owner's /metrics
  const counters = new Counters();
  const spanStore = createSpanStore(config, cache);
  const logStore = createLogStore(config, cache, counters);
  try {
    await spanStore.start();
    await logStore.start();
  } catch (err) {
    reply({ type: 'started-failed', message: (err as Error)?.message ?? String(err) });
    return;
  }
  // span metrics are counted here; service-graph halves go to the owner, which pairs them across threads
  const spanMetrics = new SpanMetrics({ counters, maxSeries: config.spanMetricsMaxSeries });
  const edgeHalves = new EdgeHalfPacker();
  const processor = storeBatchProcessor(config, { spanStore, logStore }, counters, (spans) => {
    spanMetrics.record(spans);
    if (config.spanMetricsMaxSeries > 0) edgeHalves.add(spans);
  });
  const takeEdgeHalves = () => (config.spanMetricsMaxSeries > 0 ? edgeHalves.take() : null);
  let reported: Record<string, number> = {};
  const counterDeltas = () => {
    const now = counters.snapshot();
    const delta = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (reported[k] ?? 0)]).filter(([, v]) => v !== 0));
    reported = now;
    return delta;
  };

  // Batches are handled as they come (the owner's bus serialises each partition), so one batch's
  // decoding overlaps another's store round trip; close waits for all of them.
  const inFlight = new Set<Promise<void>>();
  const handle = async (msg: Extract<ToThread, { type: 'process' }>) => {
    const messages = msg.messages.map((m) => ({ ...m, value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) }));
    try {
      const dead = await processor.process(msg.signal, msg.topic, messages);
      const wire: WireMessage[] = dead.map((m) => ({ key: m.key, headers: m.headers, value: new Uint8Array(m.value) }));
      reply({ type: 'done', id: msg.id, deadLetters: wire, counters: counterDeltas(), edgeHalves: takeEdgeHalves() }, wire.map((m) => m.value.buffer as ArrayBuffer));
    } catch (err) {
      reply({ type: 'failed', id: msg.id, message: (err as Error)?.message ?? String(err), retriable: isRetriable(err), counters: counterDeltas(), edgeHalves: takeEdgeHalves() });
    }
  };
  port.on('message', (msg: ToThread) => {
    if (msg.type === 'process') {
      const work = handle(msg);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      return;
    }
    void Promise.allSettled([...inFlight]).then(async () => {
      await spanStore.shutdown();
      await logStore.shutdown();
      reply({ type: 'closed' });
      port.close();
    });
  });
  reply({ type: 'ready' });
}

main().catch((err) => {
  parentPort?.postMessage({ type: 'started-failed', message: (err as Error)?.stack ?? String(err) } satisfies FromThread);
});
