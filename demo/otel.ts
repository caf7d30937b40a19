/**
 * OpenTelemetry plumbing for the demo order center.
 *
 * Every demo service gets its own Resource, NodeTracerProvider and LoggerProvider,
 * all exporting OTLP protobuf over HTTP; or, with a log file, no LoggerProvider:
 * its log lines go to the file as JSON lines with the active trace context.
 * None of them is registered globally: code
 * uses `provider.getTracer()` / `provider.getLogger()` directly. The only global
 * state is one AsyncLocalStorage context manager and the W3C propagator, installed
 * once per process (and left alone if the host process already installed its own).
 */
import * as http from 'node:http';
import * as os from 'node:os';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type ContextManager,
  type Tracer,
} from '@opentelemetry/api';
import { SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { JsonLinesLogFile, LogValue } from './log-file';

/** A minimal AsyncLocalStorage-backed context manager (same semantics as
 * @opentelemetry/context-async-hooks' AsyncLocalStorageContextManager, which is
 * only a transitive dependency of ours). */
export class AlsContextManager implements ContextManager {
  private als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const cb = thisArg == null ? fn : fn.bind(thisArg);
    return this.als.run(ctx, cb as never, ...args) as ReturnType<F>;
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    };
    return bound as unknown as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.als.disable();
    return this;
  }
}

/** The W3C trace-context propagator the demo uses for its own inject/extract. */
export const w3c = new W3CTraceContextPropagator();

let globalsInstalled = false;
/** Register one global context manager and W3C propagator, once per process. */
export function installGlobals(): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  const cm = new AlsContextManager();
  // setGlobal* return false when something else already registered one; then we keep theirs.
  if (!context.setGlobalContextManager(cm)) cm.disable();
  propagation.setGlobalPropagator(w3c);
}

export interface ServiceTelemetryOptions {
  otlpEndpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** Shared keep-alive agent for the exporters; destroyed by the demo on stop. */
  agent: http.Agent;
  /** Write log lines to this file instead of exporting them over OTLP; closed on shutdown. */
  logFile?: JsonLinesLogFile;
  /** Authorization header value for the receiver (AUTH=tokens). */
  authorization?: string;
}

/** Emits one log record in the currently active span context (so it carries trace/span id). */
export type EmitLog = (severity: Severity, body: string, attributes: Record<string, LogValue>) => void;

export interface ServiceTelemetry {
  tracer: Tracer;
  emitLog: EmitLog;
  flushAndShutdown(timeoutMs: number): Promise<void>;
}

export function trimEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

export function createServiceTelemetry(opts: ServiceTelemetryOptions): ServiceTelemetry {
  const resource = resourceFromAttributes({
    'service.name': opts.serviceName,
    'service.version': opts.serviceVersion,
    'service.namespace': 'order-center',
    'service.instance.id': `${opts.serviceName}-${process.pid}`,
    'host.name': os.hostname(),
    'deployment.environment': 'demo',
    'deployment.environment.name': 'demo',
    'telemetry.sdk.language': 'nodejs',
  });
  const base = trimEndpoint(opts.otlpEndpoint);
  const agentFactory = () => opts.agent;
  const traceExporter = new OTLPTraceExporter({
    url: `${base}/v1/traces`,
    headers: opts.authorization ? { authorization: opts.authorization } : {},
    timeoutMillis: 3000,
    concurrencyLimit: 4,
    httpAgentOptions: agentFactory,
  });
  // Bounded queues: when the endpoint is down exports fail and the processors drop.
  const tracerProvider = new NodeTracerProvider({
    resource,
    forceFlushTimeoutMillis: 4000,
    spanProcessors: [
      new BatchSpanProcessor(traceExporter, {
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 500,
        exportTimeoutMillis: 3000,
      }),
    ],
  });
  const tracer = tracerProvider.getTracer('chainscope-demo', opts.serviceVersion);
  const logFile = opts.logFile;
  if (logFile) {
    return {
      tracer,
      emitLog: (severity, body, attributes) => writeFileLog(logFile, severity, body, attributes),
      async flushAndShutdown(timeoutMs: number) {
        logFile.close();
        await raceTimeout(tracerProvider.shutdown(), timeoutMs);
      },
    };
  }
  const logExporter = new OTLPLogExporter({
    url: `${base}/v1/logs`,
    headers: opts.authorization ? { authorization: opts.authorization } : {},
    timeoutMillis: 3000,
    concurrencyLimit: 4,
    httpAgentOptions: agentFactory,
  });
  const loggerProvider = new LoggerProvider({
    resource,
    forceFlushTimeoutMillis: 4000,
    processors: [
      new BatchLogRecordProcessor(logExporter, {
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 500,
        exportTimeoutMillis: 3000,
      }),
    ],
  });
  const logger = loggerProvider.getLogger('chainscope-demo', opts.serviceVersion);
  return {
    tracer,
    emitLog: (severity, body, attributes) => emitOtlpLog(logger, severity, body, attributes),
    async flushAndShutdown(timeoutMs: number) {
      const work = Promise.allSettled([tracerProvider.shutdown(), loggerProvider.shutdown()]);
      await raceTimeout(work, timeoutMs);
    },
  };
}

/** Resolve when `p` settles or after `ms`, whichever is first; never rejects. */
export async function raceTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([p.then(() => undefined, () => undefined), t]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export type Severity = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const SEVERITY_NUMBER: Record<Severity, SeverityNumber> = {
  DEBUG: SeverityNumber.DEBUG,
  INFO: SeverityNumber.INFO,
  WARN: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
};

/** A log record over OTLP, in the currently active span context (the SDK takes trace/span id from it). */
function emitOtlpLog(logger: Logger, severity: Severity, body: string, attributes: Record<string, LogValue>): void {
  logger.emit({
    severityNumber: SEVERITY_NUMBER[severity],
    severityText: severity,
    body,
    attributes,
    context: context.active(),
  });
}

/** A JSON line in the service's log file, with the trace and span id of the active span. */
function writeFileLog(file: JsonLinesLogFile, severity: Severity, body: string, attributes: Record<string, LogValue>): void {
  const span = trace.getSpanContext(context.active());
  const valid = span !== undefined && isSpanContextValid(span);
  file.write({
    // the same clock the SDK stamps spans with, so lines sort within their spans
    timeUs: Math.floor((performance.timeOrigin + performance.now()) * 1000),
    level: severity,
    message: body,
    traceId: valid ? span.traceId : '',
    spanId: valid ? span.spanId : '',
    attributes,
  });
}
