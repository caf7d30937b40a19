import { Server, ServerCredentials, status as GrpcCode, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Counters } from '../../core/metrics';
import type { Authenticator } from '../../core/security/authenticator';
import type { TenantIngestLimiter } from '../../core/security/tenant-limits';
import { DEFAULT_TENANT } from '../../core/security/tenants';
import { roleAllows } from '../../core/security/roles';
import { encodeExportResponse, type OtlpSignal } from '../../core/otlp';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { InflightBudget } from '../inflight-budget';
import { OtlpIntake } from '../otlp-intake';
import type { OtlpPublisher } from '../publisher';
import { refusalFor, serviceErrorOf } from './grpc-status';
import { otlpServiceDefinition } from './services';

export interface OtlpGrpcReceiverOptions {
  host: string;
  port: number;
  /** Largest request message, on the wire and after gzip/deflate decompression (grpc-js enforces both). */
  maxRequestBytes: number;
  /** Request bytes being validated or published at once; past it RESOURCE_EXHAUSTED + RetryInfo (unless nothing else is in flight). */
  maxInflightBytes: number;
  /** Concurrent calls per connection (HTTP/2 streams). */
  maxConcurrentStreams?: number;
  /** A connection with no call for this long is closed (GOAWAY; clients reconnect when they next export). Default 5 min. */
  maxConnectionIdleMs?: number;
  /** After shutdown() stops new calls, calls still running get this long before their connections are cut. */
  shutdownGraceMs?: number;
  publisher: OtlpPublisher;
  counters: Counters;
  log?: (line: string) => void;
  /** AUTH=tokens: every call carries metadata `authorization: Bearer <token>` of role ingest (or admin). */
  authenticator?: Authenticator;
  /** TENANT_INGEST_*: a call over its tenant's rate gets RESOURCE_EXHAUSTED + RetryInfo. */
  ingestLimiter?: TenantIngestLimiter;
}

/**
 * OTLP/gRPC receiver: opentelemetry.proto.collector.{trace,logs,metrics}.v1 Export,
 * gzip or deflate per message, the same validation, limits and bus path as
 * the OTLP/HTTP receiver (collector/otlp-intake.ts), answered by OTLP's gRPC
 * status rules (collector/otlp-grpc/grpc-status.ts): partial_success for
 * rejected items, INVALID_ARGUMENT for an undecodable request,
 * RESOURCE_EXHAUSTED / UNAVAILABLE with RetryInfo when the bus cannot take it.
 */
export class OtlpGrpcReceiver {
  private server: Server | null = null;
  private readonly intake: OtlpIntake;
  private readonly budget: InflightBudget;
  private readonly errors: RateLimitedLog;

  constructor(private readonly options: OtlpGrpcReceiverOptions) {
    const c = options.counters;
    this.intake = new OtlpIntake(options.publisher, c, options.ingestLimiter);
    this.budget = new InflightBudget(options.maxInflightBytes, () => c.add('chainscope_receiver_grpc_calls_overloaded_total'));
    this.errors = new RateLimitedLog(options.log);
    c.describe('chainscope_receiver_grpc_calls_refused_total', 'OTLP/gRPC calls answered with an error status');
    c.describe('chainscope_receiver_grpc_calls_overloaded_total', 'OTLP/gRPC calls answered RESOURCE_EXHAUSTED: too many request bytes in flight (MAX_INFLIGHT_BYTES)');
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const server = new Server({
      'grpc.max_receive_message_length': this.options.maxRequestBytes,
      'grpc.max_concurrent_streams': this.options.maxConcurrentStreams ?? 100,
      'grpc.max_connection_idle_ms': this.options.maxConnectionIdleMs ?? 300_000,
      // per-call statistics for channelz, which nothing here reads
      'grpc.enable_channelz': 0,
    });
    server.addService(otlpServiceDefinition('traces'), { Export: this.handler('traces') });
    server.addService(otlpServiceDefinition('logs'), { Export: this.handler('logs') });
    server.addService(otlpServiceDefinition('metrics'), { Export: this.handler('metrics') });
    const address = `${this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host}:${this.options.port}`;
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(withSystemCode(err)) : resolve(bound))),
    );
    this.server = server;
    return port;
  }

  get bytesInFlight(): number {
    return this.budget.bytesInFlight;
  }

  /** Stops taking calls and lets the ones running finish (their data is published), cutting them after the grace. */
  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.options.shutdownGraceMs ?? 5000);
      cut.unref();
      server.tryShutdown(() => {
        clearTimeout(cut);
        resolve();
      });
    });
  }

  private handler(signal: OtlpSignal) {
    return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
      this.callerOf(call).then((caller) => {
        if ('denied' in caller) {
          this.options.counters.add('chainscope_receiver_grpc_calls_refused_total');
          return callback(caller.denied);
        }
        this.export(signal, call.request, caller.tenant).then(
          (response) => callback(null, response),
          (err) => callback(this.refuse(err)),
        );
      }, (err) => callback(this.refuse(err)));
    };
  }

  /**
   * The caller's tenant; UNAUTHENTICATED without a live token or a valid JWT
   * in the `authorization` metadata (the reason said), UNAVAILABLE while a
   * JWT's keys cannot be had, PERMISSION_DENIED for a role that may not write.
   */
  private async callerOf(call: ServerUnaryCall<Buffer, Buffer>): Promise<{ tenant: string } | { denied: { code: GrpcCode; details: string } }> {
    const authenticator = this.options.authenticator;
    if (!authenticator) return { tenant: DEFAULT_TENANT };
    const sent = call.metadata.get('authorization')[0];
    if (typeof sent !== 'string') return { denied: { code: GrpcCode.UNAUTHENTICATED, details: 'missing token: send metadata authorization: Bearer <token> (OTel exporters: headers setting; docs/security.md)' } };
    const verdict = await authenticator.verifyAuthorization(sent);
    if (!verdict.ok) return { denied: { code: verdict.status === 503 ? GrpcCode.UNAVAILABLE : GrpcCode.UNAUTHENTICATED, details: verdict.message } };
    const { role, tenant } = verdict.principal;
    if (!roleAllows(role, 'ingest')) return { denied: { code: GrpcCode.PERMISSION_DENIED, details: `a token of role ${role} may not write telemetry: it needs role ingest` } };
    return { tenant };
  }

  private async export(signal: OtlpSignal, request: Buffer, tenant: string): Promise<Buffer> {
    const held = { bytes: 0 };
    try {
      this.budget.hold(held, request.length);
      const { rejected, reasons } = await this.intake.acceptRequest(signal, 'proto', request, tenant);
      return Buffer.from(encodeExportResponse(signal, rejected, reasons.join('; '), 'proto'));
    } finally {
      this.budget.release(held);
    }
  }

  private refuse(err: unknown) {
    this.options.counters.add('chainscope_receiver_grpc_calls_refused_total');
    const refusal = refusalFor(err);
    if (refusal.code === GrpcCode.INTERNAL) this.errors.warn('internal', `OTLP/gRPC receiver: internal error: ${(err as Error)?.stack ?? err}`);
    return serviceErrorOf(refusal);
  }
}

/**
 * grpc-js reports a failed bind as one message ("No address added … [listen
 * EADDRINUSE …]") without the system error's code: give it back its code, so
 * start-up explains it like any other server's (core/util/listen-errors.ts).
 */
function withSystemCode(err: Error): Error {
  const code = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(err.message)?.[1] ?? (/Name resolution failed/i.test(err.message) ? 'ENOTFOUND' : undefined);
  if (code) (err as NodeJS.ErrnoException).code = code;
  return err;
}
