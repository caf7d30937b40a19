import type { Attributes, InstrumentationScope, Span, SpanEvent, SpanLink, SpanStatus } from '../model';
import { InputLimits, resolveInputLimits } from '../limits';
import { DecodeReport, ItemRejection, serviceOf } from './decode-report';
import { jsonSpanKind, jsonStatusCode } from './enums';
import { jsonHexId } from './hex';
import {
  envelopeList,
  envelopeObject,
  field,
  isObject,
  itemList,
  itemString,
  jsonAttributes,
  jsonResource,
  jsonScope,

  parseJsonBody,
  rejectOnItemError,
} from './json-common';
import { inexactTimeReason, isExactMicros, jsonNanosToMicros } from './time';
import type { DecodedTraces } from './types';

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest (a JSON string, UTF-8 bytes or an
 * already-parsed object) into model spans, with the same per-span rules as the
 * protobuf decoder. Ids are hex in any case (normalised to lowercase; base64 is
 * refused), times are decimal strings or numbers of nanoseconds, kind and status
 * code are numbers or enum names. The older instrumentationLibrarySpans /
 * instrumentationLibrary names are accepted too.
 */
export function decodeTraceRequestJson(body: string | unknown, limits?: Partial<InputLimits>): DecodedTraces {
  const report = new DecodeReport(resolveInputLimits(limits));
  const root = parseJsonBody(body, 'ExportTraceServiceRequest');
  const spans: Span[] = [];
  const resourceSpans = envelopeList(root, 'resourceSpans', 'resource_spans', 'request');
  for (let i = 0; i < resourceSpans.length; i++) {
    const path = `resourceSpans[${i}]`;
    const rs = envelopeObject(resourceSpans[i], path);
    const resource = jsonResource(rs.resource, report, path);
    const service = serviceOf(resource);
    let scopeSpans = envelopeList(rs, 'scopeSpans', 'scope_spans', path);
    if (scopeSpans.length === 0) scopeSpans = envelopeList(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans', path);
    for (let j = 0; j < scopeSpans.length; j++) {
      const spath = `${path}.scopeSpans[${j}]`;
      const ss = envelopeObject(scopeSpans[j], spath);
      const scope = jsonScope(field(ss, 'scope') ?? field(ss, 'instrumentationLibrary', 'instrumentation_library'), report, spath);
      const list = envelopeList(ss, 'spans', 'spans', spath);
      for (let k = 0; k < list.length; k++) {
        const span = rejectOnItemError(report, () => jsonSpan(list[k], resource, service, scope, report));
        if (span) spans.push(span);
      }
    }
  }
  return { spans, ...report.outcome() };
}

function jsonSpan(v: unknown, resource: Attributes, service: string, scope: InstrumentationScope, report: DecodeReport): Span {
  if (!isObject(v)) throw new ItemRejection('span must be an object');
  const limits = report.limits;
  const traceId = jsonHexId(field(v, 'traceId', 'trace_id'), 16, 'trace id');
  if (traceId.error !== undefined) throw new ItemRejection(traceId.error);
  if (traceId.allZero) throw new ItemRejection('trace id is all zeros');
  if (traceId.id === '') throw new ItemRejection('trace id must be 16 bytes, got 0');
  const spanId = jsonHexId(field(v, 'spanId', 'span_id'), 8, 'span id');
  if (spanId.error !== undefined) throw new ItemRejection(spanId.error);
  if (spanId.allZero) throw new ItemRejection('span id is all zeros');
  if (spanId.id === '') throw new ItemRejection('span id must be 8 bytes, got 0');
  const parent = jsonHexId(field(v, 'parentSpanId', 'parent_span_id'), 8, 'parent span id');
  if (parent.error !== undefined) throw new ItemRejection(parent.error);

  const startUs = jsonNanosToMicros(field(v, 'startTimeUnixNano', 'start_time_unix_nano'));
  if (startUs < 0) throw new ItemRejection('startTimeUnixNano must be a uint64 (decimal string or number)');
  const endUs = jsonNanosToMicros(field(v, 'endTimeUnixNano', 'end_time_unix_nano'));
  if (endUs < 0) throw new ItemRejection('endTimeUnixNano must be a uint64 (decimal string or number)');
  if (!isExactMicros(startUs) || !isExactMicros(endUs)) throw new ItemRejection(inexactTimeReason('startTimeUnixNano and endTimeUnixNano'));

  const eventList = itemList(v.events, 'events');
  const events: SpanEvent[] = [];
  for (let i = 0; i < eventList.length; i++) {
    if (i >= limits.maxEventsPerSpan) {
      report.truncated += eventList.length - i;
      break;
    }
    events.push(jsonEvent(eventList[i], report));
  }
  const linkList = itemList(v.links, 'links');
  const links: SpanLink[] = [];
  for (let i = 0; i < linkList.length; i++) {
    if (i >= limits.maxLinksPerSpan) {
      report.truncated += linkList.length - i;
      break;
    }
    const link = jsonLink(linkList[i], report);
    if (link) links.push(link);
    else report.truncated++;
  }

  return {
    traceId: traceId.id,
    spanId: spanId.id,
    parentSpanId: parent.id,
    service,
    name: report.cut(itemString(v.name, 'span name'), limits.maxNameLength),
    kind: jsonSpanKind(v.kind),
    startUs,
    durationUs: endUs > startUs ? endUs - startUs : 0,
    status: jsonStatus(v.status, report),
    attributes: jsonAttributes(v.attributes, report),
    resource,
    events,
    links,
    scope,
  };
}

function jsonEvent(v: unknown, report: DecodeReport): SpanEvent {
  if (!isObject(v)) throw new ItemRejection('span event must be an object');
  const timeUs = jsonNanosToMicros(field(v, 'timeUnixNano', 'time_unix_nano'));
  if (timeUs < 0) throw new ItemRejection('event timeUnixNano must be a uint64 (decimal string or number)');
  if (!isExactMicros(timeUs)) throw new ItemRejection(inexactTimeReason('event timeUnixNano'));
  return {
    timeUs,
    name: report.cut(itemString(v.name, 'event name'), report.limits.maxNameLength),
    attributes: jsonAttributes(v.attributes, report, 'event attributes'),
  };
}

/** A link, or null when its ids are unusable (dropped, like the protobuf path). */
function jsonLink(v: unknown, report: DecodeReport): SpanLink | null {
  if (!isObject(v)) throw new ItemRejection('span link must be an object');
  const traceId = jsonHexId(field(v, 'traceId', 'trace_id'), 16, 'link trace id');
  const spanId = jsonHexId(field(v, 'spanId', 'span_id'), 8, 'link span id');
  const attributes = jsonAttributes(v.attributes, report, 'link attributes');
  if (traceId.error !== undefined || spanId.error !== undefined || traceId.id === '' || spanId.id === '') return null;
  return { traceId: traceId.id, spanId: spanId.id, attributes };
}

function jsonStatus(v: unknown, report: DecodeReport): SpanStatus {
  if (v === undefined || v === null) return { code: 'unset', message: '' };
  if (!isObject(v)) throw new ItemRejection('status must be an object');
  return {
    code: jsonStatusCode(v.code),
    message: report.cut(itemString(v.message, 'status message'), report.limits.maxAttributeValueLength),
  };
}

