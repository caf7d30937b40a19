import type { Span, SpanKind, TraceLinkEntry } from '../../../../core/model';

/** A span of trace `traceId` named `name`, from `startUs` to `endUs`. */
export function cspan(
  traceId: string,
  spanId: string,
  startUs: number,
  endUs: number,
  spec: { parent?: string; service?: string; name?: string; kind?: SpanKind; error?: string } = {},
): Span {
  const service = spec.service ?? 'svc';
  return {
    traceId,
    spanId,
    parentSpanId: spec.parent ?? '',
    service,
    name: spec.name ?? spanId,
    kind: spec.kind ?? 'internal',
    startUs,
    durationUs: endUs - startUs,
    status: spec.error === undefined ? { code: 'unset', message: '' } : { code: 'error', message: spec.error },
    attributes: {},
    resource: { 'service.name': service },
    events: [],
    links: [],
    scope: { name: 'test', version: '1' },
  };
}

export const link = (from: [string, string], to: [string, string], kind: 'link' | 'message' = 'link'): TraceLinkEntry => ({
  fromTraceId: from[0],
  fromSpanId: from[1],
  toTraceId: to[0],
  toSpanId: to[1],
  kind,
  timeUs: 0,
});

/**
 * One order over three traces:
 *
 *   A order-api   POST /orders   0 ─────────────── 100      (INSERT orders 10..40, publish 50..60 producer)
 *                                      ~~ queue 60..300 ~~
 *   B fulfilment  process        300 ──────────── 700        (reserve stock @inventory 320..650, schedule billing 660..690)
 *                                      ~~ delay 690..1000 ~~
 *   C billing     charge         1000 ─────── 1200           (call psp @psp-gateway 1010..1180, error); C's root links to B's schedule span
 */
export function threeTraceOrder(): { traces: Map<string, Span[]>; joins: TraceLinkEntry[] } {
  const A = [
    cspan('A', 'a-root', 0, 100, { service: 'order-api', name: 'POST /orders', kind: 'server' }),
    cspan('A', 'a-db', 10, 40, { parent: 'a-root', service: 'order-api', name: 'INSERT orders', kind: 'client' }),
    cspan('A', 'a-pub', 50, 60, { parent: 'a-root', service: 'order-api', name: 'publish order.created', kind: 'producer' }),
  ];
  const B = [
    cspan('B', 'b-root', 300, 700, { service: 'fulfilment', name: 'process order.created', kind: 'consumer' }),
    cspan('B', 'b-stock', 320, 650, { parent: 'b-root', service: 'inventory', name: 'reserve stock' }),
    cspan('B', 'b-sched', 660, 690, { parent: 'b-root', service: 'fulfilment', name: 'schedule billing' }),
  ];
  const C = [
    cspan('C', 'c-root', 1000, 1200, { service: 'billing', name: 'charge' }),
    cspan('C', 'c-psp', 1010, 1180, { parent: 'c-root', service: 'psp-gateway', name: 'call psp', kind: 'client', error: 'card declined' }),
  ];
  return {
    traces: new Map([
      ['A', A],
      ['B', B],
      ['C', C],
    ]),
    joins: [link(['A', 'a-pub'], ['B', 'b-root'], 'message'), link(['C', 'c-root'], ['B', 'b-sched'], 'link')],
  };
}
