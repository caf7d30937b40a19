import type http from 'node:http';
import type { Counters } from '../../core/metrics';
import { encodeExportResponse } from '../../core/otlp';
import { DEFAULT_CONFIG, type Config } from '../../core/config';
import { guarded, INGEST_ONLY, tenantOf, type Access } from '../../core/security/access-guard';
import { closeServer, createBoundedServer, httpServerLimitsFrom, listen, type HttpServerLimits } from '../../core/util/http-server';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { httpRefusalFor, type HttpRefusal } from '../http-refusal';
import { InflightBudget } from '../inflight-budget';
import { OtlpIntake } from '../otlp-intake';
import type { OtlpPublisher } from '../publisher';
import { contentTypeOf, otlpFormatOf, type OtlpFormat } from './content-type';
import { BodyIdleTimeoutError, readBody } from './read-body';
import { encodeRpcStatus, RPC_CODE } from './rpc-status';

export interface OtlpHttpReceiverOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  /**
   * Request bytes received and being decoded or published at once, at most;
   * a request whose next bytes would pass it gets 503 (unless nothing else is in flight).
   */
  maxInflightBytes: number;
  /** Header, whole-request and keep-alive timeouts and the connection cap (default: from DEFAULT_CONFIG). */
  connectionLimits?: HttpServerLimits;
  /** A body that sends no byte for this long is answered 408 and its connection closed (default: from DEFAULT_CONFIG). */
  bodyIdleTimeoutMs?: number;
  publisher: OtlpPublisher;
  counters: Counters;
  log?: (line: string) => void;
  /** Host, Origin (CORS) and credential checks before any route (default: no foreign browser). */
  access?: Access;
}

/** The receiver's connection limits and body idle timeout from the configuration. */
export function otlpHttpLimitsFrom(config: Readonly<Config>): { connectionLimits: HttpServerLimits; bodyIdleTimeoutMs: number } {
  return {
    connectionLimits: { ...httpServerLimitsFrom(config), maxConnections: config.otlpHttpMaxConnections },
    bodyIdleTimeoutMs: config.otlpHttpBodyIdleTimeoutMs,
  };
}

type Signal = 'traces' | 'logs' | 'metrics';
const ROUTES: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };

/**
 * OTLP/HTTP receiver (POST /v1/traces, /v1/logs, /v1/metrics; protobuf or JSON; gzip).
 * Answers per the OTLP/HTTP spec and never crashes on input: every failure
 * becomes a status code with a google.rpc.Status body.
 */
export class OtlpHttpReceiver {
  private server: http.Server | null = null;
  private readonly intake: OtlpIntake;
  private readonly budget: InflightBudget;
  private readonly inflight = new Set<Promise<void>>();
  private readonly errors: RateLimitedLog;

  constructor(private readonly options: OtlpHttpReceiverOptions) {
    this.errors = new RateLimitedLog(options.log);
    const c = options.counters;
    this.intake = new OtlpIntake(options.publisher, c, options.access?.limits?.ingest);
    this.budget = new InflightBudget(options.maxInflightBytes, () => c.add('chainscope_receiver_requests_overloaded_total'));
    c.describe('chainscope_receiver_requests_refused_total', 'Requests answered 4xx/5xx');
    c.describe('chainscope_receiver_body_idle_timeouts_total', 'Requests answered 408 and closed: their body stopped arriving (OTLP_HTTP_BODY_IDLE_TIMEOUT_MS)');
    c.describe('chainscope_receiver_requests_overloaded_total', 'Requests answered 503: too many request bytes in flight (MAX_INFLIGHT_BYTES)');
  }

  async start(): Promise<number> {
    const limits = this.options.connectionLimits ?? otlpHttpLimitsFrom(DEFAULT_CONFIG).connectionLimits;
    const handler: http.RequestListener = (req, res) => {
      const work = this.handle(req, res).catch((err) => this.errors.warn('unexpected', `receiver: ${err}`));
      this.inflight.add(work);
      work.finally(() => this.inflight.delete(work));
    };
    const server = createBoundedServer(guarded(handler, this.options.access, INGEST_ONLY), limits, this.options.counters, 'chainscope_receiver');
    this.server = server;
    return listen(server, this.options.host, this.options.port);
  }

  /** Body bytes received and not yet published (what MAX_INFLIGHT_BYTES bounds). */
  get bytesInFlight(): number {
    return this.budget.bytesInFlight;
  }

  /** Stops accepting, then waits for requests in flight to be published. */
  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server, { drain: () => Promise.allSettled([...this.inflight]) });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const signal = ROUTES[path];
    if (!signal) return sendJson(res, 404, { error: `no OTLP route ${path}: use POST /v1/traces, /v1/logs or /v1/metrics` });
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return sendJson(res, 405, { error: `${req.method} not allowed on ${path}; use POST` });
    }
    let format: OtlpFormat = 'json';
    // Bytes of this request held in the budget: what has arrived, never what Content-Length promises.
    const held = { bytes: 0 };
    try {
      format = otlpFormatOf(req.headers['content-type']);
      this.budget.hold(held, 0);
      const body = await readBody(req, {
        limitBytes: this.options.maxRequestBytes,
        idleTimeoutMs: this.options.bodyIdleTimeoutMs ?? DEFAULT_CONFIG.otlpHttpBodyIdleTimeoutMs,
        onBytes: (bytes) => this.budget.hold(held, bytes),
      });
      const { rejected, reasons } = await this.intake.acceptRequest(signal, format, body, tenantOf(req));
      const response = encodeExportResponse(signal, rejected, reasons.join('; '), format);
      res.writeHead(200, { 'Content-Type': contentTypeOf(format) }).end(response);
    } catch (err) {
      this.refuse(req, res, err, format);
    } finally {
      this.budget.release(held);
    }
  }

  private refuse(req: http.IncomingMessage, res: http.ServerResponse, err: unknown, format: OtlpFormat): void {
    this.options.counters.add('chainscope_receiver_requests_refused_total');
    if (err instanceof BodyIdleTimeoutError) this.options.counters.add('chainscope_receiver_body_idle_timeouts_total');
    const { status, retryAfter, message } = httpRefusalFor(err);
    if (status === 500) this.errors.warn('internal', `receiver: internal error: ${(err as Error)?.stack ?? err}`);
    if (res.headersSent) return void res.destroy();
    const code = RPC_CODE_BY_STATUS[status];
    const headers: Record<string, string> = { 'Content-Type': contentTypeOf(format) };
    if (retryAfter) headers['Retry-After'] = String(retryAfter);
    // The body may be unread (413, 408, 503 mid-body): close the connection after answering instead of draining it.
    if (status === 413 || status === 400 || !req.complete) headers.Connection = 'close';
    res.writeHead(status, headers).end(encodeRpcStatus(code, message, format));
  }
}

/** The google.rpc.Status code of an OTLP/HTTP refusal. */
const RPC_CODE_BY_STATUS: Record<HttpRefusal['status'], number> = {
  400: RPC_CODE.INVALID_ARGUMENT,
  408: RPC_CODE.DEADLINE_EXCEEDED,
  413: RPC_CODE.INVALID_ARGUMENT,
  415: RPC_CODE.INVALID_ARGUMENT,
  429: RPC_CODE.RESOURCE_EXHAUSTED,
  500: RPC_CODE.INTERNAL,
  503: RPC_CODE.UNAVAILABLE,
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
