import type { Span } from '../model';
import { spanKindToNumber, statusToNumber } from './enums';
import { encodeGroupedRequest } from './encode-request';
import {
  ProtoSink,
  writeAttributes,
  writeHexId,
  writeMicrosAsNanos,
  writeString,
} from './proto-writer';

/**
 * Encodes spans as an OTLP ExportTraceServiceRequest (the payload the OTel
 * Collector's Kafka exporter writes as `otlp_proto`), grouped by resource and
 * scope. Times are written as exact nanoseconds (µs · 1000); end = start + duration.
 * decodeTraceRequestProto(encodeTraceRequestProto(spans)) gives back equal spans.
 */
export function encodeTraceRequestProto(spans: readonly Span[]): Uint8Array {
  return encodeGroupedRequest(spans, writeSpanBody);
}

function writeSpanBody(w: ProtoSink, span: Span): void {
  writeHexId(w, 10, span.traceId);
  writeHexId(w, 18, span.spanId);
  writeHexId(w, 34, span.parentSpanId);
  writeString(w, 42, span.name);
  const kind = spanKindToNumber(span.kind);
  if (kind !== 0) w.varint(48).int64(kind);
  writeMicrosAsNanos(w, 57, span.startUs);
  writeMicrosAsNanos(w, 65, span.startUs + Math.max(0, span.durationUs || 0));
  writeAttributes(w, 9, span.attributes);
  for (const event of span.events ?? []) {
    const eventMark = w.varint(90).begin();
    writeMicrosAsNanos(w, 9, event.timeUs);
    writeString(w, 18, event.name);
    writeAttributes(w, 3, event.attributes);
    w.end(eventMark);
  }
  for (const link of span.links ?? []) {
    const linkMark = w.varint(106).begin();
    writeHexId(w, 10, link.traceId);
    writeHexId(w, 18, link.spanId);
    writeAttributes(w, 4, link.attributes);
    w.end(linkMark);
  }
  const status = span.status;
  if (status && (status.code !== 'unset' || status.message)) {
    const statusMark = w.varint(122).begin();
    writeString(w, 18, status.message);
    const code = statusToNumber(status.code);
    if (code !== 0) w.varint(24).int64(code);
    w.end(statusMark);
  }
}
