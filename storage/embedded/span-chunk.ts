import type { Attributes, Span, SpanEvent, SpanLink } from '../../core/model';
import { intToKind, intToStatus, kindToInt, statusToInt } from './codec';

/**
 * A span chunk: the spans one write adds to one trace, at most SPAN_CHUNK_MAX of them, stored as
 * one `span_chunks` row instead of one row per span (schema migration 11). The row's key is
 * chunkKey(trace ref, ordinal): a trace's chunks are one rowid range in write order, and new
 * traces append at the end of the table. The row has three encodings of its spans, each for one
 * kind of reader:
 *
 * - `span_ids`: the span ids as a JSON array, what a write to a stored trace checks its spans
 *   against (a replayed span is not stored twice) without parsing the spans;
 * - `facts`: CHUNK_FACT_BYTES per span (operation id, status, duration), what a trace search with
 *   span-level conditions scans in SQL through cs_span_match() without parsing the spans;
 * - `spans`: the spans as JSON, everything else (trace by id, matching spans, topology). A write
 *   stores `{"k": [attribute names], "s": [tuples]}`, each tuple's attributes a flat array of
 *   name index and value, so the names the spans repeat are stored once per chunk (about a third
 *   fewer bytes); migration 11 stores a plain array of SpanTuple (attributes as objects). Both
 *   read as SpanTuple.
 */

/** Spans per chunk at most: a bigger write to one trace is split, so rows stay small and retention steps short. */
export const SPAN_CHUNK_MAX = 64;

/** Chunks per trace at most (the low bits of the key); spans of a trace past them are not stored. */
export const MAX_CHUNKS_PER_TRACE = 2 ** 20;

/** The rowid of a trace's chunk (exact while trace refs stay below 2^33). */
export function chunkKey(traceRef: number, ordinal: number): number {
  return traceRef * MAX_CHUNKS_PER_TRACE + ordinal;
}

/** The ordinal of a chunk within its trace. */
export function chunkOrdinal(key: number): number {
  return key % MAX_CHUNKS_PER_TRACE;
}

/** The first and last possible key of a trace's chunks (`id BETWEEN ? AND ?`). */
export function chunkRange(traceRef: number): [number, number] {
  return [chunkKey(traceRef, 0), chunkKey(traceRef, MAX_CHUNKS_PER_TRACE - 1)];
}

/** SQL condition: chunk rowid column `idColumn` is of the trace whose ref is column `refColumn`. */
export function chunksOfTrace(idColumn: string, refColumn: string): string {
  return `${idColumn} BETWEEN ${refColumn} * ${MAX_CHUNKS_PER_TRACE} AND ${refColumn} * ${MAX_CHUNKS_PER_TRACE} + ${MAX_CHUNKS_PER_TRACE - 1}`;
}

/** Bytes per span in a chunk's `facts`: operation id (u32 LE), status code (u8), 3 unused, duration µs (f64 LE). */
export const CHUNK_FACT_BYTES = 16;

/** A span as stored in a chunk's JSON; service and name are the operation (`operations`), the resource is interned. */
export type SpanTuple = [
  spanId: string,
  parentSpanId: string,
  opId: number,
  kind: number,
  startUs: number,
  durationUs: number,
  status: number,
  statusMessage: string,
  attributes: Attributes,
  resourceId: number,
  events: SpanEvent[],
  links: SpanLink[],
  scopeName: string,
  scopeVersion: string,
];

/** Positions in a SpanTuple. */
export const T = {
  spanId: 0,
  parentSpanId: 1,
  opId: 2,
  kind: 3,
  startUs: 4,
  durationUs: 5,
  status: 6,
  statusMessage: 7,
  attributes: 8,
  resourceId: 9,
  events: 10,
  links: 11,
  scopeName: 12,
  scopeVersion: 13,
} as const;

/**
 * The three column values of a chunk row. The JSON texts are UTF-8 bytes (stored as TEXT through
 * CHUNK_TEXT): a plan keeps them from before the write turn to its end, and bytes outside the
 * JavaScript heap cost the garbage collector nothing while they wait, where strings would be
 * copied out of its young generation.
 */
export interface EncodedChunk {
  spanIds: Buffer;
  facts: Buffer;
  spans: Buffer;
}

/** The SQL value of a chunk's JSON bytes bound as a parameter: the TEXT they encode. */
export const CHUNK_TEXT = 'CAST(? AS TEXT)';

/** The `spans` JSON a write stores: attribute names once, tuples with attributes as [name index, value, …]. */
interface KeyedChunk {
  k: string[];
  s: SpanTuple[];
}

/** Builds a chunk's tuples one span at a time, then encodes them. */
export class ChunkBuilder {
  private tuples: SpanTuple[] = [];
  private names: string[] = [];
  private nameIndex = new Map<string, number>();

  get size(): number {
    return this.tuples.length;
  }

  add(span: Span, opId: number, resourceId: number): void {
    const t = tupleOf(span, opId, resourceId);
    const flat: unknown[] = [];
    const attributes = span.attributes;
    for (const name in attributes) {
      if (!Object.prototype.hasOwnProperty.call(attributes, name)) continue;
      let i = this.nameIndex.get(name);
      if (i === undefined) {
        i = this.names.length;
        this.names.push(name);
        this.nameIndex.set(name, i);
      }
      flat.push(i, attributes[name]);
    }
    (t as unknown[])[T.attributes] = flat;
    this.tuples.push(t);
  }

  /** Forgets the spans added (after a failed transaction). */
  reset(): void {
    this.tuples = [];
    this.names = [];
    this.nameIndex = new Map();
  }

  /** The chunk of the spans added since the last take(), and starts a new one. */
  take(): EncodedChunk {
    const keyed: KeyedChunk = { k: this.names, s: this.tuples };
    const chunk = encodeChunk(this.tuples, keyed);
    this.reset();
    return chunk;
  }
}

/** The ids a chunk stores in place of a span's operation and resource; undefined: not known now. */
export interface ChunkIds {
  operationId(service: string, name: string): number | undefined;
  resourceId(resource: Attributes): number | undefined;
}

/** A run of spans as chunk rows: the chunks in order, and the distinct operation ids of the spans. */
export interface EncodedSpans {
  chunks: EncodedChunk[];
  opIds: number[];
}

/**
 * `spans` as chunks of at most SPAN_CHUNK_MAX spans each, in order; undefined when `ids` does not
 * know the id of one of their operations or resources (nothing is kept in `builder` then).
 */
export function encodeSpans(spans: readonly Span[], ids: ChunkIds, builder: ChunkBuilder): EncodedSpans | undefined {
  const chunks: EncodedChunk[] = [];
  const ops = new Set<number>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    const opId = ids.operationId(span.service, span.name);
    const resourceId = opId === undefined ? undefined : ids.resourceId(span.resource);
    if (opId === undefined || resourceId === undefined) {
      builder.reset();
      return undefined;
    }
    builder.add(span, opId, resourceId);
    ops.add(opId);
    if (builder.size === SPAN_CHUNK_MAX || i === spans.length - 1) chunks.push(builder.take());
  }
  return { chunks, opIds: [...ops] };
}

function tupleOf(span: Span, opId: number, resourceId: number): SpanTuple {
  return [
    span.spanId,
    span.parentSpanId,
    opId,
    kindToInt(span.kind),
    span.startUs,
    span.durationUs,
    statusToInt(span.status.code),
    span.status.message,
    span.attributes,
    resourceId,
    span.events,
    span.links,
    span.scope.name,
    span.scope.version,
  ];
}

function encodeChunk(tuples: readonly SpanTuple[], json: KeyedChunk): EncodedChunk {
  const ids: string[] = new Array(tuples.length);
  const facts = Buffer.alloc(tuples.length * CHUNK_FACT_BYTES);
  for (let i = 0; i < tuples.length; i++) {
    const t = tuples[i];
    ids[i] = t[T.spanId];
    writeFacts(facts, i, t[T.opId], t[T.status], t[T.durationUs]);
  }
  return { spanIds: Buffer.from(JSON.stringify(ids)), facts, spans: Buffer.from(JSON.stringify(json)) };
}

/** Writes the facts of the `i`-th span of a chunk. */
export function writeFacts(facts: Buffer, i: number, opId: number, status: number, durationUs: number): void {
  const at = i * CHUNK_FACT_BYTES;
  facts.writeUInt32LE(opId, at);
  facts[at + 4] = status;
  facts.writeDoubleLE(durationUs, at + 8);
}

/** The tuples of a chunk's `spans`, in either form, with attributes as objects. */
export function decodeTuples(spans: string): SpanTuple[] {
  const parsed = JSON.parse(spans) as SpanTuple[] | KeyedChunk;
  if (Array.isArray(parsed)) return parsed;
  const names = parsed.k;
  for (const t of parsed.s) {
    const flat = t[T.attributes] as unknown as unknown[];
    const attributes: Attributes = {};
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const name = names[flat[i] as number];
      const value = flat[i + 1] as Attributes[string];
      // an own property even for '__proto__', as JSON.parse would make it
      if (name === '__proto__') Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
      else attributes[name] = value;
    }
    t[T.attributes] = attributes;
  }
  return parsed.s;
}

/** The span a tuple holds; `resource` and `operation` resolve the interned ids. */
export function spanOf(
  traceId: string,
  t: SpanTuple,
  operation: (opId: number) => { service: string; name: string },
  resource: (resourceId: number) => Attributes,
): Span {
  const op = operation(t[T.opId]);
  return {
    traceId,
    spanId: t[T.spanId],
    parentSpanId: t[T.parentSpanId],
    service: op.service,
    name: op.name,
    kind: intToKind(t[T.kind]),
    startUs: t[T.startUs],
    durationUs: t[T.durationUs],
    status: { code: intToStatus(t[T.status]), message: t[T.statusMessage] },
    attributes: t[T.attributes],
    resource: resource(t[T.resourceId]),
    events: t[T.events],
    links: t[T.links],
    scope: { name: t[T.scopeName], version: t[T.scopeVersion] },
  };
}

/** Span-level conditions as cs_span_match() takes them: null = no condition. */
export interface FactConditions {
  /** Operation ids a span must have one of. */
  opIds: ReadonlySet<number> | null;
  status: number | null;
  minDurationUs: number | null;
  maxDurationUs: number | null;
}

/** Whether any span of a chunk's `facts` meets the conditions. */
export function factsMatch(facts: Uint8Array, c: FactConditions): boolean {
  const buf = Buffer.isBuffer(facts) ? facts : Buffer.from(facts.buffer, facts.byteOffset, facts.byteLength);
  for (let at = 0; at + CHUNK_FACT_BYTES <= buf.length; at += CHUNK_FACT_BYTES) {
    if (c.opIds !== null && !c.opIds.has(buf.readUInt32LE(at))) continue;
    if (c.status !== null && buf[at + 4] !== c.status) continue;
    if (c.minDurationUs === null && c.maxDurationUs === null) return true;
    const d = buf.readDoubleLE(at + 8);
    if (c.minDurationUs !== null && d < c.minDurationUs) continue;
    if (c.maxDurationUs !== null && d > c.maxDurationUs) continue;
    return true;
  }
  return false;
}
