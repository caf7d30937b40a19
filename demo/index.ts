/**
 * Demo order center: nine small services on 127.0.0.1 that send real OpenTelemetry
 * traces and logs (OTLP protobuf over HTTP) to `otlpEndpoint`, so Chainscope shows
 * real traffic out of the box; with `logDir`, their logs go to JSON-lines files
 * instead, for a shipper to send. See services.ts for the journey of one order.
 */
import * as http from 'node:http';
import path from 'node:path';
import { DEFAULT_LOG_FILE_MAX_BYTES, JsonLinesLogFile } from './log-file';
import { installFaultControl } from './fault-control';
import { FaultSwitchboard, type FaultSpec } from './faults';
import { startLoadGenerator } from './load-generator';
import { createServiceTelemetry, installGlobals, raceTimeout, type ServiceTelemetry } from './otel';
import { startDemoProcesses } from './processes';
import { DemoService } from './runtime';
import { formatStats } from './stats-line';
import { buildOrderCenter, FAULTS, NO_NATURAL_FAULTS, SERVICE_NAMES, SERVICE_VERSIONS, type DemoStats, type ServiceName } from './services';
import { printWhenChanged } from '../core/util/changed-lines';

export { SERVICE_NAMES, FAULTS } from './services';
export type { DemoStats } from './services';
export { FAULT_KINDS, readGroundTruth, type FaultKind, type FaultSpec, type GroundTruth } from './faults';

export interface DemoOptions {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (/v1/traces and /v1/logs are appended). */
  otlpEndpoint: string;
  /** Authorization header value for that receiver (AUTH=tokens). */
  otlpAuthorization?: string;
  /** Orders per second (Poisson arrivals). Default 2. */
  ordersPerSecond?: number;
  /** Where to write a few human-readable lines (startup, periodic stats, shutdown). */
  logger?: (line: string) => void;
  /** On stop, how long to let in-flight orders and due jobs finish before cutting off. Default 3000 ms. */
  stopDrainMs?: number;
  /** Interval of the stats line written to `logger`; 0 disables. Default 60000 ms. */
  statsIntervalMs?: number;
  /**
   * Write each service's logs as JSON lines to `<logDir>/<service>.log` instead of
   * sending OTLP logs (traces still go to `otlpEndpoint`). Created if missing.
   */
  logDir?: string;
  /** With `logDir`: a file is renamed to `<service>.log.1` before it grows past this. Default 4 MiB. */
  logFileMaxBytes?: number;
  /**
   * Run each service as its own child process (node:child_process fork of service-process.js, so
   * each has its own clock anchor, as in production) instead of all in this process. Needs the
   * compiled demo (dist/demo); the load generator stays in this process.
   */
  processes?: boolean;
  /** Faults switched on from the start (more can be switched on with setFault or /_demo/faults). */
  faults?: FaultSpec[];
  /** Append one JSON line per order a fault touched to this file (demo/faults.ts GroundTruth). */
  groundTruthFile?: string;
  /** The built-in random faults of FAULTS (slow stock lock, slow PSP, declines ...). Default true. */
  naturalFaults?: boolean;
  /** Called with the id of every accepted order (status 201) and other answers naming an order. */
  onOrder?: (orderId: string, status: number) => void;
}

export interface DemoHandle {
  /** Stop generating, drain briefly, close servers, flush and shut down exporters. Bounded in time; never rejects. */
  stop(): Promise<void>;
  /** Live counters (orders accepted/rejected/failed, drops ...). */
  stats(): DemoStats;
  /** Port each service listens on (127.0.0.1). */
  ports: Record<string, number>;
  /** With `logDir`: the file of each service (absolute paths); else empty. */
  logFiles: string[];
  /** Switch a fault on in the process of its service; resolves with its id. */
  setFault(spec: FaultSpec): Promise<string>;
  /** Switch one fault off (or all, without id) in every process. */
  clearFaults(id?: string): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const rate = options.ordersPerSecond ?? 2;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`ordersPerSecond must be a positive number, got ${rate}`);
  if (!/^https?:\/\//.test(options.otlpEndpoint)) throw new Error(`otlpEndpoint must be an http(s) URL, got ${options.otlpEndpoint}`);
  if (options.processes) return startDemoProcesses(options);
  const say = options.logger ?? (() => undefined);
  const drainMs = options.stopDrainMs ?? 3000;
  const logFileMaxBytes = options.logFileMaxBytes ?? DEFAULT_LOG_FILE_MAX_BYTES;
  if (options.logDir !== undefined && (!Number.isInteger(logFileMaxBytes) || logFileMaxBytes < 1024)) {
    throw new Error(`logFileMaxBytes must be a whole number ≥ 1024, got ${logFileMaxBytes}`);
  }
  // Opened before anything starts: a folder we cannot write is a start-up error.
  const logFiles: JsonLinesLogFile[] = [];
  if (options.logDir !== undefined) {
    try {
      for (const name of SERVICE_NAMES) logFiles.push(new JsonLinesLogFile(path.resolve(options.logDir), name, { maxBytes: logFileMaxBytes }));
    } catch (err) {
      for (const f of logFiles) f.close();
      throw new Error(`cannot write demo log files in ${path.resolve(options.logDir)}: ${(err as Error).message}`);
    }
  }

  installGlobals();

  // One agent for exporters, one for service-to-service calls; both destroyed on stop.
  const exportAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const callAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const telemetry: ServiceTelemetry[] = [];
  const services = {} as Record<ServiceName, DemoService>;
  for (const name of SERVICE_NAMES) {
    const t = createServiceTelemetry({
      otlpEndpoint: options.otlpEndpoint,
      authorization: options.otlpAuthorization,
      serviceName: name,
      serviceVersion: SERVICE_VERSIONS[name],
      agent: exportAgent,
      logFile: logFiles.find((f) => f.service === name),
    });
    telemetry.push(t);
    services[name] = new DemoService(name, t.tracer, t.emitLog, callAgent);
  }
  const center = buildOrderCenter(services, { rates: options.naturalFaults === false ? NO_NATURAL_FAULTS : FAULTS });
  const faults = new FaultSwitchboard(options.groundTruthFile);
  for (const spec of options.faults ?? []) faults.set(spec);
  for (const s of Object.values(services)) installFaultControl(s, faults);

  const shutdownTelemetry = async () => {
    await raceTimeout(Promise.allSettled(telemetry.map((t) => t.flushAndShutdown(5000))), 6000);
    exportAgent.destroy();
    callAgent.destroy();
  };

  try {
    await Promise.all(Object.values(services).map((s) => s.listen()));
  } catch (err) {
    await Promise.allSettled(Object.values(services).map((s) => s.close()));
    await shutdownTelemetry();
    throw err;
  }
  const ports = Object.fromEntries(Object.values(services).map((s) => [s.name, s.port]));
  const orderApiPort = services['order-api'].port;
  const logsTo = options.logDir === undefined ? '' : `, logs in ${path.resolve(options.logDir)}/<service>.log`;
  say(`demo order center: ${SERVICE_NAMES.length} services on 127.0.0.1 (order-api :${orderApiPort}), ${rate} orders/s → ${options.otlpEndpoint}${logsTo}`);

  const stats = center.stats;
  const logCounts = () => {
    const c = { logLinesWritten: 0, logLinesDropped: 0 };
    for (const f of logFiles) {
      c.logLinesWritten += f.counts.written;
      c.logLinesDropped += f.counts.dropped;
    }
    return c;
  };
  const generator = startLoadGenerator({ orderApiPort, ordersPerSecond: rate, agent: callAgent, onOrder: options.onOrder });
  const currentStats = (): DemoStats => ({
    ...stats,
    ordersSubmitted: generator.submitted,
    ordersSkipped: generator.skipped,
    eventsDropped: center.topic.dropped,
    jobsDropped: center.jobs.dropped,
    ...logCounts(),
  });

  const statsEvery = options.statsIntervalMs ?? 60000;
  const printStats = printWhenChanged(say);
  const statsTimer =
    statsEvery > 0
      ? setInterval(() => printStats(`demo: ${formatStats(currentStats())}`), statsEvery).unref()
      : null;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      generator.stop();
      if (statsTimer) clearInterval(statsTimer);
      // Let in-flight orders, queued events and jobs due soon finish, within the drain budget.
      const deadline = Date.now() + drainMs;
      while (Date.now() < deadline) {
        const jobsDueInTime = center.jobs.lastDueIn() <= deadline - Date.now();
        if (generator.inFlight === 0 && center.topic.idle && (center.jobs.idle || !jobsDueInTime)) break;
        await new Promise<void>((r) => setTimeout(r, 25).unref());
      }
      center.topic.close();
      center.jobs.close();
      await raceTimeout(Promise.allSettled([center.topic.drainHandlers(), center.jobs.drainHandlers()]), 1000);
      await raceTimeout(Promise.allSettled(Object.values(services).map((s) => s.close())), 1000);
      await shutdownTelemetry();
      say(`demo stopped: ${formatStats(currentStats())}`);
    })().catch(() => undefined);
    return stopping;
  };

  return {
    stop,
    stats: currentStats,
    ports,
    logFiles: logFiles.map((f) => f.file),
    setFault: async (spec) => faults.set(spec),
    clearFaults: async (id) => {
      if (id === undefined) faults.clearAll();
      else faults.clear(id);
    },
  };
}
