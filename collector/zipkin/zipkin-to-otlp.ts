import { createHash } from 'node:crypto';
import { ValidationError } from '../../core/errors';
import type { SpanKind } from '../../core/model';
import { spanKindToNumber } from '../../core/otlp/enums';
import { inexactTimeReason, isExactMicros } from '../../core/otlp/time';

/**
 * Zipkin v2 JSON spans → one OTLP/JSON ExportTraceServiceRequest, by the
 * OpenTelemetry Collector's Zipkin translation rules, so the OTLP codec's
 * validation and input limits (core/otlp) apply to Zipkin spans exactly as to
 * OTLP ones:
 *
 * - `localEndpoint.serviceName` → resource `service.name`, with the tags named
 *   like resource attributes (`service.*`, `telemetry.sdk.*`, `host.*`,
 *   `process.*`, `os.*`, `k8s.*`, `container.*`, `cloud.*`,
 *   `deployment.environment*`: the OTel Zipkin exporter sends its resource as
 *   tags); one resource per distinct set. Its ipv4/ipv6/port → `net.host.ip` / `net.host.port`;
 *   `remoteEndpoint` serviceName → `peer.service`, ipv4/ipv6/port →
 *   `net.peer.ip` / `net.peer.port`.
 * - `kind` CLIENT/SERVER/PRODUCER/CONSUMER → the OTLP kind; absent → the
 *   `span.kind` tag if there is one, else unspecified (the OTel Zipkin exporter
 *   sends INTERNAL spans without a kind).
 * - `annotations` → events (timestamp, name = value); `tags` → string attributes.
 * - Status: `otel.status_code` (OK/ERROR) with `otel.status_description`, else an
 *   `error` tag → ERROR with the tag's value as message; those tags are consumed.
 *   `otel.scope.name`/`otel.library.name` (and `.version`) → the scope.
 * - A `shared` span (the server side of an RPC that reuses the client's span id)
 *   gets its own span id, derived from the trace and shared id so a resent span
 *   maps to the same one, and the client span as parent: span identity is
 *   trace id + span id, and two spans must not share it. Children that name the
 *   shared id then hang under the client span (as Jaeger's span-id deduper does).
 * - Ids: trace ids of 1–32 hex characters, span ids of 1–16, left-padded with
 *   zeros (Zipkin's 64-bit trace ids become 128-bit ones with a zero high half).
 *
 * Zipkin has no partial success: any span that cannot be translated refuses the
 * request with a ValidationError naming the span and field (Zipkin answers 400).
 */
export function zipkinSpansToOtlpJson(body: unknown): { request: OtlpJsonRequest; spanCount: number } {
  if (!Array.isArray(body)) throw new ValidationError('a Zipkin v2 request body is a JSON array of spans', 'body');
  const resources = new Map<string, Map<string, OtlpJsonSpan[]>>();
  for (let i = 0; i < body.length; i++) {
    const { resourceKey, scopeKey, span } = translateSpan(body[i], `span[${i}]`);
    let scopes = resources.get(resourceKey);
    if (!scopes) resources.set(resourceKey, (scopes = new Map()));
    let spans = scopes.get(scopeKey);
    if (!spans) scopes.set(scopeKey, (spans = []));
    spans.push(span);
  }
  const resourceSpans = [...resources].map(([resourceKey, scopes]) => ({
    resource: { attributes: (JSON.parse(resourceKey) as [string, string][]).map(([key, value]) => stringAttribute(key, value)) },
    scopeSpans: [...scopes].map(([scopeKey, spans]) => {
      const [name, version] = JSON.parse(scopeKey) as [string, string];
      return { scope: { name, version }, spans };
    }),
  }));
  return { request: { resourceSpans }, spanCount: body.length };
}

export interface OtlpJsonRequest {
  resourceSpans: unknown[];
}

interface OtlpJsonAttribute {
  key: string;
  value: { stringValue: string } | { intValue: number };
}

interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonAttribute[];
  events: { timeUnixNano: string; name: string }[];
  status: { code: number; message: string };
}

const KINDS: Record<string, SpanKind> = { CLIENT: 'client', SERVER: 'server', PRODUCER: 'producer', CONSUMER: 'consumer' };
const TAG_KINDS: Record<string, SpanKind> = { client: 'client', server: 'server', producer: 'producer', consumer: 'consumer', internal: 'internal' };
const STATUS_ERROR = 2;
const STATUS_OK = 1;

/** Tags that describe the process rather than the span: the resource's (cf. the OTel semantic conventions' resource namespaces). */
const RESOURCE_TAG = /^(service\.|telemetry\.sdk\.|telemetry\.distro\.|host\.|process\.|os\.|k8s\.|container\.|cloud\.|deployment\.environment)/;

function translateSpan(value: unknown, path: string): { resourceKey: string; scopeKey: string; span: OtlpJsonSpan } {
  if (!isObject(value)) throw new ValidationError(`${path} must be an object`, path);
  const traceId = hexId(value.traceId, 32, `${path}.traceId`, true);
  const zipkinId = hexId(value.id, 16, `${path}.id`, true);
  const parentId = value.parentId === undefined || value.parentId === null ? '' : hexId(value.parentId, 16, `${path}.parentId`, false);
  const startUs = micros(value.timestamp, `${path}.timestamp`, true);
  const durationUs = value.duration === undefined || value.duration === null ? 0 : micros(value.duration, `${path}.duration`, false);
  if (!isExactMicros(startUs + durationUs)) {
    throw new ValidationError(inexactTimeReason(`${path}.timestamp + ${path}.duration (the span's end)`), `${path}.duration`);
  }
  const name = optionalString(value.name, `${path}.name`);
  const local = endpoint(value.localEndpoint, `${path}.localEndpoint`);
  const remote = endpoint(value.remoteEndpoint, `${path}.remoteEndpoint`);
  const tags = stringTags(value.tags, `${path}.tags`);

  let kind: SpanKind = 'unspecified';
  if (value.kind !== undefined && value.kind !== null) {
    if (typeof value.kind !== 'string' || !KINDS[value.kind.toUpperCase()]) {
      throw new ValidationError(`${path}.kind must be CLIENT, SERVER, PRODUCER or CONSUMER`, `${path}.kind`);
    }
    kind = KINDS[value.kind.toUpperCase()];
  } else if (tags.has('span.kind') && TAG_KINDS[tags.get('span.kind')!.toLowerCase()]) {
    kind = TAG_KINDS[tags.get('span.kind')!.toLowerCase()];
    tags.delete('span.kind');
  }

  const status = takeStatus(tags);
  const scopeName = take(tags, 'otel.scope.name') ?? take(tags, 'otel.library.name') ?? '';
  const scopeVersion = take(tags, 'otel.scope.version') ?? take(tags, 'otel.library.version') ?? '';

  const resource = new Map<string, string>();
  const attributes: OtlpJsonAttribute[] = [];
  for (const [key, text] of tags) {
    if (RESOURCE_TAG.test(key)) resource.set(key, text);
    else attributes.push(stringAttribute(key, text));
  }
  if (local?.serviceName) resource.set('service.name', local.serviceName);
  if (local?.ip) attributes.push(stringAttribute('net.host.ip', local.ip));
  if (local?.port) attributes.push({ key: 'net.host.port', value: { intValue: local.port } });
  if (remote?.serviceName) attributes.push(stringAttribute('peer.service', remote.serviceName));
  if (remote?.ip) attributes.push(stringAttribute('net.peer.ip', remote.ip));
  if (remote?.port) attributes.push({ key: 'net.peer.port', value: { intValue: remote.port } });

  const shared = value.shared === true;
  const span: OtlpJsonSpan = {
    traceId,
    spanId: shared ? sharedSpanId(traceId, zipkinId) : zipkinId,
    parentSpanId: shared ? zipkinId : parentId,
    name,
    kind: spanKindToNumber(kind),
    startTimeUnixNano: nanos(startUs),
    endTimeUnixNano: nanos(startUs + durationUs),
    attributes,
    events: annotations(value.annotations, `${path}.annotations`),
    status,
  };
  const resourceKey = JSON.stringify([...resource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { resourceKey, scopeKey: JSON.stringify([scopeName, scopeVersion]), span };
}

function takeStatus(tags: Map<string, string>): { code: number; message: string } {
  const code = take(tags, 'otel.status_code');
  const description = take(tags, 'otel.status_description');
  const error = take(tags, 'error');
  if (code !== undefined && code.toUpperCase() === 'OK') return { code: STATUS_OK, message: '' };
  if ((code !== undefined && code.toUpperCase() === 'ERROR') || error !== undefined) {
    return { code: STATUS_ERROR, message: description ?? error ?? '' };
  }
  return { code: 0, message: '' };
}

/** The id a shared (server) span gets: stable for the same trace and shared id, never all zeros. */
function sharedSpanId(traceId: string, sharedId: string): string {
  const id = createHash('sha256').update(`zipkin-shared:${traceId}:${sharedId}`).digest('hex').slice(0, 16);
  return id === '0000000000000000' ? '0000000000000001' : id;
}

function hexId(value: unknown, maxChars: number, path: string, required: boolean): string {
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(`${path} is required`, path);
    return '';
  }
  if (typeof value !== 'string' || value.length > maxChars || !/^[0-9a-fA-F]+$/.test(value)) {
    throw new ValidationError(`${path} must be 1 to ${maxChars} hex characters`, path);
  }
  if (/^0+$/.test(value)) {
    if (required) throw new ValidationError(`${path} is all zeros`, path);
    return '';
  }
  return value.toLowerCase().padStart(maxChars, '0');
}

/** Epoch or duration microseconds: a whole non-negative number (a start must be positive). */
function micros(value: unknown, path: string, start: boolean): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (start ? 1 : 0)) {
    const what = start ? 'epoch microseconds, a positive whole number' : 'microseconds, a whole number ≥ 0';
    throw new ValidationError(`${path} must be ${what}${value === undefined ? ' (missing)' : ''}`, path);
  }
  return value;
}

function nanos(us: number): string {
  return (BigInt(us) * 1000n).toString();
}

function optionalString(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(`${path} must be a string`, path);
  return value;
}

function endpoint(value: unknown, path: string): { serviceName?: string; ip?: string; port?: number } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ValidationError(`${path} must be an object`, path);
  const serviceName = optionalString(value.serviceName, `${path}.serviceName`) || undefined;
  const ip = optionalString(value.ipv4, `${path}.ipv4`) || optionalString(value.ipv6, `${path}.ipv6`) || undefined;
  let port: number | undefined;
  if (value.port !== undefined && value.port !== null && value.port !== 0) {
    if (typeof value.port !== 'number' || !Number.isInteger(value.port) || value.port < 0 || value.port > 65535) {
      throw new ValidationError(`${path}.port must be a whole number from 0 to 65535`, `${path}.port`);
    }
    port = value.port;
  }
  return { serviceName, ip, port };
}

/** Zipkin tags are strings; numbers and booleans are taken as their text. */
function stringTags(value: unknown, path: string): Map<string, string> {
  const tags = new Map<string, string>();
  if (value === undefined || value === null) return tags;
  if (!isObject(value)) throw new ValidationError(`${path} must be an object of string values`, path);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') tags.set(key, v);
    else if (typeof v === 'number' || typeof v === 'boolean') tags.set(key, String(v));
    else throw new ValidationError(`${path}[${JSON.stringify(key.slice(0, 100))}] must be a string`, path);
  }
  return tags;
}

function annotations(value: unknown, path: string): { timeUnixNano: string; name: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError(`${path} must be an array`, path);
  return value.map((a, i) => {
    if (!isObject(a)) throw new ValidationError(`${path}[${i}] must be an object`, `${path}[${i}]`);
    return { timeUnixNano: nanos(micros(a.timestamp, `${path}[${i}].timestamp`, true)), name: optionalString(a.value, `${path}[${i}].value`) };
  });
}

function take(tags: Map<string, string>, key: string): string | undefined {
  const v = tags.get(key);
  tags.delete(key);
  return v;
}

function stringAttribute(key: string, value: string): OtlpJsonAttribute {
  return { key, value: { stringValue: value } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
