import type { Reader } from 'protobufjs/minimal';
import type { AttributeValue, Attributes, InstrumentationScope } from '../model';
import { InputLimits, resolveInputLimits } from '../limits';
import { DecodeReport } from './decode-report';
import { allZero, bytesToHex } from './hex';
import { finishResourceLogs, finishScopeLogs, PendingLog, pendingLog } from './log-record-builder';
import { readAnyValue, readKeyValueInto, readResource, readScope } from './proto-any-value';
import { createReader, enterLengthDelimited, leaveMessage, readString, skipField, wrapDecodeError } from './proto-reader';
import { nanosBitsToMicros } from './time';
import type { DecodedLogs, LogDecodeOptions } from './types';

/**
 * Decodes an OTLP ExportLogsServiceRequest (protobuf) into model log records,
 * following the rules in log-record-builder.ts. Bytes that are not a well-formed
 * request throw ValidationError.
 */
export function decodeLogsRequestProto(bytes: Uint8Array, limits?: Partial<InputLimits>, options: LogDecodeOptions = {}): DecodedLogs {
  const report = new DecodeReport(resolveInputLimits(limits));
  const withIds = options.ids ?? true;
  const logs: PendingLog[] = [];
  const r = createReader(bytes);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 10) readResourceLogs(r, enterLengthDelimited(r), logs, report, withIds);
      else skipField(r, tag);
    }
  } catch (err) {
    throw wrapDecodeError(err, 'ExportLogsServiceRequest');
  }
  return { logs, ...report.outcome() };
}

function readResourceLogs(r: Reader, end: number, logs: PendingLog[], report: DecodeReport, withIds: boolean): void {
  const first = logs.length;
  let resource: Attributes | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) resource = readResource(r, enterLengthDelimited(r), report);
    else if (tag === 18) readScopeLogs(r, enterLengthDelimited(r), logs, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  finishResourceLogs(logs, first, resource ?? {}, withIds);
}

function readScopeLogs(r: Reader, end: number, logs: PendingLog[], report: DecodeReport): void {
  const first = logs.length;
  let scope: InstrumentationScope | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) scope = readScope(r, enterLengthDelimited(r), report);
    else if (tag === 18) {
      const log = readLogRecord(r, enterLengthDelimited(r), report);
      if (log) logs.push(log);
    } else skipField(r, tag);
  }
  leaveMessage(r, end);
  finishScopeLogs(logs, first, scope ?? { name: '', version: '' });
}

function readLogRecord(r: Reader, end: number, report: DecodeReport): PendingLog | null {
  const buf = r.buf;
  let timeLo = 0;
  let timeHi = 0;
  let observedLo = 0;
  let observedHi = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: AttributeValue = null;
  const attributes: Attributes = {};
  let attrCount = 0;
  let traceStart = 0;
  let traceLen = 0;
  let spanStart = 0;
  let spanLen = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 9: // time_unix_nano
        timeLo = r.fixed32();
        timeHi = r.fixed32();
        break;
      case 89: // observed_time_unix_nano
        observedLo = r.fixed32();
        observedHi = r.fixed32();
        break;
      case 16: // severity_number
        severityNumber = r.int32();
        break;
      case 26: // severity_text
        severityText = readString(r);
        break;
      case 42: // body
        body = readAnyValue(r, enterLengthDelimited(r), 1, report, report.limits.maxLogBodyLength);
        break;
      case 50: // attributes
        attrCount = readKeyValueInto(r, enterLengthDelimited(r), attributes, attrCount, 1, report);
        break;
      case 74: // trace_id
        traceLen = r.uint32();
        traceStart = r.pos;
        r.skip(traceLen);
        break;
      case 82: // span_id
        spanLen = r.uint32();
        spanStart = r.pos;
        r.skip(spanLen);
        break;
      default: // dropped_attributes_count, flags, event_name and unknown fields
        skipField(r, tag);
    }
  }
  leaveMessage(r, end);
  if (traceLen !== 0 && traceLen !== 16) {
    report.reject(`log trace id must be empty or 16 bytes, got ${traceLen}`);
    return null;
  }
  if (spanLen !== 0 && spanLen !== 8) {
    report.reject(`log span id must be empty or 8 bytes, got ${spanLen}`);
    return null;
  }
  const traceId = traceLen === 16 && !allZero(buf, traceStart, traceStart + 16) ? bytesToHex(buf, traceStart, traceStart + 16) : '';
  const spanId = spanLen === 8 && !allZero(buf, spanStart, spanStart + 8) ? bytesToHex(buf, spanStart, spanStart + 8) : '';
  return pendingLog(
    nanosBitsToMicros(timeLo, timeHi),
    nanosBitsToMicros(observedLo, observedHi),
    severityNumber,
    severityText,
    body,
    traceId,
    spanId,
    attributes,
    report,
  );
}
