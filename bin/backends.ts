import path from 'node:path';
import type { Counters } from '../core/metrics';
import type { Config } from '../core/config';
import type { Bus } from '../core/contracts/bus';
import type { LogStore } from '../core/contracts/log-store';
import type { MetricStore } from '../core/contracts/metric-store';
import type { SpanStore } from '../core/contracts/span-store';
import { ValidationError } from '../core/errors';
import type { MemoryBusOptions } from '../bus/memory/memory-bus';

/**
 * Builds the configured backends. Engines' client libraries are loaded only
 * when chosen, so the all-in-one on a bare machine never touches them.
 */
export interface Backends {
  bus?: Bus;
  spanStore?: SpanStore;
  logStore?: LogStore;
}

export type Log = (line: string) => void;

/** The keys the stores are built from (the stores component's section of the configuration). */
export const STORE_KEYS = [
  'spanStore', 'logStore', 'dataDir', 'retention', 'maxDiskBytes', 'businessKeys', 'indexedAttributes', 'chainStages',
  'clickhouseUrl', 'clickhouseDatabase', 'clickhouseUser', 'clickhousePassword', 'clickhouseRetentionDays',
  'elasticsearchUrl', 'elasticsearchApiKey', 'opensearchUrl', 'logIndexPrefix',
] as const satisfies readonly (keyof Config)[];
export type StoreSettings = Pick<Config, (typeof STORE_KEYS)[number]>;

/** The keys the bus is built from (the bus component's section). */
export const BUS_KEYS = [
  'bus', 'dataDir', 'walDir', 'walMaxBytes', 'walSegmentBytes', 'walSync', 'ingestThread', 'ingestThreads', 'memoryBusCapacityBytes', 'kafkaBrokers', 'kafkaPartitions',
] as const satisfies readonly (keyof Config)[];
export type BusSettings = Pick<Config, (typeof BUS_KEYS)[number]>;

/** `memory`: extra options of the in-process bus (e.g. where it spills at shutdown). */
export function createBus(config: BusSettings, log: Log, role: string, memory: Partial<MemoryBusOptions> = {}): Bus {
  checkBusForRole(config, role);
  if (config.bus === 'wal') {
    const { WalBus } = require('../bus/wal') as typeof import('../bus/wal');
    return new WalBus({
      dir: walDir(config),
      maxBytes: config.walMaxBytes,
      segmentBytes: config.walSegmentBytes,
      sync: config.walSync,
      // as many batches at once as there are ingest threads to take them
      maxInFlightBatches: config.ingestThread ? config.ingestThreads : 1,
      log,
    });
  }
  if (config.bus === 'memory') {
    const { MemoryBus } = require('../bus/memory/memory-bus') as typeof import('../bus/memory/memory-bus');
    return new MemoryBus({ capacityBytes: config.memoryBusCapacityBytes, log, ...memory });
  }
  const { KafkaBus } = require('../bus/kafka') as typeof import('../bus/kafka');
  return new KafkaBus({ brokers: config.kafkaBrokers, clientId: `chainscope-${role}`, numPartitions: config.kafkaPartitions, log });
}

/** The in-process buses live in one process: the distributed roles need Kafka. */
export function checkBusForRole(config: Pick<Config, 'bus'>, role: string): void {
  if (config.bus !== 'kafka' && role !== 'all-in-one') {
    throw new ValidationError(`BUS=${config.bus} only works in all-in-one; the ${role} role needs BUS=kafka`, 'BUS');
  }
}

/** The write-ahead log bus's folder: WAL_DIR, else `<DATA_DIR>/wal`. */
export function walDir(config: Pick<Config, 'walDir' | 'dataDir'>): string {
  return config.walDir || path.join(config.dataDir, 'wal');
}

/** How the embedded store is opened from the config (an ingest thread adds its write turn). */
export function embeddedStoreOptions(config: StoreSettings): import('../storage/embedded').EmbeddedStoreOptions {
  // every connection gets the limits (its status reports them); only the one that writes enforces them
  return {
    dataDir: config.dataDir,
    retention: { maxAgeUs: config.retention, maxBytes: config.maxDiskBytes },
    indexedAttributes: [...config.businessKeys, ...config.indexedAttributes],
    orderRollup: orderRollupSettings(config),
  };
}

/** The per-minute order roll-up of every configured business key, with the configured stage rules. */
function orderRollupSettings(config: StoreSettings): import('../core/contracts/span-store').OrderRollupSettings {
  return { keys: config.businessKeys, stages: config.chainStages };
}

/** The embedded database is shared by its span and log stores: open it once per process. */
function embedded(config: StoreSettings, cache: Map<string, unknown>) {
  let stores = cache.get('embedded') as import('../storage/embedded').EmbeddedStores | undefined;
  if (!stores) {
    const { openEmbeddedStores } = require('../storage/embedded') as typeof import('../storage/embedded');
    stores = openEmbeddedStores(embeddedStoreOptions(config));
    cache.set('embedded', stores);
  }
  return stores;
}

export function createSpanStore(config: StoreSettings, cache: Map<string, unknown>): SpanStore {
  if (config.spanStore === 'embedded') return embedded(config, cache).spans;
  const { ClickHouseSpanStore } = require('../storage/clickhouse') as typeof import('../storage/clickhouse');
  return new ClickHouseSpanStore({ ...clickhouseConnection(config), orderRollup: orderRollupSettings(config) });
}

/** Where ClickHouse is and who connects: the address, database and credentials every ClickHouse store takes. */
export interface ClickHouseCredentials {
  url: string;
  database: string;
  username: string;
  password: string;
}

export function clickhouseCredentials(config: Pick<Config, 'clickhouseUrl' | 'clickhouseDatabase' | 'clickhouseUser' | 'clickhousePassword'>): ClickHouseCredentials {
  return { url: config.clickhouseUrl, database: config.clickhouseDatabase, username: config.clickhouseUser, password: config.clickhousePassword };
}

/** Where and how the ClickHouse span and metric stores connect; a configured retention goes to both alike. */
export function clickhouseConnection(config: StoreSettings) {
  const connection = clickhouseCredentials(config);
  return config.clickhouseRetentionDays === null ? connection : { ...connection, retentionDays: config.clickhouseRetentionDays };
}

/**
 * The metric store beside the span store: on the embedded file, or in ClickHouse's own metric tables.
 * `ingestThreads`: the embedded file's retention runs on the first ingest thread, not here.
 */
export function createMetricStore(config: StoreSettings, cache: Map<string, unknown>, ingestThreads: boolean): MetricStore {
  if (config.spanStore === 'embedded') {
    const { openEmbeddedMetricStore } = require('../storage/embedded') as typeof import('../storage/embedded');
    return openEmbeddedMetricStore(embedded(config, cache), !ingestThreads);
  }
  const { ClickHouseMetricStore } = require('../storage/clickhouse') as typeof import('../storage/clickhouse');
  return new ClickHouseMetricStore(clickhouseConnection(config));
}

/** `counters`: where a search-engine store counts written, duplicate, retried and dead-lettered records (shown on /metrics). */
export function createLogStore(config: StoreSettings, cache: Map<string, unknown>, counters?: Counters): LogStore {
  if (config.logStore === 'embedded') return embedded(config, cache).logs;
  const search = require('../storage/search') as typeof import('../storage/search');
  if (config.logStore === 'opensearch') {
    return search.openSearchLogStore({ url: config.opensearchUrl, indexPrefix: config.logIndexPrefix, counters });
  }
  return search.elasticsearchLogStore({
    url: config.elasticsearchUrl,
    apiKey: config.elasticsearchApiKey || undefined,
    indexPrefix: config.logIndexPrefix,
    counters,
  });
}
