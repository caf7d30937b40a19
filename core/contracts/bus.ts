/**
 * The message bus between collector and ingest. Payloads are OTLP protobuf
 * bytes (ExportTraceServiceRequest / ExportLogsServiceRequest), the same bytes
 * the official OpenTelemetry Collector's Kafka exporter writes.
 */
export interface BusMessage {
  key?: string;
  value: Buffer;
  headers?: Record<string, string>;
}

/**
 * Called with a batch of messages. The bus advances the group's position only
 * after the returned promise resolves; a rejection means "not processed", and
 * the batch is delivered again (at-least-once).
 */
export type BatchHandler = (messages: BusMessage[]) => Promise<void>;

export interface Subscription {
  /** Stops delivery after the batch in flight (if any) finishes. */
  close(): Promise<void>;
}

export interface Bus {
  start(): Promise<void>;
  /**
   * Resolves once the bus holds the messages durably (Kafka: acks=all; memory:
   * enqueued). Rejects with OverloadedError when the bus is full and with
   * BackendUnavailableError when it is unreachable; both are retriable.
   */
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  subscribe(topic: string, group: string, handler: BatchHandler): Promise<Subscription>;
  /**
   * Waits until every published message has been handled by its subscribers
   * (or the deadline passes), then stops. Idempotent.
   */
  shutdown(): Promise<void>;
}

export const DEFAULT_TOPICS = { spans: 'otlp_spans', logs: 'otlp_logs', metrics: 'otlp_metrics' } as const;

/**
 * Header naming the tenant a message belongs to. The collector sets it from the
 * verified credential of the request; ingest reads the tenant from it only (a
 * message without it is DEFAULT_TENANT's, e.g. from the OTel Collector's Kafka
 * exporter), never from anything inside the payload.
 */
export const TENANT_HEADER = 'chainscope-tenant';

/** Where messages a consumer cannot use are parked: `<topic>_dlq`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}_dlq`;
}
