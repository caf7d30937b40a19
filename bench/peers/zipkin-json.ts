import type { AttributeValue, Span, SpanKind } from '../../core/model';

/** One span in Zipkin's v2 JSON model (what `POST /api/v2/spans` takes). */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  /** Epoch microseconds. */
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string };
  tags: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
}

const ZIPKIN_KINDS: Partial<Record<SpanKind, ZipkinSpan['kind']>> = {
  server: 'SERVER',
  client: 'CLIENT',
  producer: 'PRODUCER',
  consumer: 'CONSUMER',
};

function tagText(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Our spans as Zipkin v2 JSON, the way OpenTelemetry's Zipkin exporter maps
 * them: internal spans carry no kind, every attribute and the resource's
 * (except service.name, which becomes the local endpoint) are string tags, an
 * error status is the `error` tag, the scope is `otel.scope.*`, events are
 * annotations. Zipkin has no links; they are dropped.
 */
export function toZipkinSpans(spans: Span[]): ZipkinSpan[] {
  return spans.map((span) => {
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(span.resource)) if (key !== 'service.name') tags[key] = tagText(value);
    for (const [key, value] of Object.entries(span.attributes)) tags[key] = tagText(value);
    if (span.scope.name) tags['otel.scope.name'] = span.scope.name;
    if (span.scope.version) tags['otel.scope.version'] = span.scope.version;
    if (span.status.code === 'error') tags.error = span.status.message || 'true';
    const zipkin: ZipkinSpan = {
      traceId: span.traceId,
      id: span.spanId,
      name: span.name,
      timestamp: span.startUs,
      duration: Math.max(1, span.durationUs),
      localEndpoint: { serviceName: span.service },
      tags,
    };
    if (span.parentSpanId) zipkin.parentId = span.parentSpanId;
    const kind = ZIPKIN_KINDS[span.kind];
    if (kind) zipkin.kind = kind;
    if (span.events.length) zipkin.annotations = span.events.map((e) => ({ timestamp: e.timeUs, value: e.name }));
    return zipkin;
  });
}
