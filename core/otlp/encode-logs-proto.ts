import type { Writer } from 'protobufjs/minimal';
import type { LogRecord } from '../model';
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
 * Encodes log records as an OTLP ExportLogsServiceRequest, grouped by resource
 * and scope. The body (already text in the model) is written as string_value.
 * The id is not carried: it is derived from the content, so decoding the bytes
 * recomputes the same id.
 */
export function encodeLogsRequestProto(logs: readonly LogRecord[]): Uint8Array {
  const w = newWriter();
  for (const group of groupByResourceAndScope(logs)) {
    w.uint32(10).fork(); // resource_logs
    w.uint32(10).fork();
    writeResourceBody(w, group.resource);
    w.ldelim();
    for (const scopeGroup of group.scopes) {
      w.uint32(18).fork(); // scope_logs
      w.uint32(10).fork();
      writeScopeBody(w, scopeGroup.scope);
      w.ldelim();
      for (const log of scopeGroup.items) {
        w.uint32(18).fork();
        writeLogBody(w, log);
        w.ldelim();
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return finish(w);
}

function writeLogBody(w: Writer, log: LogRecord): void {
  writeMicrosAsNanos(w, 9, log.timeUs);
  if (log.severityNumber) w.uint32(16).int32(log.severityNumber);
  writeString(w, 26, log.severityText);
  if (log.body) {
    w.uint32(42).fork();
    w.uint32(10).string(log.body);
    w.ldelim();
  }
  writeAttributes(w, 6, log.attributes);
  writeHexId(w, 74, log.traceId);
  writeHexId(w, 82, log.spanId);
  writeMicrosAsNanos(w, 89, log.observedTimeUs);
}
