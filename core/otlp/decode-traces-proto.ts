import type { Reader } from 'protobufjs/minimal';
import type { Attributes, InstrumentationScope, Span, SpanEvent, SpanLink, SpanStatus } from '../model';
import { InputLimits, resolveInputLimits } from '../limits';
import { DecodeReport, serviceOf } from './decode-report';
import { allZero } from './hex';
import { spanIdHex, traceIdHex } from './id-strings';
import { readKeyValueInto, readResource, readScope } from './proto-any-value';
import { createReader, enterLengthDelimited, leaveMessage, readString, skipField, skipTo, wrapDecodeError } from './proto-reader';
import { spanKindFromNumber, statusFromNumber } from './enums';
import { inexactTimeReason, isExactMicros, nanosBitsToMicros } from './time';
import type { DecodedTraces } from './types';

/**
 * Decodes an OTLP ExportTraceServiceRequest (protobuf) into model spans.
 *
 * Per span: the trace id must be 16 non-zero bytes and the span id 8 non-zero bytes,
 * the parent span id empty or 8 bytes (8 zero bytes count as no parent); other spans
 * are rejected and counted. An end time before the start time gives durationUs 0 (the
 * span is kept). Links with unusable ids are dropped and counted as truncated.
 * Bytes that are not a well-formed request throw ValidationError.
 */
export function decodeTraceRequestProto(bytes: Uint8Array, limits?: Partial<InputLimits>): DecodedTraces {
  const report = new DecodeReport(resolveInputLimits(limits));
  const spans: Span[] = [];
  const r = createReader(bytes);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 10) readResourceSpans(r, enterLengthDelimited(r), spans, report);
      else skipField(r, tag);
    }
  } catch (err) {
    throw wrapDecodeError(err, 'ExportTraceServiceRequest');
  }
  return { spans, ...report.outcome() };
}

const EMPTY_RESOURCE: Attributes = Object.freeze({}) as Attributes;

/*
 * Most spans have no events, no links and a status without a message: they share
 * these frozen values instead of allocating their own (fewer objects for the
 * garbage collector to copy while a batch is written). Nothing writes into a
 * decoded span's status, events or links; a write would throw (strict mode).
 * V8 iterates a frozen array with for-of through a generic iterator (an object
 * per loop, ~6x slower): loops run per span check the length first.
 */
const NO_EVENTS: SpanEvent[] = Object.freeze([]) as unknown as SpanEvent[];
const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[];
const UNSET_STATUS: SpanStatus = Object.freeze({ code: 'unset', message: '' });
const OK_STATUS: SpanStatus = Object.freeze({ code: 'ok', message: '' });
const ERROR_STATUS: SpanStatus = Object.freeze({ code: 'error', message: '' });

/**
 * A span's attribute object: a plain object (prototype Object.prototype, as `{}`),
 * made by `new` so that V8 sizes it to the attributes spans have (in-object slack
 * tracking) instead of starting at four fields and growing an out-of-object
 * property array for the rest.
 */
const SpanAttributes = function SpanAttributes(this: Attributes) {} as unknown as new () => Attributes;
SpanAttributes.prototype = Object.prototype;

function readResourceSpans(r: Reader, end: number, spans: Span[], report: DecodeReport): void {
  const first = spans.length;
  let resource: Attributes | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) resource = readResource(r, enterLengthDelimited(r), report);
    else if (tag === 18) readScopeSpans(r, enterLengthDelimited(r), spans, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  // The resource may come after the spans on the wire; spans share one resource object.
  const res = resource ?? {};
  const service = serviceOf(res);
  for (let i = first; i < spans.length; i++) {
    spans[i].resource = res;
    spans[i].service = service;
  }
}

function readScopeSpans(r: Reader, end: number, spans: Span[], report: DecodeReport): void {
  const first = spans.length;
  let scope: InstrumentationScope | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) scope = readScope(r, enterLengthDelimited(r), report);
    else if (tag === 18) readSpan(r, enterLengthDelimited(r), spans, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  const sc = scope ?? { name: '', version: '' };
  for (let i = first; i < spans.length; i++) spans[i].scope = sc;
}

function readSpan(r: Reader, end: number, spans: Span[], report: DecodeReport): void {
  const limits = report.limits;
  const buf = r.buf;
  let traceStart = 0;
  let traceLen = 0;
  let spanStart = 0;
  let spanLen = 0;
  let parentStart = 0;
  let parentLen = 0;
  let name = '';
  let kind = 0;
  let startLo = 0;
  let startHi = 0;
  let endLo = 0;
  let endHi = 0;
  const attributes: Attributes = new SpanAttributes();
  let attrCount = 0;
  let events: SpanEvent[] | null = null;
  let links: SpanLink[] | null = null;
  let status: SpanStatus | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: // trace_id
        traceLen = r.uint32();
        traceStart = r.pos;
        r.skip(traceLen);
        break;
      case 18: // span_id
        spanLen = r.uint32();
        spanStart = r.pos;
        r.skip(spanLen);
        break;
      case 34: // parent_span_id
        parentLen = r.uint32();
        parentStart = r.pos;
        r.skip(parentLen);
        break;
      case 42: // name
        name = report.cut(readString(r), limits.maxNameLength);
        break;
      case 48: // kind
        kind = r.int32();
        break;
      case 57: // start_time_unix_nano
        startLo = r.fixed32();
        startHi = r.fixed32();
        break;
      case 65: // end_time_unix_nano
        endLo = r.fixed32();
        endHi = r.fixed32();
        break;
      case 74: // attributes
        attrCount = readKeyValueInto(r, enterLengthDelimited(r), attributes, attrCount, 1, report);
        break;
      case 90: {
        // events
        const inner = enterLengthDelimited(r);
        if (events === null) events = [];
        if (events.length >= limits.maxEventsPerSpan) {
          skipTo(r, inner);
          report.truncated++;
        } else events.push(readEvent(r, inner, report));
        break;
      }
      case 106: {
        // links
        const inner = enterLengthDelimited(r);
        if (links === null) links = [];
        if (links.length >= limits.maxLinksPerSpan) {
          skipTo(r, inner);
          report.truncated++;
        } else {
          const link = readLink(r, inner, report);
          if (link) links.push(link);
          else report.truncated++;
        }
        break;
      }
      case 122: // status
        status = readStatus(r, enterLengthDelimited(r), report);
        break;
      default: // trace_state, dropped_*, flags and unknown fields
        skipField(r, tag);
    }
  }
  leaveMessage(r, end);

  if (traceLen !== 16) return report.reject(`trace id must be 16 bytes, got ${traceLen}`);
  if (allZero(buf, traceStart, traceStart + 16)) return report.reject('trace id is all zeros');
  if (spanLen !== 8) return report.reject(`span id must be 8 bytes, got ${spanLen}`);
  if (allZero(buf, spanStart, spanStart + 8)) return report.reject('span id is all zeros');
  if (parentLen !== 0 && parentLen !== 8) return report.reject(`parent span id must be empty or 8 bytes, got ${parentLen}`);

  const startUs = nanosBitsToMicros(startLo, startHi);
  const endUs = nanosBitsToMicros(endLo, endHi);
  if (!isExactMicros(startUs) || !isExactMicros(endUs)) return report.reject(inexactTimeReason('startTimeUnixNano and endTimeUnixNano'));
  if (events !== null && !events.every(eventTimeExact)) return report.reject(inexactTimeReason('event timeUnixNano'));
  spans.push({
    traceId: traceIdHex(buf, traceStart),
    spanId: spanIdHex(buf, spanStart),
    parentSpanId: parentLen === 8 && !allZero(buf, parentStart, parentStart + 8) ? spanIdHex(buf, parentStart) : '',
    service: '',
    name,
    kind: spanKindFromNumber(kind),
    startUs,
    durationUs: durationOf(startUs, endUs),
    status: status ?? UNSET_STATUS,
    attributes,
    resource: EMPTY_RESOURCE,
    events: events ?? NO_EVENTS,
    links: links ?? NO_LINKS,
    scope: NO_SCOPE,
  });
}

/**
 * end - start in µs, 0 when the end is not after the start. Below 2^31 (35 minutes)
 * as an int32, which V8 stores in the span itself rather than in a number box of
 * its own as it does the result of a subtraction of two large numbers.
 */
function durationOf(startUs: number, endUs: number): number {
  const d = endUs - startUs;
  if (d <= 0) return 0;
  return d < 0x80000000 ? d | 0 : d;
}

function eventTimeExact(event: SpanEvent): boolean {
  return isExactMicros(event.timeUs);
}

const NO_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '' }) as InstrumentationScope;

function readEvent(r: Reader, end: number, report: DecodeReport): SpanEvent {
  let lo = 0;
  let hi = 0;
  let name = '';
  const attributes: Attributes = {};
  let count = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) {
      lo = r.fixed32();
      hi = r.fixed32();
    } else if (tag === 18) name = report.cut(readString(r), report.limits.maxNameLength);
    else if (tag === 26) count = readKeyValueInto(r, enterLengthDelimited(r), attributes, count, 1, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  return { timeUs: nanosBitsToMicros(lo, hi), name, attributes };
}

/** A link, or null when its ids are unusable (it is then dropped). */
function readLink(r: Reader, end: number, report: DecodeReport): SpanLink | null {
  const buf = r.buf;
  let traceStart = 0;
  let traceLen = 0;
  let spanStart = 0;
  let spanLen = 0;
  const attributes: Attributes = {};
  let count = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      traceLen = r.uint32();
      traceStart = r.pos;
      r.skip(traceLen);
    } else if (tag === 18) {
      spanLen = r.uint32();
      spanStart = r.pos;
      r.skip(spanLen);
    } else if (tag === 34) count = readKeyValueInto(r, enterLengthDelimited(r), attributes, count, 1, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  if (traceLen !== 16 || spanLen !== 8) return null;
  if (allZero(buf, traceStart, traceStart + 16) || allZero(buf, spanStart, spanStart + 8)) return null;
  return {
    traceId: traceIdHex(buf, traceStart),
    spanId: spanIdHex(buf, spanStart),
    attributes,
  };
}

function readStatus(r: Reader, end: number, report: DecodeReport): SpanStatus {
  let message = '';
  let code = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) message = report.cut(readString(r), report.limits.maxAttributeValueLength);
    else if (tag === 24) code = r.int32();
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  const statusCode = statusFromNumber(code);
  if (message === '') return statusCode === 'unset' ? UNSET_STATUS : statusCode === 'ok' ? OK_STATUS : ERROR_STATUS;
  return { code: statusCode, message };
}
