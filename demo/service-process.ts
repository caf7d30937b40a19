/**
 * One demo service in a process of its own (forked by processes.ts with an IPC
 * channel): its own tracer and clock anchor, a real HTTP server on 127.0.0.1, the
 * other services reached over loopback, and the queues it consumes served on
 * untraced /_demo/queue/… paths so producers in other processes can hand over
 * messages.
 *
 * Protocol with the parent: → {listening, port}; ← {ports}; → {ready}; → {stats}
 * every second; ← {drain} → {drained}; ← {stop} → {stats} and exit. A parent
 * that goes away (IPC disconnect) stops the child too.
 */
import * as http from 'node:http';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import { installFaultControl } from './fault-control';
import { FaultSwitchboard, type FaultSpec } from './faults';
import { DEFAULT_LOG_FILE_MAX_BYTES, JsonLinesLogFile } from './log-file';
import { createServiceTelemetry, installGlobals, raceTimeout } from './otel';
import { DemoService, HttpError } from './runtime';
import {
  buildOrderCenter,
  FAULTS,
  NO_NATURAL_FAULTS,
  SERVICE_NAMES,
  SERVICE_VERSIONS,
  type JobPayload,
  type MessageTransport,
  type OrderEvent,
  type ServiceName,
} from './services';
import type { Message } from './queue';

/** What the parent passes in DEMO_CHILD_OPTIONS (JSON). */
export interface ServiceProcessOptions {
  service: ServiceName;
  otlpEndpoint: string;
  logDir?: string;
  logFileMaxBytes?: number;
  groundTruthFile?: string;
  naturalFaults: boolean;
  faults: FaultSpec[];
}

export type ParentMessage = { type: 'ports'; ports: Record<string, number> } | { type: 'drain'; deadlineMs: number } | { type: 'stop' };
export type ChildMessage =
  | { type: 'listening'; port: number }
  | { type: 'ready' }
  | { type: 'stats'; stats: Record<string, number> }
  | { type: 'drained' };

export const EVENTS_QUEUE_PATH = '/_demo/queue/order-events';
export const JOBS_QUEUE_PATH = '/_demo/queue/order-jobs';
/** Which service consumes which queue, i.e. whose process holds it. */
const QUEUE_OWNERS = { events: 'fulfilment', jobs: 'scheduler' } as const;

const send = (m: ChildMessage) => process.send?.(m);

async function main(): Promise<void> {
  const options = JSON.parse(process.env.DEMO_CHILD_OPTIONS ?? '{}') as ServiceProcessOptions;
  if (!SERVICE_NAMES.includes(options.service)) throw new Error(`unknown demo service ${String(options.service)}`);
  installGlobals();
  const exportAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const callAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const logFile =
    options.logDir === undefined ? undefined : new JsonLinesLogFile(path.resolve(options.logDir), options.service, { maxBytes: options.logFileMaxBytes ?? DEFAULT_LOG_FILE_MAX_BYTES });
  const telemetry = createServiceTelemetry({
    otlpEndpoint: options.otlpEndpoint,
    serviceName: options.service,
    serviceVersion: SERVICE_VERSIONS[options.service],
    agent: exportAgent,
    logFile,
  });
  const self = new DemoService(options.service, telemetry.tracer, telemetry.emitLog, callAgent);
  send({ type: 'listening', port: await self.listen() });

  const ports = await new Promise<Record<string, number>>((resolve) => {
    const onMessage = (m: ParentMessage) => {
      if (m.type !== 'ports') return;
      process.off('message', onMessage);
      resolve(m.ports);
    };
    process.on('message', onMessage);
  });

  // The other services are stand-ins with their ports: only their names and ports are used (calls go over HTTP).
  const noTracer = trace.getTracer('demo-remote-service');
  const services = {} as Record<ServiceName, DemoService>;
  for (const name of SERVICE_NAMES) {
    if (name === options.service) {
      services[name] = self;
      continue;
    }
    const stub = new DemoService(name, noTracer, () => undefined, callAgent);
    stub.port = ports[name];
    services[name] = stub;
  }
  const transport: MessageTransport = {
    publishEvent: (m) => postMessage(callAgent, ports[QUEUE_OWNERS.events], EVENTS_QUEUE_PATH, { message: m }),
    scheduleJob: (m, delayMs) => postMessage(callAgent, ports[QUEUE_OWNERS.jobs], JOBS_QUEUE_PATH, { message: m, delayMs }),
  };
  const center = buildOrderCenter(services, { rates: options.naturalFaults ? FAULTS : NO_NATURAL_FAULTS, transport });
  const faults = new FaultSwitchboard(options.groundTruthFile);
  for (const spec of options.faults) if (spec.service === options.service) faults.set(spec);
  installFaultControl(self, faults);
  self.internalRoute(EVENTS_QUEUE_PATH, async (method, body) => {
    const m = messageOf(method, body);
    return center.topic.publish(m as Message<OrderEvent>) ? { status: 202 } : { status: 503, body: { error: 'queue_full' } };
  });
  self.internalRoute(JOBS_QUEUE_PATH, async (method, body) => {
    const m = messageOf(method, body);
    const delayMs = Number((body as { delayMs?: unknown }).delayMs);
    if (!(delayMs >= 0 && delayMs <= 3_600_000)) throw new HttpError(400, 'delayMs must be 0 to 3600000', 'bad_request');
    return center.jobs.schedule(m as Message<JobPayload>, delayMs) ? { status: 202 } : { status: 503, body: { error: 'queue_full' } };
  });

  const statsTimer = setInterval(() => send({ type: 'stats', stats: { ...center.stats } }), 1000);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(statsTimer);
    center.topic.close();
    center.jobs.close();
    await raceTimeout(Promise.allSettled([center.topic.drainHandlers(), center.jobs.drainHandlers()]), 1000);
    await raceTimeout(self.close(), 1000);
    await telemetry.flushAndShutdown(5000);
    exportAgent.destroy();
    callAgent.destroy();
    send({ type: 'stats', stats: { ...center.stats, eventsDropped: center.topic.dropped, jobsDropped: center.jobs.dropped } });
    process.disconnect?.();
  };
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'drain') {
      void (async () => {
        // Queued events and jobs due before the deadline finish; the rest is dropped on stop.
        while (Date.now() < m.deadlineMs) {
          const jobsDueInTime = center.jobs.lastDueIn() <= m.deadlineMs - Date.now();
          if (center.topic.idle && (center.jobs.idle || !jobsDueInTime)) break;
          await new Promise<void>((r) => setTimeout(r, 25));
        }
        send({ type: 'drained' });
      })();
    } else if (m.type === 'stop') {
      void stop();
    }
  });
  process.once('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  send({ type: 'ready' });
}

function messageOf(method: string, body: unknown): Message<unknown> {
  if (method !== 'POST') throw new HttpError(405, 'POST a message', 'method_not_allowed');
  const m = (body as { message?: Message<unknown> } | undefined)?.message;
  if (!m || typeof m.id !== 'string' || typeof m.topic !== 'string' || typeof m.headers !== 'object' || m.headers === null) {
    throw new HttpError(400, 'message must have id, topic, headers and payload', 'bad_request');
  }
  return m;
}

/** Hands a message to the consumer's process; false (a drop, as with a full queue) when it does not take it. */
function postMessage(agent: http.Agent, port: number, pathname: string, body: unknown): Promise<boolean> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise<boolean>((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: pathname,
      method: 'POST',
      agent,
      timeout: 2000,
      headers: { 'content-type': 'application/json', 'content-length': payload.length },
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 202));
      res.on('error', () => resolve(false));
    });
    req.end(payload);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`demo service failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
