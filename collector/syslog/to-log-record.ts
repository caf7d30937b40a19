import { DEFAULT_INPUT_LIMITS } from '../../core/limits';
import { logRecordId } from '../../core/log-id';
import { capBody, cutText } from '../../core/log-normalise/attributes';
import { severityOfSyslogCode, SYSLOG_SEVERITY_NAMES } from '../../core/log-normalise/severity';
import { withinTimeRange } from '../../core/log-normalise/time';
import type { Attributes, LogRecord } from '../../core/model';
import { FACILITY_NAMES, type SyslogMessage } from './parse';

export interface ToLogRecordOptions {
  /** Service when the message has no APP-NAME / tag. */
  defaultService: string;
  /** Reception time (µs), the record's observed time and its time when the message had none. */
  receivedUs: number;
  /** SD params with these names (e.g. order.id) also become top-level attributes, so business keys find them. */
  promotedKeys?: readonly string[];
  /** Sender address, as attribute net.peer.ip. */
  peer?: string;
  transport?: 'tcp' | 'udp';
}

const TRACE_ID_PARAMS = new Set(['trace_id', 'traceid', 'trace-id', 'traceId']);
const SPAN_ID_PARAMS = new Set(['span_id', 'spanid', 'span-id', 'spanId']);

/**
 * One parsed syslog message as a log record: service from APP-NAME (tag),
 * host.name resource from HOSTNAME, severity mapped to OTLP, facility and
 * the rest of the header as `syslog.*` attributes, structured data as
 * `sd.<SD-ID>.<PARAM>`; trace_id / span_id params become the trace context.
 * Severity, time range and caps are core/log-normalise's: the header
 * attributes come first, SD params fill the room left.
 */
export function syslogToLogRecord(msg: SyslogMessage, options: ToLogRecordOptions): LogRecord {
  const service = msg.appName || options.defaultService;
  const resource: Attributes = { 'service.name': service };
  if (msg.hostname) resource['host.name'] = msg.hostname;
  const attributes: Attributes = {
    'syslog.facility': FACILITY_NAMES[msg.facility] ?? String(msg.facility),
    'syslog.severity': SYSLOG_SEVERITY_NAMES[msg.severity],
    'syslog.format': msg.format,
  };
  if (msg.procId) attributes['syslog.procid'] = msg.procId;
  if (msg.msgId) attributes['syslog.msgid'] = msg.msgId;
  if (options.transport) attributes['syslog.transport'] = options.transport;
  if (options.peer) attributes['net.peer.ip'] = options.peer;
  let traceId = '';
  let spanId = '';
  const promoted = new Set(options.promotedKeys ?? []);
  let count = Object.keys(attributes).length;
  for (const element of msg.structuredData) {
    for (const [name, value] of element.params) {
      if (TRACE_ID_PARAMS.has(name) && /^[0-9a-fA-F]{32}$/.test(value) && !/^0+$/.test(value)) traceId = value.toLowerCase();
      else if (SPAN_ID_PARAMS.has(name) && /^[0-9a-fA-F]{16}$/.test(value) && !/^0+$/.test(value)) spanId = value.toLowerCase();
      if (count >= DEFAULT_INPUT_LIMITS.maxAttributesPerItem) continue;
      const v = cutText(value, DEFAULT_INPUT_LIMITS.maxAttributeValueLength);
      const key = `sd.${element.id}.${name}`;
      if (!(key in attributes)) count++;
      attributes[key] = v;
      if (promoted.has(name) && !(name in attributes) && count < DEFAULT_INPUT_LIMITS.maxAttributesPerItem) {
        attributes[name] = v;
        count++;
      }
    }
  }
  const severity = severityOfSyslogCode(msg.severity);
  const record: Omit<LogRecord, 'id'> = {
    timeUs: withinTimeRange(msg.timeUs ?? 0) || options.receivedUs,
    observedTimeUs: options.receivedUs,
    service,
    severityText: severity.text,
    severityNumber: severity.number,
    body: capBody(msg.message),
    traceId: spanId && !traceId ? '' : traceId,
    spanId: traceId ? spanId : '',
    attributes,
    resource,
    scope: { name: 'chainscope.syslog', version: '' },
  };
  return { id: logRecordId(record), ...record };
}
