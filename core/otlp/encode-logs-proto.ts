import type { LogRecord } from '../model';
import { encodeGroupedRequest } from './encode-request';
import {
  ProtoSink,
  writeAttributes,
  writeHexId,
  writeMicrosAsNanos,
  writeString,
} from './proto-writer';

/**
 * Encodes log records as an OTLP ExportLogsServiceRequest, grouped by resource
 * and scope. The body (already text in the model) is written as string_value.
 * The id is not carried: it is derived from the content, so decoding the bytes
 * recomputes the same id.
 */
export function encodeLogsRequestProto(logs: readonly LogRecord[]): Uint8Array {
  return encodeGroupedRequest(logs, writeLogBody);
}

function writeLogBody(w: ProtoSink, log: LogRecord): void {
  writeMicrosAsNanos(w, 9, log.timeUs);
  if (log.severityNumber) w.varint(16).int64(log.severityNumber);
  writeString(w, 26, log.severityText);
  if (log.body) {
    const bodyMark = w.varint(42).begin();
    w.varint(10).string(log.body);
    w.end(bodyMark);
  }
  writeAttributes(w, 6, log.attributes);
  writeHexId(w, 74, log.traceId);
  writeHexId(w, 82, log.spanId);
  writeMicrosAsNanos(w, 89, log.observedTimeUs);
}
