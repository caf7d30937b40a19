import { assembleChain } from '../../core/analysis/chain';
import type { ComparableChain } from '../../core/analysis/chain-compare';
import type { Span } from '../../core/model';
import { traceLinksOf } from '../../ingest/trace-links';
import { demoLikeOrder, type OrderSpec } from './chain-orders';

/** A demo-like order assembled as the chain service does (joins from its span links, order-jobs intended), as a comparison reads it. */
export function comparableOrder(spec: Partial<OrderSpec> & { drop?: (s: Span) => boolean } = {}): ComparableChain {
  const spans = demoLikeOrder({ orderId: 'ORD-1', t0: 1_700_000_000_000, ...spec }).filter((s) => !spec.drop?.(s));
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const chain = assembleChain(
    [...byTrace].map(([traceId, list]) => ({ traceId, spans: list })),
    traceLinksOf(spans),
    { expectedWaits: ['order-jobs'] },
  );
  const traces = [...byTrace].map(([traceId, list]) => {
    const root = list.find((s) => s.parentSpanId === '')!;
    return { traceId, stage: chain.traceStages.get(traceId) ?? '', rootService: root.service, rootName: root.name };
  });
  return { traces, spans: chain.spans, stages: chain.stages, criticalPath: chain.criticalPath };
}
