import type { Attributes, Span, SpanKind } from '../../../../core/model';

export interface SpanSpec {
  parent?: string;
  service?: string;
  kind?: SpanKind;
  resource?: Attributes;
  /** Event offsets from the span start, µs. */
  eventsAt?: number[];
}

/** A model span named by a short id (padded to 16 hex-ish chars is not needed by the analyses). */
export function span(id: string, startUs: number, endUs: number, spec: SpanSpec = {}): Span {
  const service = spec.service ?? 'svc';
  return {
    traceId: 't'.repeat(32),
    spanId: id,
    parentSpanId: spec.parent ?? '',
    service,
    name: `op-${id}`,
    kind: spec.kind ?? 'internal',
    startUs,
    durationUs: endUs - startUs,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { 'service.name': service, ...(spec.resource ?? {}) },
    events: (spec.eventsAt ?? []).map((at, i) => ({ timeUs: startUs + at, name: `e${i}`, attributes: {} })),
    links: [],
    scope: { name: 'test', version: '1' },
  };
}
