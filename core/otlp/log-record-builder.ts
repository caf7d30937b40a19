import type { AttributeValue, Attributes, InstrumentationScope, LogRecord } from '../model';
import { logRecordId } from '../log-id';
import { severityFromValue, severityTextFromNumber } from '../log-normalise/severity';
import { DecodeReport, serviceOf } from './decode-report';
import { stableStringify } from './stable-json';
import { inexactTimeReason, isExactMicros } from './time';

/**
 * Rules shared by the protobuf and JSON log decoders, so both give the same model.
 *
 * - timeUs is time_unix_nano, or observed_time_unix_nano when the former is 0.
 *   A record with neither is rejected ("log record has no timestamp"): stamping it
 *   with the receive time would give a replay a different id, and time 0 would file
 *   it under 1970 where no search finds it. The sender learns of it through
 *   partial_success.
 * - severityNumber outside 0..24 becomes 0 (counted as truncated); an empty
 *   severityText is derived from the number (TRACE/DEBUG/INFO/WARN/ERROR/FATAL);
 *   a record with a severityText and no number (0) gets the number the OTel log
 *   data model maps the text to (core/log-normalise/severity.ts: `warn` 13,
 *   `Error` 17, `E` 17, `17` 17), so level ranges find it; the text stays as sent.
 * - The body is rendered as text: strings as they are, an absent body as '',
 *   anything else as JSON; cut to maxLogBodyLength.
 * - trace/span ids are optional; all-zero ids mean "none" (some SDKs send them).
 *   An id of the wrong length rejects the record (checked by the caller).
 */

/** A record before its resource (and so service and id) is known. */
export type PendingLog = Omit<LogRecord, 'id'> & { id: string };

export function pendingLog(
  timeUs: number,
  observedTimeUs: number,
  severityNumber: number,
  severityText: string,
  body: AttributeValue,
  traceId: string,
  spanId: string,
  attributes: Attributes,
  report: DecodeReport,
): PendingLog | null {
  if (timeUs === 0 && observedTimeUs === 0) {
    report.reject('log record has no timestamp (time_unix_nano and observed_time_unix_nano are 0)');
    return null;
  }
  if (!isExactMicros(timeUs) || !isExactMicros(observedTimeUs)) {
    report.reject(inexactTimeReason('log record time_unix_nano and observed_time_unix_nano'));
    return null;
  }
  if (!(Number.isInteger(severityNumber) && severityNumber >= 0 && severityNumber <= 24)) {
    report.truncated++;
    severityNumber = 0;
  }
  if (severityNumber === 0 && severityText !== '') severityNumber = severityFromValue(severityText).number;
  return {
    id: '',
    timeUs: timeUs !== 0 ? timeUs : observedTimeUs,
    observedTimeUs,
    service: '',
    severityText: severityText !== '' ? report.cut(severityText, report.limits.maxNameLength) : severityTextFromNumber(severityNumber),
    severityNumber,
    body: renderBody(body, report),
    traceId,
    spanId,
    attributes,
    resource: EMPTY,
    scope: NO_SCOPE,
  };
}

const EMPTY: Attributes = Object.freeze({}) as Attributes;
const NO_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '' }) as InstrumentationScope;

function renderBody(body: AttributeValue, report: DecodeReport): string {
  if (body === null || body === undefined) return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return report.cut(text, report.limits.maxLogBodyLength);
}

/** Sets resource, service and then (unless `withIds` is false: the id stays '') the deterministic id on logs[first..]. */
export function finishResourceLogs(logs: PendingLog[], first: number, resource: Attributes, withIds = true): void {
  if (first >= logs.length) return;
  const service = serviceOf(resource);
  const resourceKey = withIds ? stableStringify(resource) : '';
  for (let i = first; i < logs.length; i++) {
    const log = logs[i];
    log.resource = resource;
    log.service = service;
    if (withIds) log.id = logRecordId(log, resourceKey);
  }
}

/** Sets the scope on logs[first..]. */
export function finishScopeLogs(logs: PendingLog[], first: number, scope: InstrumentationScope): void {
  for (let i = first; i < logs.length; i++) logs[i].scope = scope;
}
