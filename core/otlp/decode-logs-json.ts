import type { Attributes } from '../model';
import { InputLimits, resolveInputLimits } from '../limits';
import { DecodeReport, ItemRejection } from './decode-report';
import { jsonSeverityNumber } from './enums';
import { jsonHexId } from './hex';
import {
  envelopeList,
  envelopeObject,
  field,
  isObject,
  itemString,
  jsonAnyValue,
  jsonAttributes,
  jsonResource,
  jsonScope,
  parseJsonBody,
  rejectOnItemError,
} from './json-common';
import { finishResourceLogs, finishScopeLogs, PendingLog, pendingLog } from './log-record-builder';
import { jsonNanosToMicros } from './time';
import type { DecodedLogs, LogDecodeOptions } from './types';

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest (a JSON string, UTF-8 bytes or an
 * already-parsed object) into model log records, with the same rules as the
 * protobuf decoder (see log-record-builder.ts).
 */
export function decodeLogsRequestJson(body: string | unknown, limits?: Partial<InputLimits>, options: LogDecodeOptions = {}): DecodedLogs {
  const report = new DecodeReport(resolveInputLimits(limits));
  const root = parseJsonBody(body, 'ExportLogsServiceRequest');
  const logs: PendingLog[] = [];
  const resourceLogs = envelopeList(root, 'resourceLogs', 'resource_logs', 'request');
  for (let i = 0; i < resourceLogs.length; i++) {
    const path = `resourceLogs[${i}]`;
    const rl = envelopeObject(resourceLogs[i], path);
    const resource = jsonResource(rl.resource, report, path);
    const first = logs.length;
    let scopeLogs = envelopeList(rl, 'scopeLogs', 'scope_logs', path);
    if (scopeLogs.length === 0) scopeLogs = envelopeList(rl, 'instrumentationLibraryLogs', 'instrumentation_library_logs', path);
    for (let j = 0; j < scopeLogs.length; j++) {
      const spath = `${path}.scopeLogs[${j}]`;
      const sl = envelopeObject(scopeLogs[j], spath);
      const scope = jsonScope(field(sl, 'scope') ?? field(sl, 'instrumentationLibrary', 'instrumentation_library'), report, spath);
      const scopeFirst = logs.length;
      const list = envelopeList(sl, 'logRecords', 'log_records', spath);
      for (let k = 0; k < list.length; k++) {
        const log = rejectOnItemError(report, () => jsonLogRecord(list[k], report));
        if (log) logs.push(log);
      }
      finishScopeLogs(logs, scopeFirst, scope);
    }
    finishResourceLogs(logs, first, resource, options.ids ?? true);
  }
  return { logs, ...report.outcome() };
}

function jsonLogRecord(v: unknown, report: DecodeReport): PendingLog | null {
  if (!isObject(v)) throw new ItemRejection('log record must be an object');
  const traceId = jsonHexId(field(v, 'traceId', 'trace_id'), 16, 'log trace id');
  if (traceId.error !== undefined) throw new ItemRejection(traceId.error);
  const spanId = jsonHexId(field(v, 'spanId', 'span_id'), 8, 'log span id');
  if (spanId.error !== undefined) throw new ItemRejection(spanId.error);
  const timeUs = jsonNanosToMicros(field(v, 'timeUnixNano', 'time_unix_nano'));
  if (timeUs < 0) throw new ItemRejection('timeUnixNano must be a uint64 (decimal string or number)');
  const observedTimeUs = jsonNanosToMicros(field(v, 'observedTimeUnixNano', 'observed_time_unix_nano'));
  if (observedTimeUs < 0) throw new ItemRejection('observedTimeUnixNano must be a uint64 (decimal string or number)');
  const attributes: Attributes = jsonAttributes(v.attributes, report);
  return pendingLog(
    timeUs,
    observedTimeUs,
    jsonSeverityNumber(field(v, 'severityNumber', 'severity_number')),
    itemString(field(v, 'severityText', 'severity_text'), 'severityText'),
    jsonAnyValue(v.body, 1, report, report.limits.maxLogBodyLength),
    traceId.id,
    spanId.id,
    attributes,
    report,
  );
}
