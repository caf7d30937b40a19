import path from 'node:path';
import { MemoryBus } from '../bus/memory/memory-bus';
import { OtlpHttpReceiver } from '../collector/otlp-http/receiver';
import { OtlpPublisher } from '../collector/publisher';
import { loadConfig, type Config } from '../core/config';
import { DEFAULT_TOPICS } from '../core/contracts/bus';
import { Counters } from '../core/metrics';
import { IngestWorker } from '../ingest/ingest-worker';
import { QueryServer } from '../query-api/server';
import { openEmbeddedStores } from '../storage/embedded';

export interface AllInOneOptions extends Partial<Config> {
  /** Where lines about endpoints and problems go (default: console). */
  log?: (line: string) => void;
}

export interface RunningAllInOne {
  apiUrl: string;
  otlpUrl: string;
  counters: Counters;
  /** Stops accepting, drains what was accepted into the store, closes everything. Idempotent. */
  stop(): Promise<void>;
}

const UI_DIR = path.resolve(__dirname, '..', '..', 'ui', 'dist');
const UI_DIR_FROM_SOURCE = path.resolve(__dirname, '..', 'ui', 'dist');

/**
 * The all-in-one deployment: collector, in-process bus, ingest, embedded store,
 * query API + UI, and (unless switched off) the demo order center, in one process.
 * Options override the environment-derived config; port 0 picks a free port.
 */
export async function startAllInOne(options: AllInOneOptions = {}): Promise<RunningAllInOne> {
  const { log = (line: string) => console.log(line), ...overrides } = options;
  const config = loadConfig(process.env, overrides);
  const counters = new Counters();
  const stores = openEmbeddedStores({ dataDir: config.dataDir });
  const stopSteps: (() => Promise<void>)[] = [];
  const stop = once(async () => {
    for (const step of stopSteps.reverse()) {
      try {
        await step();
      } catch (err) {
        log(`chainscope: error while stopping: ${(err as Error)?.message ?? err}`);
      }
    }
  });

  try {
    await stores.spans.start();
    await stores.logs.start();
    stopSteps.push(() => stores.logs.shutdown(), () => stores.spans.shutdown());

    const bus = new MemoryBus({ capacityBytes: config.memoryBusCapacityBytes, log });
    await bus.start();
    const ingest = new IngestWorker({
      bus,
      topics: DEFAULT_TOPICS,
      group: 'ingest',
      spanStore: stores.spans,
      logStore: stores.logs,
      businessKeys: { attributeNames: config.businessKeys },
      batchSize: config.ingestBatchSize,
      counters,
      log,
    });
    await ingest.start();
    // Reverse order on stop: the bus drains into ingest before ingest stops.
    stopSteps.push(() => ingest.shutdown(), () => bus.shutdown());

    const query = new QueryServer({
      host: config.host,
      port: config.port,
      spanStore: stores.spans,
      logStore: stores.logs,
      counters,
      uiDir: pickUiDir(),
      log,
    });
    const apiPort = await query.start();
    stopSteps.push(() => query.shutdown());

    const receiver = new OtlpHttpReceiver({
      host: config.host,
      port: config.otlpHttpPort,
      maxRequestBytes: config.maxRequestBytes,
      maxInflightBytes: config.maxInflightBytes,
      publisher: new OtlpPublisher(bus, DEFAULT_TOPICS, config.maxBusMessageBytes),
      counters,
      log,
    });
    const otlpPort = await receiver.start();
    stopSteps.push(() => receiver.shutdown());

    const shownHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const apiUrl = `http://${shownHost}:${apiPort}`;
    const otlpUrl = `http://${shownHost}:${otlpPort}`;
    log(`chainscope: OTLP/HTTP receiver listening on ${otlpUrl} (POST /v1/traces, /v1/logs)`);
    log(`chainscope: query API and UI listening on ${apiUrl} (API under /api)`);
    log(`chainscope: embedded store in ${path.resolve(config.dataDir)}`);

    if (config.demo) {
      const { startDemo } = await import('../demo');
      const demo = await startDemo({ otlpEndpoint: otlpUrl, ordersPerSecond: config.demoRate, logger: log });
      stopSteps.push(() => demo.stop());
      log(`chainscope: demo order center sending ${config.demoRate} orders/s (DEMO=0 switches it off)`);
    }
    return { apiUrl, otlpUrl, counters, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function pickUiDir(): string {
  // Compiled: dist/bin/all-in-one.js → <repo>/ui/dist; from source (tests): bin/all-in-one.ts → <repo>/ui/dist.
  return __dirname.includes(`${path.sep}dist${path.sep}`) ? UI_DIR : UI_DIR_FROM_SOURCE;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}
