import type { AttributeValue, Attributes, Span } from '../model';
import { MAX_NESTING_DEPTH_CAP, NESTING_MARKER } from '../limits';
import { spanKindToNumber, statusToNumber } from './enums';
import { groupByResourceAndScope } from './group-by-resource';
import { microsToNanosString } from './time';

/** OTLP/JSON AnyValue. */
export type OtlpJsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string }
  | { arrayValue: { values: OtlpJsonAnyValue[] } }
  | { kvlistValue: { values: OtlpJsonKeyValue[] } }
  | Record<string, never>;

export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonAnyValue;
}

export interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpJsonKeyValue[] }>;
  links: Array<{ traceId: string; spanId: string; attributes: OtlpJsonKeyValue[] }>;
  status: { code: number; message?: string };
}

/** An OTLP/JSON ExportTraceServiceRequest (the shape an OTLP/HTTP JSON exporter posts). */
export interface OtlpJsonTraceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpJsonKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpJsonSpan[] }>;
  }>;
}

/**
 * Spans as an OTLP/JSON ExportTraceServiceRequest, grouped by resource and scope
 * as the protobuf encoder groups them: ids as lowercase hex, times as decimal
 * nanosecond strings (µs · 1000, end = start + duration), enums as numbers,
 * int64 as decimal strings. decodeTraceRequestJson(encodeTraceRequestJson(spans))
 * gives back equal spans. Returns plain objects, so a caller can stream them.
 */
export function encodeTraceRequestJson(spans: readonly Span[]): OtlpJsonTraceRequest {
  return {
    resourceSpans: groupByResourceAndScope(spans).map((group) => ({
      resource: { attributes: jsonKeyValues(group.resource, 1) },
      scopeSpans: group.scopes.map((s) => ({
        scope: { name: s.scope?.name ?? '', version: s.scope?.version ?? '' },
        spans: s.items.map(jsonSpan),
      })),
    })),
  };
}

function jsonSpan(span: Span): OtlpJsonSpan {
  const status = span.status ?? { code: 'unset', message: '' };
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    name: span.name,
    kind: spanKindToNumber(span.kind),
    startTimeUnixNano: microsToNanosString(span.startUs),
    endTimeUnixNano: microsToNanosString(span.startUs + Math.max(0, span.durationUs || 0)),
    attributes: jsonKeyValues(span.attributes, 1),
    events: (span.events ?? []).map((e) => ({ timeUnixNano: microsToNanosString(e.timeUs), name: e.name, attributes: jsonKeyValues(e.attributes, 1) })),
    links: (span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: jsonKeyValues(l.attributes, 1) })),
    status: status.message ? { code: statusToNumber(status.code), message: status.message } : { code: statusToNumber(status.code) },
  };
}

function jsonKeyValues(attrs: Attributes | undefined, level: number): OtlpJsonKeyValue[] {
  const out: OtlpJsonKeyValue[] = [];
  if (!attrs) return out;
  for (const key in attrs) {
    if (Object.prototype.hasOwnProperty.call(attrs, key)) out.push({ key, value: jsonAnyValue(attrs[key], level) });
  }
  return out;
}

/** The model's value as an AnyValue; `level` bounds the recursion as the protobuf writer does. */
function jsonAnyValue(v: AttributeValue, level: number): OtlpJsonAnyValue {
  if (v === null || v === undefined) return {};
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return { intValue: String(v) };
      // JSON has no literal for the non-finite doubles (proto3 JSON spells them as strings) and prints -0 as 0.
      if (Object.is(v, -0)) return { doubleValue: '-0' };
      return { doubleValue: Number.isFinite(v) ? v : String(v) };
  }
  if (level > MAX_NESTING_DEPTH_CAP) return { stringValue: NESTING_MARKER };
  if (Array.isArray(v)) return { arrayValue: { values: v.map((item) => jsonAnyValue(item, level + 1)) } };
  return { kvlistValue: { values: jsonKeyValues(v, level + 1) } };
}
