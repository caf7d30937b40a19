/**
 * Pure conversions between the domain model and the JSONEachRow rows of each
 * table. Inserts send these objects as JSON, so no value is quoted here.
 */
import { attributeText, type SpanBatch } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import { SPAN_KINDS, STATUS_CODES } from '../../core/model';
import type { Attributes, Span, SpanEvent, SpanKind, SpanLink, StatusCode, TraceLinkEntry } from '../../core/model';
import { TABLES } from './schema';

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service: string;
  name: string;
  kind: SpanKind;
  start_us: number;
  duration_us: number;
  status_code: StatusCode;
  status_message: string;
  attributes: string;
  resource: string;
  events: string;
  links: string;
  scope_name: string;
  scope_version: string;
  attr_keys: string[];
  attr_values: string[];
}

/** A span row as JSONEachRow returns it: 64-bit integers come back as strings. */
export type StoredSpanRow = Omit<SpanRow, 'start_us' | 'duration_us' | 'attr_keys' | 'attr_values'> & {
  start_us: string | number;
  duration_us: string | number;
};

/** Searchable (key, text) pairs of span attributes then resource attributes. */
export function searchablePairs(span: Span): [string, string][] {
  const out: [string, string][] = [];
  for (const attrs of [span.attributes, span.resource]) {
    for (const key in attrs) {
      const text = attributeText(attrs[key]);
      if (text !== undefined) out.push([key, text]);
    }
  }
  return out;
}

function checkMicros(value: number, what: string, span: Span): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(
      `span ${span.traceId}/${span.spanId}: ${what} must be a non-negative integer of microseconds (got ${value})`,
      what,
    );
  }
}

export function spanToRow(span: Span): SpanRow {
  checkMicros(span.startUs, 'startUs', span);
  checkMicros(span.durationUs, 'durationUs', span);
  const pairs = searchablePairs(span);
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    service: span.service,
    name: span.name,
    kind: SPAN_KINDS.includes(span.kind) ? span.kind : 'unspecified',
    start_us: span.startUs,
    duration_us: span.durationUs,
    status_code: STATUS_CODES.includes(span.status.code) ? span.status.code : 'unset',
    status_message: span.status.message,
    attributes: JSON.stringify(span.attributes),
    resource: JSON.stringify(span.resource),
    events: span.events.length ? JSON.stringify(span.events) : '',
    links: span.links.length ? JSON.stringify(span.links) : '',
    scope_name: span.scope.name,
    scope_version: span.scope.version,
    attr_keys: pairs.map((p) => p[0]),
    attr_values: pairs.map((p) => p[1]),
  };
}

export function rowToSpan(r: StoredSpanRow): Span {
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    service: r.service,
    name: r.name,
    kind: r.kind,
    startUs: Number(r.start_us),
    durationUs: Number(r.duration_us),
    status: { code: r.status_code, message: r.status_message },
    attributes: JSON.parse(r.attributes) as Attributes,
    resource: JSON.parse(r.resource) as Attributes,
    events: r.events === '' ? [] : (JSON.parse(r.events) as SpanEvent[]),
    links: r.links === '' ? [] : (JSON.parse(r.links) as SpanLink[]),
    scope: { name: r.scope_name, version: r.scope_version },
  };
}

/** Rows for every table one SpanBatch touches (spans feed trace_summaries through the view). */
export interface BatchRows {
  [TABLES.spans]: SpanRow[];
  [TABLES.traceOps]: { service: string; name: string; trace_id: string; start_us: number }[];
  [TABLES.traceAttrs]: { key: string; value: string; trace_id: string; start_us: number }[];
  [TABLES.operations]: { service: string; name: string; time_us: number }[];
  [TABLES.businessKeys]: { key: string; value: string; trace_id: string; time_us: number }[];
  [TABLES.traceLinks]: {
    trace_id: string;
    from_trace_id: string;
    from_span_id: string;
    to_trace_id: string;
    to_span_id: string;
    kind: 'link' | 'message';
    time_us: number;
  }[];
  [TABLES.messageIds]: { message_id: string; side: 'producer' | 'consumer'; trace_id: string; span_id: string; time_us: number }[];
  [TABLES.messageIdsByTrace]: { trace_id: string; message_id: string; time_us: number }[];
}

function checkTime(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${what} must be a non-negative integer of microseconds (got ${value})`, what);
  }
}

/** Keeps the smallest time per key. */
function minBy<T extends { time_us?: number; start_us?: number }>(map: Map<string, T>, key: string, row: T): void {
  const prev = map.get(key);
  const time = (r: T) => (r.time_us ?? r.start_us) as number;
  if (prev === undefined || time(row) < time(prev)) map.set(key, row);
}

const SEP = '\u0000';

/**
 * Every row a batch writes, deduplicated within the batch. Index rows carry
 * the earliest time seen for them in this batch; reads never depend on which
 * copy survives a merge (they take DISTINCT or min).
 */
export function batchRows(batch: SpanBatch): BatchRows {
  const spans = batch.spans.map(spanToRow);
  const ops = new Map<string, BatchRows['trace_ops'][number]>();
  const attrs = new Map<string, BatchRows['trace_attrs'][number]>();
  const operations = new Map<string, BatchRows['operations'][number]>();
  spans.forEach((s, n) => {
    const op = [s.service, s.name].join(SEP);
    minBy(ops, [s.trace_id, op].join(SEP), { service: s.service, name: s.name, trace_id: s.trace_id, start_us: s.start_us });
    minBy(operations, op, { service: s.service, name: s.name, time_us: s.start_us });
    const addPair = (key: string, value: string) =>
      minBy(attrs, [s.trace_id, key, value].join(SEP), { key, value, trace_id: s.trace_id, start_us: s.start_us });
    for (let i = 0; i < s.attr_keys.length; i++) addPair(s.attr_keys[i], s.attr_values[i]);
    // tag search matches event attributes too (as Jaeger's does, and the embedded store)
    for (const event of batch.spans[n].events) {
      for (const key in event.attributes) {
        const text = attributeText(event.attributes[key]);
        if (text !== undefined) addPair(key, text);
      }
    }
  });

  const keys = new Map<string, BatchRows['business_keys'][number]>();
  for (const k of batch.businessKeys) {
    checkTime(k.timeUs, 'businessKeys.timeUs');
    minBy(keys, [k.key, k.value, k.traceId].join(SEP), { key: k.key, value: k.value, trace_id: k.traceId, time_us: k.timeUs });
  }

  const links = new Map<string, BatchRows['trace_links'][number]>();
  for (const l of batch.traceLinks) {
    checkTime(l.timeUs, 'traceLinks.timeUs');
    // written under both trace ids so either direction is a primary-key read
    for (const traceId of new Set([l.fromTraceId, l.toTraceId])) {
      const row = {
        trace_id: traceId,
        from_trace_id: l.fromTraceId,
        from_span_id: l.fromSpanId,
        to_trace_id: l.toTraceId,
        to_span_id: l.toSpanId,
        kind: l.kind,
        time_us: l.timeUs,
      };
      minBy(links, [traceId, l.fromTraceId, l.fromSpanId, l.toTraceId, l.toSpanId, l.kind].join(SEP), row);
    }
  }

  const messages = new Map<string, BatchRows['message_ids'][number]>();
  const messagesByTrace = new Map<string, BatchRows['message_ids_by_trace'][number]>();
  for (const m of batch.messageIds) {
    checkTime(m.timeUs, 'messageIds.timeUs');
    const row = { message_id: m.messageId, side: m.side, trace_id: m.traceId, span_id: m.spanId, time_us: m.timeUs };
    minBy(messages, [m.messageId, m.side, m.traceId, m.spanId].join(SEP), row);
    minBy(messagesByTrace, [m.traceId, m.messageId].join(SEP), { trace_id: m.traceId, message_id: m.messageId, time_us: m.timeUs });
  }

  return {
    [TABLES.spans]: spans,
    [TABLES.traceOps]: [...ops.values()],
    [TABLES.traceAttrs]: [...attrs.values()],
    [TABLES.operations]: [...operations.values()],
    [TABLES.businessKeys]: [...keys.values()],
    [TABLES.traceLinks]: [...links.values()],
    [TABLES.messageIds]: [...messages.values()],
    [TABLES.messageIdsByTrace]: [...messagesByTrace.values()],
  };
}

export interface MessageRow {
  message_id: string;
  side: 'producer' | 'consumer';
  trace_id: string;
  span_id: string;
  time_us: string | number;
}

/**
 * Producer/consumer pairs sharing a messaging id, in different traces, that
 * touch one of `traceIds` on either side. The link time is the producer's.
 */
export function pairMessages(rows: MessageRow[], traceIds: ReadonlySet<string>): TraceLinkEntry[] {
  const byMessage = new Map<string, { producers: MessageRow[]; consumers: MessageRow[] }>();
  for (const r of rows) {
    let g = byMessage.get(r.message_id);
    if (g === undefined) byMessage.set(r.message_id, (g = { producers: [], consumers: [] }));
    (r.side === 'producer' ? g.producers : g.consumers).push(r);
  }
  const seen = new Set<string>();
  const out: TraceLinkEntry[] = [];
  for (const { producers, consumers } of byMessage.values()) {
    for (const p of producers) {
      for (const c of consumers) {
        if (p.trace_id === c.trace_id) continue;
        if (!traceIds.has(p.trace_id) && !traceIds.has(c.trace_id)) continue;
        const key = [p.trace_id, p.span_id, c.trace_id, c.span_id].join(SEP);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          fromTraceId: p.trace_id,
          fromSpanId: p.span_id,
          toTraceId: c.trace_id,
          toSpanId: c.span_id,
          kind: 'message',
          timeUs: Number(p.time_us),
        });
      }
    }
  }
  return out;
}
