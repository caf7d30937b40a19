import type { Writer } from 'protobufjs/minimal';
import type { Span } from '../model';
import { spanKindToNumber, statusToNumber } from './enums';
import { groupByResourceAndScope } from './group-by-resource';
import {
  finish,
  newWriter,
  writeAttributes,
  writeHexId,
  writeMicrosAsNanos,
  writeResourceBody,
  writeScopeBody,
  writeString,
} from './proto-writer';

/**
 * Encodes spans as an OTLP ExportTraceServiceRequest (the payload the OTel
 * Collector's Kafka exporter writes as `otlp_proto`), grouped by resource and
 * scope. Times are written as exact nanoseconds (µs · 1000); end = start + duration.
 * decodeTraceRequestProto(encodeTraceRequestProto(spans)) gives back equal spans.
 */
export function encodeTraceRequestProto(spans: readonly Span[]): Uint8Array {
  const w = newWriter();
  for (const group of groupByResourceAndScope(spans)) {
    w.uint32(10).fork(); // resource_spans
    w.uint32(10).fork();
    writeResourceBody(w, group.resource);
    w.ldelim();
    for (const scopeGroup of group.scopes) {
      w.uint32(18).fork(); // scope_spans
      w.uint32(10).fork();
      writeScopeBody(w, scopeGroup.scope);
      w.ldelim();
      for (const span of scopeGroup.items) {
        w.uint32(18).fork();
        writeSpanBody(w, span);
        w.ldelim();
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return finish(w);
}

function writeSpanBody(w: Writer, span: Span): void {
  writeHexId(w, 10, span.traceId);
  writeHexId(w, 18, span.spanId);
  writeHexId(w, 34, span.parentSpanId);
  writeString(w, 42, span.name);
  const kind = spanKindToNumber(span.kind);
  if (kind !== 0) w.uint32(48).int32(kind);
  writeMicrosAsNanos(w, 57, span.startUs);
  writeMicrosAsNanos(w, 65, span.startUs + Math.max(0, span.durationUs || 0));
  writeAttributes(w, 9, span.attributes);
  for (const event of span.events ?? []) {
    w.uint32(90).fork();
    writeMicrosAsNanos(w, 9, event.timeUs);
    writeString(w, 18, event.name);
    writeAttributes(w, 3, event.attributes);
    w.ldelim();
  }
  for (const link of span.links ?? []) {
    w.uint32(106).fork();
    writeHexId(w, 10, link.traceId);
    writeHexId(w, 18, link.spanId);
    writeAttributes(w, 4, link.attributes);
    w.ldelim();
  }
  const status = span.status;
  if (status && (status.code !== 'unset' || status.message)) {
    w.uint32(122).fork();
    writeString(w, 18, status.message);
    const code = statusToNumber(status.code);
    if (code !== 0) w.uint32(24).int32(code);
    w.ldelim();
  }
}
