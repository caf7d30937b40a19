import type { LogRecord } from '../model';
import { groupByResourceAndScope } from './group-by-resource';
import {
  ProtoSink,
  writeAttributes,
  writeHexId,
  writeMicrosAsNanos,
  writeResourceBody,
  writeScopeBody,
  writeString,
} from './proto-writer';

/**
 * Encodes log records as an OTLP ExportLogsServiceRequest, grouped by resource
 * and scope. The body (already text in the model) is written as string_value.
 * The id is not carried: it is derived from the content, so decoding the bytes
 * recomputes the same id.
 */
export function encodeLogsRequestProto(logs: readonly LogRecord[]): Uint8Array {
  const w = new ProtoSink();
  for (const group of groupByResourceAndScope(logs)) {
    const resourceLogs = w.varint(10).begin(); // resource_logs
    const resource = w.varint(10).begin();
    writeResourceBody(w, group.resource);
    w.end(resource);
    for (const scopeGroup of group.scopes) {
      const scopeLogs = w.varint(18).begin(); // scope_logs
      const scope = w.varint(10).begin();
      writeScopeBody(w, scopeGroup.scope);
      w.end(scope);
      for (const log of scopeGroup.items) {
        const record = w.varint(18).begin();
        writeLogBody(w, log);
        w.end(record);
      }
      w.end(scopeLogs);
    }
    w.end(resourceLogs);
  }
  return w.finish();
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
