import path from 'node:path';
import { OtlpHttpReceiver, otlpHttpLimitsFrom } from '../collector/otlp-http/receiver';
import { OtlpPublisher } from '../collector/publisher';
import { SyslogReceiver } from '../collector/syslog/receiver';
import { loadConfig, type Config } from '../core/config';
import { Counters } from '../core/metrics';
import { httpServerLimitsFrom } from '../core/util/http-server';
import fs from 'node:fs';
import { StoreBatchProcessor, type BatchProcessor } from '../ingest/batch-processor';
import { compileBodyPatterns } from '../ingest/business-keys';
import { IngestWorker } from '../ingest/ingest-worker';
import type { IngestThreadData } from '../ingest/thread/protocol';
import { ThreadedBatchProcessor } from '../ingest/thread/threaded-processor';
import { WriteTurn } from '../storage/embedded/write-turn';
import { QueryServer } from '../query-api/server';
import { createBus, createLogStore, createSpanStore, walDir, type Log } from './components';
import { OpsServer } from './ops-server';
import { MemoryBus } from '../bus/memory/memory-bus';
import { SpillKeeper } from '../bus/memory/spill-keeper';
import { SpillStore } from '../bus/memory/spill-store';
import { WalBus } from '../bus/wal';
import { CannotStartError } from '../core/errors';
import { cannotListen, startListening } from '../core/util/listen-errors';
import { ensureWritableDir } from '../core/util/writable-dir';
import { hostPort, isAllInterfaces, listenAddress } from './listen-address';
import type { HealthCheck } from '../query-api/services/health-service';

export const ROLES = ['all-in-one', 'collector', 'ingest', 'query'] as const;
export type Role = (typeof ROLES)[number];

export interface RoleOptions extends Partial<Config> {
  /** Where lines about endpoints and problems go (default: console). */
  log?: Log;
}

export interface RunningRole {
  role: Role;
  config: Config;
  /** Query API + UI (all-in-one, query) or health/metrics (collector, ingest). */
  apiUrl: string;
  /** OTLP/HTTP receiver (all-in-one, collector); '' otherwise. */
  otlpUrl: string;
  /** Syslog listener ports (all-in-one, collector; SYSLOG_TCP_PORT / SYSLOG_UDP_PORT); null when off. */
  syslog?: { tcpPort: number | null; udpPort: number | null };
  counters: Counters;
  /** Stops accepting, drains what was accepted, closes everything. Idempotent. */
  stop(): Promise<void>;
}

const HAS = {
  receiver: ['all-in-one', 'collector'],
  ingest: ['all-in-one', 'ingest'],
  queryApi: ['all-in-one', 'query'],
  bus: ['all-in-one', 'collector', 'ingest'],
  stores: ['all-in-one', 'ingest', 'query'],
} as const satisfies Record<string, readonly Role[]>;

const has = (part: keyof typeof HAS, role: Role) => (HAS[part] as readonly Role[]).includes(role);

/**
 * Starts one role from the same parts: all-in-one wires all of them in one
 * process, the distributed roles one each. Options override the config from
 * CONFIG_FILE and the environment; port 0 picks a free port.
 */
export async function startRole(role: Role, options: RoleOptions = {}): Promise<RunningRole> {
  const { log = (line: string) => console.log(line), ...overrides } = options;
  const config = withDemoDefaults(role, loadConfig(process.env, overrides));
  const counters = new Counters();
  const stopSteps: { name: string; run: () => Promise<void> }[] = [];
  const stop = once(async () => {
    for (const step of stopSteps.reverse()) {
      try {
        await step.run();
      } catch (err) {
        log(`chainscope: error while stopping ${step.name}: ${(err as Error)?.message ?? err}`);
      }
    }
  });

  try {
    if (usesDataDir(role, config)) ensureWritableDir(config.dataDir, 'DATA_DIR');
    if (role === 'all-in-one' && config.bus === 'wal' && config.walDir) ensureWritableDir(config.walDir, 'WAL_DIR');
    // The in-process bus keeps what it could not write by shutdown (full disk) for the next start.
    const keeper = role === 'all-in-one' && config.bus === 'memory' ? openSpillKeeper(config, log) : undefined;
    const cache = new Map<string, unknown>();
    const threadEntry = has('ingest', role) && config.ingestThread ? ingestThreadEntry(log) : undefined;
    // With ingest on its own thread, the main thread needs stores only to answer queries.
    const storesHere = has('queryApi', role) || (has('ingest', role) && !threadEntry);
    const spanStore = storesHere ? createSpanStore(config, cache) : undefined;
    const logStore = storesHere ? createLogStore(config, cache, counters) : undefined;
    if (spanStore && logStore) {
      await spanStore.start();
      stopSteps.push({ name: 'span store', run: () => spanStore.shutdown() });
      await logStore.start();
      stopSteps.push({ name: 'log store', run: () => logStore.shutdown() });
    }

    const bus = has('bus', role) ? createBus(config, log, role, keeper ? { spill: keeper.spill } : {}) : undefined;
    if (bus) await bus.start();
    const topics = { spans: config.spansTopic, logs: config.logsTopic };
    if (bus && has('ingest', role)) {
      let processor: BatchProcessor;
      if (threadEntry) {
        const writeTurn = config.ingestThreads > 1 ? WriteTurn.shared() : undefined;
        const threaded = new ThreadedBatchProcessor({
          entry: threadEntry,
          threads: config.ingestThreads,
          workerData: (index): IngestThreadData => ({ config, writeTurn, deletes: index === 0 }),
          counters,
          log,
        });
        stopSteps.push({ name: 'ingest thread', run: () => threaded.close() });
        await threaded.start();
        processor = threaded;
      } else {
        processor = new StoreBatchProcessor({
          spanStore: spanStore!,
          logStore: logStore!,
          businessKeys: { attributeNames: config.businessKeys, bodyPatterns: compileBodyPatterns(config.businessKeyPatterns) },
          payloadEncoding: config.kafkaEncoding,
          batchSize: config.ingestBatchSize,
          jsonLogsMapping: config.jsonLogsMapping,
          counters,
        });
      }
      const ingestTopics = { ...topics, jsonLogs: config.jsonLogsTopic || undefined };
      const ingest = new IngestWorker({ bus, topics: ingestTopics, group: config.ingestGroup, processor, counters, log });
      await ingest.start();
      stopSteps.push({ name: 'ingest', run: () => ingest.shutdown() });
      if (keeper && bus instanceof MemoryBus) keeper.restore(bus);
    }
    // On stop the bus goes before ingest: an in-process bus drains into ingest first.
    if (bus) stopSteps.push({ name: 'bus', run: () => bus.shutdown() });

    let apiUrl: string;
    if (spanStore && logStore && has('queryApi', role)) {
      const query = new QueryServer({
        host: config.host,
        port: config.port,
        spanStore,
        logStore,
        counters,
        uiDir: uiDir(),
        log,
        chains: { businessKeys: config.businessKeys, maxTraces: config.chainMaxTraces, stages: config.chainStages, expectedWaits: config.chainExpectedWaits },
        healthChecks: bus instanceof MemoryBus || bus instanceof WalBus ? [localBusHealth(bus, keeper)] : [],
        limits: httpServerLimitsFrom(config),
      });
      stopSteps.push({ name: 'query API', run: () => query.shutdown() });
      const at = listenAddress(config.host, await startListening(() => query.start(), 'PORT', config.host, config.port));
      apiUrl = at.url;
      log(`chainscope: query API and UI listening on ${at.shown} (API under /api)`);
    } else {
      const ops = new OpsServer({ host: config.host, port: config.port, role, counters });
      stopSteps.push({ name: 'ops server', run: () => ops.shutdown() });
      const at = listenAddress(config.host, await startListening(() => ops.start(), 'PORT', config.host, config.port));
      apiUrl = at.url;
      log(`chainscope: ${role} health and metrics on ${at.shown} (/health, /metrics)`);
    }

    let otlpUrl = '';
    if (bus && has('receiver', role)) {
      const receiver = new OtlpHttpReceiver({
        host: config.host,
        port: config.otlpHttpPort,
        maxRequestBytes: config.maxRequestBytes,
        maxInflightBytes: config.maxInflightBytes,
        ...otlpHttpLimitsFrom(config),
        publisher: new OtlpPublisher(bus, topics, config.maxBusMessageBytes),
        counters,
        log,
      });
      stopSteps.push({ name: 'receiver', run: () => receiver.shutdown() });
      const at = listenAddress(config.host, await startListening(() => receiver.start(), 'OTLP_HTTP_PORT', config.host, config.otlpHttpPort));
      otlpUrl = at.url;
      log(`chainscope: OTLP/HTTP receiver listening on ${at.shown} (POST /v1/traces, /v1/logs)`);
    }
    let syslog: RunningRole['syslog'];
    if (bus && has('receiver', role) && (config.syslogTcpPort !== null || config.syslogUdpPort !== null)) {
      const receiver = new SyslogReceiver({
        host: config.host,
        tcpPort: config.syslogTcpPort,
        udpPort: config.syslogUdpPort,
        maxMessageBytes: config.syslogMaxMessageBytes,
        maxConnections: config.syslogMaxConnections,
        idleTimeoutMs: config.syslogIdleTimeoutMs,
        defaultService: config.syslogDefaultService,
        promotedKeys: config.businessKeys,
        publisher: new OtlpPublisher(bus, topics, config.maxBusMessageBytes),
        counters,
        log,
      });
      stopSteps.push({ name: 'syslog receiver', run: () => receiver.shutdown() });
      try {
        syslog = await receiver.start();
      } catch (err) {
        // a UDP socket fails in bind, a TCP server in listen
        const udp = (err as NodeJS.ErrnoException)?.syscall === 'bind';
        throw cannotListen(err, udp ? 'SYSLOG_UDP_PORT' : 'SYSLOG_TCP_PORT', config.host, (udp ? config.syslogUdpPort : config.syslogTcpPort) ?? 0);
      }
      const ports = [syslog.tcpPort !== null ? `tcp ${hostPort(config.host, syslog.tcpPort)}` : '', syslog.udpPort !== null ? `udp ${hostPort(config.host, syslog.udpPort)}` : ''];
      const everywhere = isAllInterfaces(config.host) ? ' (all interfaces)' : '';
      log(`chainscope: syslog receiver listening on ${ports.filter(Boolean).join(', ')}${everywhere} (RFC 5424, RFC 3164)`);
    }
    log(`chainscope: ${role} running (bus ${has('bus', role) ? config.bus : '-'}, spans ${spanStore ? config.spanStore : '-'}, logs ${logStore ? config.logStore : '-'})`);
    if (config.spanStore === 'embedded' && spanStore) log(`chainscope: embedded store in ${path.resolve(config.dataDir)}`);
    if (bus instanceof WalBus) log(`chainscope: write-ahead log in ${path.resolve(walDir(config))} (what is answered 200 is on disk first; BUS=wal)`);

    const demoLogDir = role === 'all-in-one' && config.demo ? config.demoLogDir : null;
    if (role === 'all-in-one' && (config.logPaths.length > 0 || demoLogDir)) {
      const { Shipper, shipperOptionsFromConfig } = await import('../collector/shipper');
      const options = shipperOptionsFromConfig(config, otlpUrl);
      if (config.statusLines === 'off') options.statusIntervalMs = 0;
      const demoSources = demoLogDir ? [await demoLogSource(demoLogDir)] : [];
      // Demo files first: a file claimed by an earlier source is not taken again by a LOG_PATHS glob
      // (a file belongs to the first source whose glob matches it), so no demo file is shipped twice.
      options.sources = [...demoSources, ...(config.logPaths.length > 0 ? options.sources : [])];
      const shipper = new Shipper(options, log);
      await shipper.start();
      stopSteps.push({
        name: 'log shipper',
        run: async () => {
          // The demo stopped just before: let its last lines go out (they would otherwise wait for the next start).
          if (demoLogDir) await waitUntilShipped(shipper, 2_000);
          await shipper.shutdown();
        },
      });
      if (config.logPaths.length > 0) {
        const naming = config.logServiceFrom.length > 0 ? `service from ${config.logServiceFrom.join(', ')}, else ${config.logService}` : `as service ${config.logService}`;
        log(`chainscope: shipping ${config.logPaths.join(' ')} ${naming} through ${otlpUrl} (LOG_PATHS)`);
      }
      if (demoLogDir) log(`chainscope: shipping the demo's log files ${path.join(demoLogDir, '*.log')} through ${otlpUrl} (DEMO_LOG_DIR)`);
    }
    if (role === 'all-in-one' && config.demo) {
      const { startDemo } = await import('../demo');
      const demo = await startDemo({ otlpEndpoint: otlpUrl, ordersPerSecond: config.demoRate, logger: log, logDir: demoLogDir ?? undefined, ...(config.statusLines === 'off' ? { statsIntervalMs: 0 } : {}) });
      stopSteps.push({ name: 'demo', run: () => demo.stop() });
      log(`chainscope: demo order center sending ${config.demoRate} orders/s (DEMO=0 switches it off)`);
    }
    return { role, config, apiUrl, otlpUrl, syslog, counters, stop };
  } catch (err) {
    await stop();
    throw asCannotStart(err);
  }
}

/** Whether this role keeps anything under DATA_DIR (embedded store, bus, shipper checkpoints, demo logs). */
function usesDataDir(role: Role, config: Config): boolean {
  if (role === 'all-in-one') return true;
  const embedded = config.spanStore === 'embedded' || config.logStore === 'embedded';
  return (role === 'ingest' || role === 'query') && embedded;
}

function openSpillKeeper(config: Config, log: Log): SpillKeeper {
  // Room for everything both subscribed topics can hold unwritten at once.
  const keeper = new SpillKeeper(new SpillStore(config.dataDir, 2 * config.memoryBusCapacityBytes), log);
  keeper.open();
  return keeper;
}

/**
 * /api/health of the all-in-one's own bus: a consumer that cannot write (its store failing, e.g. disk full)
 * and, for the in-process bus, messages kept at the last shutdown and not yet written.
 */
function localBusHealth(bus: MemoryBus | WalBus, keeper: SpillKeeper | undefined): HealthCheck {
  const meanwhile =
    bus instanceof WalBus
      ? 'new data waits in the write-ahead log and is refused with 503 once the log is full'
      : 'new data is refused with 503 until it can';
  return {
    name: 'ingest',
    check: () => {
      const status = bus.status();
      const problems = status.failing.map((f) => `cannot write ${f.topic} since ${new Date(f.sinceMs).toISOString()}: ${f.reason}; ${meanwhile}`);
      if (bus instanceof WalBus) {
        for (const f of bus.failingAppends()) problems.push(`${f.reason} (since ${new Date(f.sinceMs).toISOString()}); senders get 503 until an append succeeds`);
      }
      return { problems, detail: { ...status, keptFromLastShutdown: keeper?.waitingMessages() ?? 0 } };
    },
  };
}

/** A store that cannot open for want of disk space is a start-up failure of one line, not a stack trace. */
function asCannotStart(err: unknown): unknown {
  const message = (err as Error)?.message ?? String(err);
  if (!(err instanceof CannotStartError) && /database or disk is full|SQLITE_FULL|ENOSPC|no space left/i.test(message)) {
    return new CannotStartError(`disk full: ${message}`);
  }
  return err;
}

/**
 * The demo's log lines name their order ("order ORD-… reserved 3 items"): with
 * the demo on and no patterns configured, index those mentions as order.id so
 * the chain view shows log-only joins out of the box. Its log files go under
 * DATA_DIR unless DEMO_LOG_DIR names a folder (or is `off`).
 */
function withDemoDefaults(role: Role, config: Config): Config {
  if (role !== 'all-in-one' || !config.demo) return config;
  const out = { ...config };
  if (config.businessKeyPatterns.length === 0) out.businessKeyPatterns = [{ key: 'order.id', pattern: '\\border (ORD-[\\w-]+)' }];
  // the demo's billing/notification job waits on purpose (a settlement delay): not a bottleneck
  if (config.chainExpectedWaits.length === 0) out.chainExpectedWaits = ['order-jobs'];
  if (config.demoLogDir !== null) out.demoLogDir = path.resolve(config.demoLogDir || path.join(config.dataDir, 'demo-logs'));
  return out;
}

/**
 * One shipper source for the demo's files: `<dir>/*.log`, JSON lines, each
 * record named by its line's `service` field (which then is not also an
 * attribute), else by its file name (`order-api.log` → order-api).
 * `.log.1` files (renamed by the demo) are not matched: the shipper reads a
 * renamed file to its end through the descriptor it already has.
 */
async function demoLogSource(dir: string): Promise<import('../collector/shipper').ShipperSource> {
  const { escapeGlob, parseParserSpec } = await import('../collector/shipper');
  return {
    paths: [path.join(escapeGlob(dir), '*.log')],
    service: 'demo',
    serviceFrom: [
      { kind: 'field', name: 'service' },
      { kind: 'file' },
    ],
    parser: parseParserSpec('json'),
  };
}

/** Resolves once every followed file is shipped up to its current size on disk, or after `timeoutMs`. */
async function waitUntilShipped(shipper: import('../collector/shipper').Shipper, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const behind = () =>
    shipper.fileStates().some((f) => {
      // a rotated file's path may name a newer file by now: the shipper's own lag counts there
      if (f.rotated) return f.lagBytes > 0;
      try {
        return fs.statSync(f.path).size > f.offset;
      } catch {
        return false;
      }
    });
  while (behind() && Date.now() < deadline) await new Promise<void>((r) => setTimeout(r, 50).unref());
}

/** The repository root, from dist/bin (compiled) or bin (sources, in tests). */
function repoRoot(): string {
  return path.resolve(__dirname, ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..', '..'] : ['..']));
}

function uiDir(): string {
  return path.join(repoRoot(), 'ui', 'dist');
}

/** The compiled ingest thread; without a build (sources only) ingest stays on the main thread. */
function ingestThreadEntry(log: Log): string | undefined {
  const entry = path.join(repoRoot(), 'dist', 'bin', 'ingest-thread.js');
  if (fs.existsSync(entry)) return entry;
  log(`chainscope: ${entry} not built; ingest runs on the main thread (npm run build to change that)`);
  return undefined;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}
