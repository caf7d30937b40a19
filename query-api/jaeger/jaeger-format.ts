import type { AttributeValue, Attributes, Span, SpanKind } from '../../core/model';

/**
 * Jaeger's JSON model (the `/api/...` answers of jaeger-query that Jaeger UI
 * and Grafana's Jaeger data source read), built from model spans the way
 * Jaeger v2 converts OTLP spans (the OpenTelemetry Collector's Jaeger
 * translator): attributes → typed tags, kind → `span.kind`, status →
 * `otel.status_code` / `otel.status_description` / `error`, scope →
 * `otel.scope.name` / `otel.scope.version`, events → logs with an `event`
 * field, parent → CHILD_OF, links → FOLLOWS_FROM, resource → the process
 * (service.name its serviceName, the rest its tags). Pure functions.
 */
export type JaegerTagType = 'string' | 'bool' | 'int64' | 'float64';

export interface JaegerTag {
  key: string;
  type: JaegerTagType;
  value: string | number | boolean;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** Jaeger's answer envelope: `data` and, on failure, `errors` with the HTTP code. */
export interface JaegerAnswer<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: { code: number; msg: string }[] | null;
}

export function jaegerAnswer<T>(data: T, total = Array.isArray(data) ? data.length : 0): JaegerAnswer<T> {
  return { data, total, limit: 0, offset: 0, errors: null };
}

export function jaegerError(code: number, msg: string): JaegerAnswer<null> {
  return { data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] };
}

/** Jaeger prints a trace id with a zero high half as its 16 low hex digits. */
export function jaegerTraceId(traceId: string): string {
  return traceId.startsWith('0000000000000000') ? traceId.slice(16) : traceId;
}

const KIND_TAG: Partial<Record<SpanKind, string>> = { internal: 'internal', server: 'server', client: 'client', producer: 'producer', consumer: 'consumer' };

/** One trace's spans (any order) → a Jaeger trace; processes numbered p1, p2… in the order spans name them. */
export function toJaegerTrace(traceId: string, spans: Span[]): JaegerTrace {
  const processes: Record<string, JaegerProcess> = {};
  const processIds = new Map<string, string>();
  const out: JaegerSpan[] = [];
  for (const span of spans) {
    const process = toProcess(span);
    const key = JSON.stringify(process);
    let processID = processIds.get(key);
    if (!processID) {
      processID = `p${processIds.size + 1}`;
      processIds.set(key, processID);
      processes[processID] = process;
    }
    out.push(toJaegerSpan(span, processID));
  }
  return { traceID: jaegerTraceId(traceId), spans: out, processes, warnings: null };
}

function toJaegerSpan(span: Span, processID: string): JaegerSpan {
  const references: JaegerReference[] = [];
  if (span.parentSpanId) references.push({ refType: 'CHILD_OF', traceID: jaegerTraceId(span.traceId), spanID: span.parentSpanId });
  for (const link of span.links) references.push({ refType: 'FOLLOWS_FROM', traceID: jaegerTraceId(link.traceId), spanID: link.spanId });
  const tags = toTags(span.attributes);
  if (span.scope.name) tags.push(stringTag('otel.scope.name', span.scope.name));
  if (span.scope.version) tags.push(stringTag('otel.scope.version', span.scope.version));
  const kind = KIND_TAG[span.kind];
  if (kind) tags.push(stringTag('span.kind', kind));
  if (span.status.code === 'error') {
    tags.push(stringTag('otel.status_code', 'ERROR'), { key: 'error', type: 'bool', value: true });
    if (span.status.message) tags.push(stringTag('otel.status_description', span.status.message));
  } else if (span.status.code === 'ok') {
    tags.push(stringTag('otel.status_code', 'OK'));
    if (span.status.message) tags.push(stringTag('otel.status_description', span.status.message));
  }
  return {
    traceID: jaegerTraceId(span.traceId),
    spanID: span.spanId,
    operationName: span.name,
    references,
    startTime: span.startUs,
    duration: span.durationUs,
    tags,
    logs: span.events.map((e) => ({ timestamp: e.timeUs, fields: [stringTag('event', e.name), ...toTags(e.attributes)] })),
    processID,
    warnings: null,
  };
}

function toProcess(span: Span): JaegerProcess {
  const { 'service.name': _service, ...rest } = span.resource;
  return { serviceName: span.service, tags: toTags(rest) };
}

function toTags(attributes: Attributes): JaegerTag[] {
  return Object.entries(attributes).map(([key, value]) => toTag(key, value));
}

/** Strings, booleans, whole numbers (int64) and other numbers (float64) keep their type; arrays and maps become their JSON text. */
function toTag(key: string, value: AttributeValue): JaegerTag {
  if (typeof value === 'string') return stringTag(key, value);
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  return stringTag(key, value === null ? '' : JSON.stringify(value));
}

function stringTag(key: string, value: string): JaegerTag {
  return { key, type: 'string', value };
}
