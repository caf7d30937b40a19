/**
 * A tiny "service runtime" for the demo: a real node:http server with hand-written
 * OpenTelemetry HTTP instrumentation (SERVER spans, traceparent extraction), an
 * instrumented HTTP client (CLIENT spans, traceparent injection, retries), and
 * helpers for DB/cache/external CLIENT spans to uninstrumented peers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import type { FaultSwitchboard } from './faults';
import { w3c, type EmitLog, type Severity } from './otel';
import { lognormal, sleep } from './random';

/** The business context every demo request carries. */
export interface OrderRef {
  orderId: string;
  customerId: string;
}

export function orderAttributes(o: OrderRef | undefined): Attributes {
  return o ? { 'order.id': o.orderId, 'customer.id': o.customerId } : {};
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorType = 'http_error',
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface RequestInfo {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  span: Span;
  /** Business context sent by the caller in x-order-id / x-customer-id headers. */
  order?: OrderRef;
}

export interface Reply {
  status?: number;
  body?: unknown;
}

export type Handler = (req: RequestInfo) => Promise<Reply>;

/** Handler of an untraced `/_demo/…` path (control endpoints, the cross-process queue). */
export type InternalHandler = (method: string, body: unknown, query: URLSearchParams) => Promise<Reply>;

/** Paths under this prefix are the demo's plumbing: served without spans or logs. */
export const INTERNAL_PATH_PREFIX = '/_demo/';

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

export interface CallOptions {
  order?: OrderRef;
  body?: unknown;
  timeoutMs?: number;
  /** Retry 502/503/504 and network errors this many extra times. */
  retries?: number;
}

export interface CallResult {
  status: number;
  body: Record<string, unknown>;
}

/** Peer description for CLIENT spans to things we do not instrument (DB, cache, SaaS). */
export interface ExternalPeer {
  peerService: string;
  address: string;
  port: number;
}

const MAX_BODY = 64 * 1024;

export class DemoService {
  readonly routes: Route[] = [];
  private readonly internalRoutes = new Map<string, InternalHandler>();
  /** Faults switched on for this service (demo/faults.ts); null = none ever. */
  faults: FaultSwitchboard | null = null;
  private server: http.Server | null = null;
  port = 0;
  stopped = false;

  constructor(
    readonly name: string,
    readonly tracer: Tracer,
    private readonly emitLog: EmitLog,
    private readonly agent: http.Agent,
  ) {}

  route(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = template.replace(/:([a-zA-Z]+)/g, (_m, k: string) => {
      keys.push(k);
      return '([^/]+)';
    });
    this.routes.push({ method, template, regex: new RegExp(`^${pattern}$`), keys, handler });
    return this;
  }

  /** Serve an untraced plumbing path (must start with /_demo/). */
  internalRoute(path: string, handler: InternalHandler): this {
    if (!path.startsWith(INTERNAL_PATH_PREFIX)) throw new Error(`internal paths start with ${INTERNAL_PATH_PREFIX}: ${path}`);
    this.internalRoutes.set(path, handler);
    return this;
  }

  /**
   * Injected latency or error on one of this service's operations (a SERVER or CONSUMER span
   * name), for this order: sleeps inside the current span, records the ground truth, and for
   * an error fault throws a 503 once the time is up (a dependency that hangs, then fails).
   */
  async applyOperationFaults(operation: string, order: OrderRef | undefined): Promise<void> {
    const latency = this.faults?.take('latency', this.name, operation, order?.orderId);
    if (latency) {
      const start = Date.now();
      await sleep(latency.addedMs);
      latency.record(start, Date.now());
    }
    const error = this.faults?.take('error', this.name, operation, order?.orderId);
    if (error) {
      const start = Date.now();
      await sleep(error.addedMs);
      error.record(start, Date.now());
      throw new HttpError(503, `${operation} failed after ${Math.round(error.addedMs)} ms: upstream connection reset`, 'upstream_reset');
    }
  }

  log(severity: Severity, body: string, order?: OrderRef, extra: Attributes = {}): void {
    const attrs: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries({ ...orderAttributes(order), ...extra })) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attrs[k] = v;
    }
    attrs['service.component'] = this.name;
    this.emitLog(severity, body, attrs);
  }

  async listen(): Promise<number> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 2000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    this.stopped = true;
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Run `fn` inside a new INTERNAL (or given kind) span that is ended and error-marked for you. */
  async inSpan<T>(
    name: string,
    options: SpanOptions,
    fn: (span: Span) => Promise<T>,
    parent = context.active(),
  ): Promise<T> {
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, ...options }, parent);
    try {
      return await context.with(trace.setSpan(parent, span), () => fn(span));
    } catch (err) {
      markError(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  /** A CLIENT span to an uninstrumented database; the "query" takes a log-normal time. */
  async db(
    system: 'postgresql' | 'redis',
    spec: { dbName: string; operation: string; table?: string; statement: string; medianMs: number; extraMs?: number },
    order?: OrderRef,
  ): Promise<void> {
    const peer: ExternalPeer =
      system === 'postgresql'
        ? { peerService: 'orders-db', address: 'orders-db', port: 5432 }
        : { peerService: 'cache-redis', address: 'cache-redis', port: 6379 };
    const name = spec.table ? `${spec.operation} ${spec.dbName}.${spec.table}` : spec.operation;
    await this.inSpan(
      name,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system': system,
          'db.system.name': system,
          'db.name': spec.dbName,
          'db.namespace': spec.dbName,
          'db.operation': spec.operation,
          'db.operation.name': spec.operation,
          ...(spec.table ? { 'db.sql.table': spec.table, 'db.collection.name': spec.table } : {}),
          'db.statement': spec.statement,
          'db.query.text': spec.statement,
          'server.address': peer.address,
          'server.port': peer.port,
          'network.peer.address': peer.address,
          'peer.service': peer.peerService,
          ...orderAttributes(order),
        },
      },
      async () => {
        const lock = this.faults?.take('dbLock', this.name, name, order?.orderId);
        const start = Date.now();
        await sleep(lognormal(spec.medianMs, 0.4) + (spec.extraMs ?? 0) + (lock?.addedMs ?? 0));
        lock?.record(start, Date.now());
      },
    );
  }

  /** A CLIENT span to an external HTTP API we do not instrument (PSP, SMS gateway ...). */
  async external<T>(
    peer: ExternalPeer & { method: string; url: string },
    order: OrderRef | undefined,
    fn: (span: Span) => Promise<{ status: number; result: T }>,
    extraAttributes: Attributes = {},
  ): Promise<T> {
    return this.inSpan(
      peer.method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': peer.method,
          'url.full': peer.url,
          'server.address': peer.address,
          'server.port': peer.port,
          'peer.service': peer.peerService,
          ...orderAttributes(order),
          ...extraAttributes,
        },
      },
      async (span) => {
        const slow = this.faults?.take('slowExternal', this.name, peer.method, order?.orderId);
        const start = Date.now();
        const { status, result } = await fn(span);
        if (slow) {
          await sleep(slow.addedMs);
          slow.record(start, Date.now());
        }
        span.setAttribute('http.response.status_code', status);
        if (status >= 400) {
          span.setAttribute('error.type', String(status));
          span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
        }
        return result;
      },
    );
  }

  /** Instrumented HTTP call to another demo service (CLIENT span + traceparent). */
  async call(target: DemoService, method: string, template: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const retries = opts.retries ?? 0;
    let attempt = 0;
    for (;;) {
      const result = await this.callOnce(target, method, template, path, opts, attempt).catch((err: unknown) => err);
      const retryable =
        result instanceof Error || (typeof result === 'object' && result !== null && [502, 503, 504].includes((result as CallResult).status));
      if (!retryable || attempt >= retries) {
        if (result instanceof Error) throw result;
        return result as CallResult;
      }
      attempt++;
      this.log('WARN', `call ${method} ${target.name}${template} failed for order ${opts.order?.orderId ?? '-'}, retrying (attempt ${attempt + 1})`, opts.order, {
        'peer.service': target.name,
        'http.request.resend_count': attempt,
      });
      await sleep(lognormal(40, 0.3));
    }
  }

  private callOnce(target: DemoService, method: string, template: string, path: string, opts: CallOptions, attempt: number): Promise<CallResult> {
    const url = `http://127.0.0.1:${target.port}${path}`;
    const parent = context.active();
    const span = this.tracer.startSpan(
      `${method} ${template}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'url.full': url,
          'url.template': template,
          'server.address': '127.0.0.1',
          'server.port': target.port,
          'peer.service': target.name,
          'network.protocol.version': '1.1',
          ...(attempt > 0 ? { 'http.request.resend_count': attempt } : {}),
          ...orderAttributes(opts.order),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    const headers: Record<string, string> = { accept: 'application/json' };
    w3c.inject(ctx, headers, defaultTextMapSetter);
    if (opts.order) {
      headers['x-order-id'] = opts.order.orderId;
      headers['x-customer-id'] = opts.order.customerId;
    }
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise<CallResult>((resolve, reject) => {
      const done = (err: Error | null, res?: CallResult) => {
        if (err) {
          markError(span, err);
          span.end();
          reject(err);
          return;
        }
        const r = res as CallResult;
        span.setAttribute('http.response.status_code', r.status);
        if (r.status >= 400) {
          span.setAttribute('error.type', String(r.status));
          span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${r.status}` });
        }
        span.end();
        resolve(r);
      };
      if (target.stopped || target.port === 0) {
        done(new Error(`${target.name} is not running`));
        return;
      }
      const req = http.request(url, { method, headers, agent: this.agent, timeout: opts.timeoutMs ?? 5000 });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 5000} ms calling ${target.name}`)));
      req.on('error', (err) => done(err));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        res.on('error', (err) => done(err));
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = {};
          }
          done(null, { status: res.statusCode ?? 0, body });
        });
      });
      req.end(payload);
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('error', () => {
      /* client went away; the response write below will fail quietly */
    });
    req.on('end', () => {
      this.dispatch(req, res, chunks).catch(() => {
        /* dispatch never throws; belt and braces against unhandled rejections */
      });
    });
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse, chunks: Buffer[]): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(INTERNAL_PATH_PREFIX)) {
      await this.dispatchInternal(method, url, chunks, res);
      return;
    }
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const r of this.routes) {
      const m = r.method === method ? r.regex.exec(url.pathname) : null;
      if (m) {
        route = r;
        params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
        break;
      }
    }
    const parent = w3c.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const orderId = req.headers['x-order-id'];
    const customerId = req.headers['x-customer-id'];
    const order: OrderRef | undefined =
      typeof orderId === 'string' && typeof customerId === 'string' ? { orderId, customerId } : undefined;
    const template = route?.template ?? url.pathname;
    const span = this.tracer.startSpan(
      `${method} ${route ? template : ''}`.trim(),
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'http.route': template,
          'url.path': url.pathname,
          ...(url.search ? { 'url.query': url.search.slice(1) } : {}),
          'url.scheme': 'http',
          'server.address': '127.0.0.1',
          'server.port': this.port,
          'client.address': req.socket.remoteAddress ?? '127.0.0.1',
          'network.protocol.version': req.httpVersion,
          'user_agent.original': String(req.headers['user-agent'] ?? 'chainscope-demo'),
          ...orderAttributes(order),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    let status = 200;
    let out: unknown = {};
    await context.with(ctx, async () => {
      try {
        if (!route) throw new HttpError(404, `no route for ${method} ${url.pathname}`, 'not_found');
        let body: Record<string, unknown> = {};
        if (chunks.length) {
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            throw new HttpError(400, 'invalid JSON body', 'bad_request');
          }
        }
        await this.applyOperationFaults(`${method} ${template}`, order);
        const r = await route.handler({ method, path: url.pathname, params, query: url.searchParams, body, span, order });
        status = r.status ?? 200;
        out = r.body ?? {};
      } catch (err) {
        const e = err instanceof HttpError ? err : new HttpError(500, err instanceof Error ? err.message : String(err), 'internal');
        status = e.status;
        out = { error: e.errorType, message: e.message, ...e.body };
        span.setAttribute('error.type', e.errorType);
        span.recordException(err instanceof Error ? err : e);
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      }
    });
    span.setAttribute('http.response.status_code', status);
    span.end();
    if (res.destroyed) return;
    const text = JSON.stringify(out);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async dispatchInternal(method: string, url: URL, chunks: Buffer[], res: http.ServerResponse): Promise<void> {
    const handler = this.internalRoutes.get(url.pathname);
    let status = 200;
    let out: unknown = {};
    try {
      if (!handler) throw new HttpError(404, `no internal route ${url.pathname}`, 'not_found');
      let body: unknown = undefined;
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new HttpError(400, 'invalid JSON body', 'bad_request');
        }
      }
      const r = await handler(method, body, url.searchParams);
      status = r.status ?? 200;
      out = r.body ?? {};
    } catch (err) {
      status = err instanceof HttpError ? err.status : 500;
      out = { error: err instanceof HttpError ? err.errorType : 'internal', message: err instanceof Error ? err.message : String(err) };
    }
    if (res.destroyed) return;
    const text = JSON.stringify(out);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

export function markError(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  if (!(err instanceof HttpError)) span.setAttribute('error.type', e.name || 'Error');
}
