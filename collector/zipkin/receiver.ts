import type http from 'node:http';
import { UnsupportedMediaTypeError } from '../../core/errors';
import type { Counters } from '../../core/metrics';
import { DEFAULT_CONFIG } from '../../core/config';
import { guarded, INGEST_ONLY, tenantOf, type Access } from '../../core/security/access-guard';
import { closeServer, createBoundedServer, listen, type HttpServerLimits } from '../../core/util/http-server';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { httpRefusalFor } from '../http-refusal';
import { InflightBudget } from '../inflight-budget';
import { otlpHttpLimitsFrom } from '../otlp-http/receiver';
import { readBody } from '../otlp-http/read-body';
import { OtlpIntake } from '../otlp-intake';
import type { OtlpPublisher } from '../publisher';
import { decodeZipkinJson, decodeZipkinProto } from './decode-zipkin-json';

export interface ZipkinReceiverOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  maxInflightBytes: number;
  /** Default: the OTLP/HTTP receiver's, from DEFAULT_CONFIG. */
  connectionLimits?: HttpServerLimits;
  bodyIdleTimeoutMs?: number;
  publisher: OtlpPublisher;
  counters: Counters;
  log?: (line: string) => void;
  /** Host, Origin (CORS) and credential checks before any route (default: no foreign browser). */
  access?: Access;
}

const SPANS_PATH = '/api/v2/spans';

/**
 * Zipkin v2 receiver: `POST /api/v2/spans` with a JSON list of spans or a
 * proto3 ListOfSpans (gzip or deflate), answered as a Zipkin server does: 202 and no body when
 * taken, 400 with a plain-text message naming the span and field at fault
 * (nothing of that request is kept), 413/415, 503 + Retry-After when the bus
 * is full. Spans go through the OTLP codec's validation and the same bus path
 * as OTLP (collector/otlp-intake.ts).
 */
export class ZipkinReceiver {
  private server: http.Server | null = null;
  private readonly intake: OtlpIntake;
  private readonly budget: InflightBudget;
  private readonly inflight = new Set<Promise<void>>();
  private readonly errors: RateLimitedLog;

  constructor(private readonly options: ZipkinReceiverOptions) {
    const c = options.counters;
    this.intake = new OtlpIntake(options.publisher, c, options.access?.limits?.ingest);
    this.budget = new InflightBudget(options.maxInflightBytes, () => c.add('chainscope_receiver_zipkin_requests_overloaded_total'));
    this.errors = new RateLimitedLog(options.log);
    c.describe('chainscope_receiver_zipkin_requests_refused_total', 'Zipkin requests answered 4xx/5xx');
    c.describe('chainscope_receiver_zipkin_requests_overloaded_total', 'Zipkin requests answered 503: too many request bytes in flight (MAX_INFLIGHT_BYTES)');
  }

  async start(): Promise<number> {
    const limits = this.options.connectionLimits ?? otlpHttpLimitsFrom(DEFAULT_CONFIG).connectionLimits;
    const handler: http.RequestListener = (req, res) => {
      const work = this.handle(req, res).catch((err) => this.errors.warn('unexpected', `zipkin receiver: ${err}`));
      this.inflight.add(work);
      work.finally(() => this.inflight.delete(work));
    };
    const server = createBoundedServer(guarded(handler, this.options.access, INGEST_ONLY), limits, this.options.counters, 'chainscope_receiver_zipkin');
    this.server = server;
    return listen(server, this.options.host, this.options.port);
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
    if (path !== SPANS_PATH) {
      const hint = path === '/api/v1/spans' ? 'Zipkin v1 is not accepted; send v2 JSON (JSON_V2) to' : 'use POST';
      return sendText(res, 404, `no Zipkin route ${path}: ${hint} ${SPANS_PATH}`);
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return sendText(res, 405, `${req.method} not allowed on ${SPANS_PATH}; use POST`);
    }
    const held = { bytes: 0 };
    try {
      const encoding = encodingOf(req.headers['content-type']);
      this.budget.hold(held, 0);
      const body = await readBody(req, {
        limitBytes: this.options.maxRequestBytes,
        idleTimeoutMs: this.options.bodyIdleTimeoutMs ?? DEFAULT_CONFIG.otlpHttpBodyIdleTimeoutMs,
        onBytes: (bytes) => this.budget.hold(held, bytes),
      });
      const spans = encoding === 'proto' ? decodeZipkinProto(body) : decodeZipkinJson(body);
      await this.intake.acceptSpans(spans, body.length, tenantOf(req));
      res.writeHead(202).end();
    } catch (err) {
      this.refuse(req, res, err);
    } finally {
      this.budget.release(held);
    }
  }

  private refuse(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
    this.options.counters.add('chainscope_receiver_zipkin_requests_refused_total');
    const { status, retryAfter, message } = httpRefusalFor(err);
    if (status === 500) this.errors.warn('internal', `zipkin receiver: internal error: ${(err as Error)?.stack ?? err}`);
    if (res.headersSent) return void res.destroy();
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
    if (retryAfter) headers['Retry-After'] = String(retryAfter);
    // The body may be unread (413, 408, 503 mid-body): close the connection after answering instead of draining it.
    if (status === 413 || status === 400 || !req.complete) headers.Connection = 'close';
    res.writeHead(status, headers).end(message);
  }
}

/** JSON (also with no Content-Type: some tracers send none) or proto3 (application/x-protobuf, as Zipkin's PROTO3 encoding sends). */
function encodingOf(contentType: string | undefined): 'json' | 'proto' {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mime === '' || mime === 'application/json') return 'json';
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'proto';
  throw new UnsupportedMediaTypeError(`unsupported Content-Type "${contentType}": Zipkin spans are taken as application/json or application/x-protobuf`);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}
