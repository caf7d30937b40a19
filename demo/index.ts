/**
 * Demo order center: nine small services on 127.0.0.1 that send real OpenTelemetry
 * traces and logs (OTLP protobuf over HTTP) to `otlpEndpoint`, so Chainscope shows
 * real traffic out of the box; with `logDir`, their logs go to JSON-lines files
 * instead, for a shipper to send. See services.ts for the journey of one order.
 */
import * as http from 'node:http';
import path from 'node:path';
import { DEFAULT_LOG_FILE_MAX_BYTES, JsonLinesLogFile } from './log-file';
import { createServiceTelemetry, installGlobals, raceTimeout, type ServiceTelemetry } from './otel';
import { intBetween, pick } from './random';
import { DemoService } from './runtime';
import { buildOrderCenter, PRODUCTS, SERVICE_NAMES, SERVICE_VERSIONS, type DemoStats, type ServiceName } from './services';

export { SERVICE_NAMES, FAULTS } from './services';
export type { DemoStats } from './services';

export interface DemoOptions {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (/v1/traces and /v1/logs are appended). */
  otlpEndpoint: string;
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
}

const CHANNELS = ['web', 'web', 'web', 'app', 'app', 'shop', 'call-center'];

export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const rate = options.ordersPerSecond ?? 2;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`ordersPerSecond must be a positive number, got ${rate}`);
  if (!/^https?:\/\//.test(options.otlpEndpoint)) throw new Error(`otlpEndpoint must be an http(s) URL, got ${options.otlpEndpoint}`);
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
      serviceName: name,
      serviceVersion: SERVICE_VERSIONS[name],
      agent: exportAgent,
      logFile: logFiles.find((f) => f.service === name),
    });
    telemetry.push(t);
    services[name] = new DemoService(name, t.tracer, t.emitLog, callAgent);
  }
  const center = buildOrderCenter(services);

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

  // ───────── load generator: an uninstrumented "storefront" posting orders ─────────
  const maxInFlight = Math.max(50, Math.ceil(rate * 10));
  let inFlight = 0;
  let generating = true;
  let genTimer: NodeJS.Timeout | null = null;
  const stats = center.stats;
  const logCounts = () => {
    const c = { logLinesWritten: 0, logLinesDropped: 0 };
    for (const f of logFiles) {
      c.logLinesWritten += f.counts.written;
      c.logLinesDropped += f.counts.dropped;
    }
    return c;
  };

  const submitOrder = () => {
    if (inFlight >= maxInFlight) {
      stats.ordersSkipped++;
      return;
    }
    const lines = intBetween(1, 3);
    const items = Array.from({ length: lines }, () => ({ sku: pick(PRODUCTS).sku, qty: intBetween(1, 3) }));
    const body = JSON.stringify({ customerId: `C-${intBetween(1001, 1400)}`, items, channel: pick(CHANNELS) });
    inFlight++;
    stats.ordersSubmitted++;
    const req = http.request({
      host: '127.0.0.1',
      port: orderApiPort,
      method: 'POST',
      path: '/api/orders',
      agent: callAgent,
      timeout: 10000,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'storefront/5.2' },
    });
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        inFlight--;
      }
    };
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', finish);
    req.on('response', (res) => {
      res.resume();
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.end(body);
  };

  const scheduleNext = () => {
    if (!generating) return;
    // Poisson arrivals: exponential inter-arrival times, capped so a slow rate still ticks.
    const gap = Math.min(-Math.log(1 - Math.random()) / rate, 10 / rate) * 1000;
    genTimer = setTimeout(() => {
      genTimer = null;
      if (!generating) return;
      try {
        submitOrder();
      } finally {
        scheduleNext();
      }
    }, gap);
    genTimer.unref();
  };
  scheduleNext();

  const statsEvery = options.statsIntervalMs ?? 60000;
  const statsTimer =
    statsEvery > 0
      ? setInterval(() => say(`demo: ${formatStats({ ...stats, ...logCounts() })}`), statsEvery).unref()
      : null;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      generating = false;
      if (genTimer) clearTimeout(genTimer);
      if (statsTimer) clearInterval(statsTimer);
      // Let in-flight orders, queued events and jobs due soon finish, within the drain budget.
      const deadline = Date.now() + drainMs;
      while (Date.now() < deadline) {
        const jobsDueInTime = center.jobs.lastDueIn() <= deadline - Date.now();
        if (inFlight === 0 && center.topic.idle && (center.jobs.idle || !jobsDueInTime)) break;
        await new Promise<void>((r) => setTimeout(r, 25).unref());
      }
      center.topic.close();
      center.jobs.close();
      await raceTimeout(Promise.allSettled([center.topic.drainHandlers(), center.jobs.drainHandlers()]), 1000);
      await raceTimeout(Promise.allSettled(Object.values(services).map((s) => s.close())), 1000);
      await shutdownTelemetry();
      stats.eventsDropped = center.topic.dropped;
      stats.jobsDropped = center.jobs.dropped;
      Object.assign(stats, logCounts());
      say(`demo stopped: ${formatStats(stats)}`);
    })().catch(() => undefined);
    return stopping;
  };

  return {
    stop,
    stats: () => ({ ...stats, eventsDropped: center.topic.dropped, jobsDropped: center.jobs.dropped, ...logCounts() }),
    ports,
    logFiles: logFiles.map((f) => f.file),
  };
}

function formatStats(s: DemoStats): string {
  return (
    `${s.ordersSubmitted} submitted, ${s.ordersAccepted} accepted, ${s.ordersRejected} rejected, ${s.ordersFailed} failed, ` +
    `${s.fulfilled} fulfilled, ${s.jobsCompleted} completed, ${s.ordersSkipped} skipped (overload), ` +
    `${s.eventsDropped} events / ${s.jobsDropped} jobs dropped` +
    (s.logLinesWritten || s.logLinesDropped ? `, ${s.logLinesWritten} log lines written to files, ${s.logLinesDropped} dropped` : '')
  );
}
