/**
 * Chainscope's domain model. Every backend, receiver and view speaks these types.
 *
 * IDs are lowercase hex strings (trace 32 chars, span 16 chars). Times are
 * microseconds since the Unix epoch as JS numbers (exact below 2^53).
 */

export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type StatusCode = 'unset' | 'ok' | 'error';

export interface SpanStatus {
  code: StatusCode;
  message: string;
}

export interface SpanEvent {
  timeUs: number;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface InstrumentationScope {
  name: string;
  version: string;
}

export interface Span {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  /** resource attribute service.name, or 'unknown_service' when absent. */
  service: string;
  name: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  status: SpanStatus;
  attributes: Attributes;
  /** Resource attributes of the process that emitted the span. */
  resource: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  scope: InstrumentationScope;
}

export interface LogRecord {
  /** Deterministic id from content and origin: a replayed record gets the same id. */
  id: string;
  timeUs: number;
  observedTimeUs: number;
  service: string;
  /** e.g. 'INFO'; derived from severityNumber when the sender gave no text. */
  severityText: string;
  /** OTLP severity number 0..24 (0 = unspecified). */
  severityNumber: number;
  /** Body rendered as text (non-string bodies are JSON-encoded). */
  body: string;
  /** '' when the record carries no trace context. */
  traceId: string;
  spanId: string;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
}

/** One business key occurrence: e.g. order.id=ORD-1 seen in a trace. */
export interface BusinessKeyEntry {
  key: string;
  value: string;
  traceId: string;
  timeUs: number;
}

export type TraceLinkKind = 'link' | 'message';

/** A join between two traces: a span link, or a producer/consumer pair sharing a messaging id. */
export interface TraceLinkEntry {
  /** The trace that holds the span link (or the producer side for messages). */
  fromTraceId: string;
  fromSpanId: string;
  toTraceId: string;
  toSpanId: string;
  kind: TraceLinkKind;
  timeUs: number;
}

/** A messaging id seen on a producer or consumer span; pairs become trace links. */
export interface MessageIdEntry {
  messageId: string;
  traceId: string;
  spanId: string;
  side: 'producer' | 'consumer';
  timeUs: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startUs: number;
  durationUs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface TimeWindow {
  startUs?: number;
  endUs?: number;
}

export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
export const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];
