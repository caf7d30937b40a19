import type { Counters } from '../core/metrics';
import type { Span } from '../core/model';
import {
  decodeLogsRequestJson,
  decodeLogsRequestProto,
  decodeMetricsRequestJson,
  decodeMetricsRequestProto,
  decodeTraceRequestJson,
  decodeTraceRequestProto,
  validateTraceRequestProto,
  type OtlpFormat,
  type OtlpSignal,
} from '../core/otlp';
import { DEFAULT_TENANT } from '../core/security/tenants';
import type { TenantIngestLimiter } from '../core/security/tenant-limits';
import type { OtlpPublisher } from './publisher';

export interface IntakeOutcome {
  accepted: number;
  /** Items refused by validation; the sender learns of them through partial_success. */
  rejected: number;
  reasons: string[];
}

/** Takes a request's bytes and its valid items from the tenant's ingest rate, or throws RateLimitedError. */
type Admit = (spans: number, logRecords: number) => void;

const ITEM_BY_SIGNAL: Record<OtlpSignal, string> = { traces: 'spans', logs: 'logs', metrics: 'metric_points' };

/**
 * The one validation and publishing path of every receiver: an OTLP request
 * (HTTP or gRPC, protobuf or JSON) or spans another protocol translated into
 * the model (Zipkin) are checked by the OTLP codec's rules, put on the bus by
 * the publisher, and counted under the same metric names whichever port they
 * came through. A request over its tenant's ingest rate is refused whole
 * before anything of it is published (RateLimitedError). Throws what the
 * codec and the bus throw (ValidationError for an undecodable request,
 * OverloadedError / BackendUnavailableError when the bus cannot take it);
 * each receiver maps those to its protocol's answers.
 */
export class OtlpIntake {
  constructor(
    private readonly publisher: OtlpPublisher,
    private readonly counters: Counters,
    /** TENANT_INGEST_*: absent or disabled lets everything in. */
    private readonly limiter?: TenantIngestLimiter,
  ) {
    counters.describe('chainscope_receiver_spans_accepted_total', 'Spans accepted by the receivers (OTLP/HTTP, OTLP/gRPC, Zipkin)');
    counters.describe('chainscope_receiver_spans_rejected_total', 'Spans rejected by validation');
    counters.describe('chainscope_receiver_logs_accepted_total', 'Log records accepted by the receivers (OTLP/HTTP, OTLP/gRPC)');
    counters.describe('chainscope_receiver_logs_rejected_total', 'Log records rejected by validation');
    counters.describe('chainscope_receiver_metric_points_accepted_total', 'Metric data points accepted by the receivers (OTLP/HTTP, OTLP/gRPC)');
    counters.describe('chainscope_receiver_metric_points_rejected_total', 'Metric data points rejected by validation');
  }

  /** Validates and publishes one OTLP export request of `tenant` (the verified credential's) as it arrived (its decompressed body), stamped with it on the bus. */
  async acceptRequest(signal: OtlpSignal, format: OtlpFormat, body: Buffer, tenant = DEFAULT_TENANT): Promise<IntakeOutcome> {
    const admit: Admit = (spans, logRecords) => this.limiter?.admit(tenant, body.length, spans, logRecords);
    const outcome =
      signal === 'traces' ? await this.traces(tenant, format, body, admit) : signal === 'logs' ? await this.logs(tenant, format, body, admit) : await this.metrics(tenant, format, body, admit);
    this.count(signal, outcome);
    return outcome;
  }

  /** Publishes spans another protocol's receiver translated and validated (Zipkin) from a request of `bodyBytes`, counting them as accepted. */
  async acceptSpans(spans: Span[], bodyBytes: number, tenant = DEFAULT_TENANT): Promise<IntakeOutcome> {
    this.limiter?.admit(tenant, bodyBytes, spans.length, 0);
    await this.publisher.publishSpans(tenant, spans);
    const outcome = { accepted: spans.length, rejected: 0, reasons: [] };
    this.count('traces', outcome);
    return outcome;
  }

  private count(signal: OtlpSignal, outcome: IntakeOutcome): void {
    const item = ITEM_BY_SIGNAL[signal];
    this.counters.add(`chainscope_receiver_${item}_accepted_total`, outcome.accepted);
    this.counters.add(`chainscope_receiver_${item}_rejected_total`, outcome.rejected);
  }

  private async traces(tenant: string, format: OtlpFormat, body: Buffer, admit: Admit): Promise<IntakeOutcome> {
    // A clean protobuf request is checked without building its spans: ingest decodes it once, from the bus.
    const clean = format === 'proto' ? validateTraceRequestProto(body) : null;
    if (clean !== null) {
      admit(clean, 0);
      if (clean > 0) await this.publisher.publishSpanRequestProto(tenant, body);
      return { accepted: clean, rejected: 0, reasons: [] };
    }
    const decoded = format === 'proto' ? decodeTraceRequestProto(body) : decodeTraceRequestJson(body.toString('utf8'));
    admit(decoded.spans.length, 0);
    const asIs = format === 'proto' && decoded.rejected === 0 && !decoded.modified ? body : undefined;
    await this.publisher.publishSpans(tenant, decoded.spans, asIs);
    return { accepted: decoded.spans.length, rejected: decoded.rejected, reasons: decoded.rejectReasons };
  }

  private async logs(tenant: string, format: OtlpFormat, body: Buffer, admit: Admit): Promise<IntakeOutcome> {
    // Ids are not carried on the bus (ingest derives them again): skip hashing every record here.
    const noIds = { ids: false };
    const decoded = format === 'proto' ? decodeLogsRequestProto(body, undefined, noIds) : decodeLogsRequestJson(body.toString('utf8'), undefined, noIds);
    admit(0, decoded.logs.length);
    const asIs = format === 'proto' && decoded.rejected === 0 && !decoded.modified ? body : undefined;
    await this.publisher.publishLogs(tenant, decoded.logs, asIs);
    return { accepted: decoded.logs.length, rejected: decoded.rejected, reasons: decoded.rejectReasons };
  }

  private async metrics(tenant: string, format: OtlpFormat, body: Buffer, admit: Admit): Promise<IntakeOutcome> {
    const decoded = format === 'proto' ? decodeMetricsRequestProto(body) : decodeMetricsRequestJson(body.toString('utf8'));
    admit(0, 0);
    const asIs = format === 'proto' && decoded.rejected === 0 && !decoded.modified ? body : undefined;
    await this.publisher.publishMetrics(tenant, decoded.points, asIs);
    return { accepted: decoded.points.length, rejected: decoded.rejected, reasons: decoded.rejectReasons };
  }
}
