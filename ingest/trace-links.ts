import type { MessageIdEntry, Span, TraceLinkEntry } from '../core/model';

const MESSAGE_ID_ATTRIBUTE = 'messaging.message.id';

/** Span links that cross into another trace, as trace-to-trace joins. */
export function traceLinksOf(spans: Span[]): TraceLinkEntry[] {
  const out: TraceLinkEntry[] = [];
  for (const span of spans) {
    // most spans have none: the decoder's shared frozen empty array, which for-of would iterate slowly (see core/otlp)
    if (span.links.length === 0) continue;
    for (const link of span.links) {
      if (link.traceId === span.traceId) continue;
      out.push({
        fromTraceId: span.traceId,
        fromSpanId: span.spanId,
        toTraceId: link.traceId,
        toSpanId: link.spanId,
        kind: 'link',
        timeUs: span.startUs,
      });
    }
  }
  return out;
}

/** Messaging ids on producer and consumer spans; the store pairs them into 'message' joins. */
export function messageIdsOf(spans: Span[]): MessageIdEntry[] {
  const out: MessageIdEntry[] = [];
  for (const span of spans) {
    if (span.kind !== 'producer' && span.kind !== 'consumer') continue;
    const id = span.attributes[MESSAGE_ID_ATTRIBUTE];
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    const messageId = String(id);
    if (messageId.length === 0 || messageId.length > 256) continue;
    out.push({ messageId, traceId: span.traceId, spanId: span.spanId, side: span.kind, timeUs: span.startUs });
  }
  return out;
}
