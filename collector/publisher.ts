import { DEFAULT_TOPICS, TENANT_HEADER, type Bus, type BusMessage } from '../core/contracts/bus';
import type { MetricPoint } from '../core/metric-point';
import type { LogRecord, Span } from '../core/model';
import { decodeTraceRequestProto, encodeLogsRequestProto, encodeMetricsRequestProto, encodeTraceRequestProto, splitExportRequestProto } from '../core/otlp';

export interface Topics {
  spans: string;
  logs: string;
  /** Default DEFAULT_TOPICS.metrics ('otlp_metrics'). */
  metrics?: string;
}

/**
 * Puts validated telemetry on the bus as OTLP protobuf requests, the format
 * the OpenTelemetry Collector's Kafka exporter writes. A request that was
 * already protobuf and fully valid goes on as it came, or cut into pieces of
 * its own bytes when it passes `maxMessageBytes`; everything else is
 * re-encoded, split so no message passes `maxMessageBytes`. Every message
 * carries TENANT_HEADER: the tenant of the credential the receiver verified.
 */
export class OtlpPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly topics: Topics,
    private readonly maxMessageBytes: number,
  ) {}

  async publishSpans(tenant: string, spans: Span[], originalProto?: Uint8Array): Promise<void> {
    if (spans.length === 0) return;
    await this.bus.publish(this.topics.spans, this.messages(tenant, spans, encodeTraceRequestProto, originalProto));
  }

  /**
   * A protobuf request that validateTraceRequestProto found clean (every span
   * valid, nothing to cut): published as it came, or cut into pieces of its
   * own bytes; decoded and re-encoded only when its envelope cannot be cut.
   */
  async publishSpanRequestProto(tenant: string, request: Uint8Array): Promise<void> {
    const pieces = splitExportRequestProto(request, this.maxMessageBytes);
    const messages = pieces ?? encodeInChunks(decodeTraceRequestProto(request).spans, encodeTraceRequestProto, this.maxMessageBytes);
    if (messages.length === 0) return;
    await this.bus.publish(this.topics.spans, messages.map((value) => stamped(tenant, asBuffer(value))));
  }

  async publishLogs(tenant: string, logs: LogRecord[], originalProto?: Uint8Array): Promise<void> {
    if (logs.length === 0) return;
    await this.bus.publish(this.topics.logs, this.messages(tenant, logs, encodeLogsRequestProto, originalProto));
  }

  async publishMetrics(tenant: string, points: MetricPoint[], originalProto?: Uint8Array): Promise<void> {
    if (points.length === 0) return;
    await this.bus.publish(this.topics.metrics ?? DEFAULT_TOPICS.metrics, this.messages(tenant, points, encodeMetricsRequestProto, originalProto));
  }

  private messages<T>(tenant: string, items: T[], encode: (items: T[]) => Uint8Array, originalProto?: Uint8Array): BusMessage[] {
    if (originalProto && originalProto.length <= this.maxMessageBytes) return [stamped(tenant, asBuffer(originalProto))];
    // Cutting the bytes costs a walk over the envelope; re-encoding the items cost more than decoding them.
    const pieces = originalProto ? splitExportRequestProto(originalProto, this.maxMessageBytes) : null;
    if (pieces) return pieces.map((value) => stamped(tenant, value));
    return encodeInChunks(items, encode, this.maxMessageBytes).map((value) => stamped(tenant, value));
  }
}

/** Encodes items, halving the slice until each encoded piece fits (a single oversized item goes alone). */
export function encodeInChunks<T>(items: T[], encode: (items: T[]) => Uint8Array, maxBytes: number): Buffer[] {
  const encoded = asBuffer(encode(items));
  if (encoded.length <= maxBytes || items.length <= 1) return [encoded];
  const middle = Math.ceil(items.length / 2);
  return [
    ...encodeInChunks(items.slice(0, middle), encode, maxBytes),
    ...encodeInChunks(items.slice(middle), encode, maxBytes),
  ];
}

function stamped(tenant: string, value: Buffer): BusMessage {
  return { value, headers: { [TENANT_HEADER]: tenant } };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
