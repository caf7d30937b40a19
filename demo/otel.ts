/**
 * OpenTelemetry plumbing for the demo order center.
 *
 * Every demo service gets its own Resource, NodeTracerProvider and LoggerProvider,
 * all exporting OTLP protobuf over HTTP. None of them is registered globally: code
 * uses `provider.getTracer()` / `provider.getLogger()` directly. The only global
 * state is one AsyncLocalStorage context manager and the W3C propagator, installed
 * once per process (and left alone if the host process already installed its own).
 */
import * as http from 'node:http';
import * as os from 'node:os';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  propagation,
  ROOT_CONTEXT,
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
}

export interface ServiceTelemetry {
  tracer: Tracer;
  logger: Logger;
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
    timeoutMillis: 3000,
    concurrencyLimit: 4,
    httpAgentOptions: agentFactory,
  });
  const logExporter = new OTLPLogExporter({
    url: `${base}/v1/logs`,
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
  const tracer = tracerProvider.getTracer('chainscope-demo', opts.serviceVersion);
  const logger = loggerProvider.getLogger('chainscope-demo', opts.serviceVersion);
  return {
    tracer,
    logger,
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

/** Emit a log record in the currently active span context (so it carries trace/span id). */
export function emitLog(
  logger: Logger,
  severity: Severity,
  body: string,
  attributes: Record<string, string | number | boolean> = {},
): void {
  logger.emit({
    severityNumber: SEVERITY_NUMBER[severity],
    severityText: severity,
    body,
    attributes,
    context: context.active(),
  });
}
