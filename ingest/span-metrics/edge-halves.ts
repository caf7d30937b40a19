import type { Span } from '../../core/model';

/** Bits of `PackedEdgeHalves.flags`. */
export const HALF_SERVER = 1;
export const HALF_FAILED = 2;
export const HALF_MESSAGING = 4;

/**
 * Service-graph halves (see `forEachEdgeHalf`) column by column: typed arrays
 * and one byte string rather than an object per span, so a set of them moves
 * between threads for the cost of a transfer (an object per span cost ~9 CPU s
 * and ~120 MiB per million spans in structured clone).
 */
export interface PackedEdgeHalves {
  count: number;
  /** Each half's trace id then its client span id, back to back: one string, which crosses threads as a copy of its characters. */
  ids: string;
  /** Where half i's trace id ends in `ids` (at 2i; it starts where the one before ends) and where its client span id ends (at 2i + 1). */
  idEnds: Uint32Array;
  /** HALF_SERVER (else client side), HALF_FAILED, HALF_MESSAGING. */
  flags: Uint8Array;
  durationUs: Float64Array;
  /** Index into `services`: a batch has few distinct services. */
  serviceIndex: Uint32Array;
  services: string[];
}

/** What `forEachEdgeHalf` hands each half to: its trace id and the client span's id (the strings the span holds, no key built). */
export type EdgeHalfVisitor = (traceId: string, clientSpanId: string, flags: number, durationUs: number, service: string) => void;

/**
 * The service-graph sides among `spans`, like the collector's servicegraph
 * connector sees them: a client (or producer) span keyed by its own id, a
 * server (or consumer) span with a parent keyed by its parent's id.
 */
export function forEachEdgeHalf(spans: readonly Span[], visit: EdgeHalfVisitor): void {
  for (const span of spans) {
    let flags: number;
    let clientSpanId: string;
    if (span.kind === 'client' || span.kind === 'producer') {
      flags = span.kind === 'producer' ? HALF_MESSAGING : 0;
      clientSpanId = span.spanId;
    } else if ((span.kind === 'server' || span.kind === 'consumer') && span.parentSpanId) {
      flags = HALF_SERVER | (span.kind === 'consumer' ? HALF_MESSAGING : 0);
      clientSpanId = span.parentSpanId;
    } else {
      continue;
    }
    if (span.status.code === 'error') flags |= HALF_FAILED;
    visit(span.traceId, clientSpanId, flags, span.durationUs, span.service);
  }
}

/** Calls `visit` for each half of a packed set (its ids are slices of `ids`, no copy). */
export function forEachPackedHalf(halves: PackedEdgeHalves, visit: EdgeHalfVisitor): void {
  const { ids, idEnds } = halves;
  let start = 0;
  for (let i = 0; i < halves.count; i++) {
    const traceEnd = idEnds[2 * i];
    const spanEnd = idEnds[2 * i + 1];
    visit(ids.slice(start, traceEnd), ids.slice(traceEnd, spanEnd), halves.flags[i], halves.durationUs[i], halves.services[halves.serviceIndex[i]]);
    start = spanEnd;
  }
}

/** The buffers of a packed set, to transfer rather than copy through postMessage. */
export function packedBuffers(halves: PackedEdgeHalves): ArrayBuffer[] {
  return [halves.idEnds, halves.flags, halves.durationUs, halves.serviceIndex].map((column) => column.buffer as ArrayBuffer);
}

/**
 * Collects the edge halves of the spans one ingest thread stores between two
 * replies to its owner; `take` hands them over and starts again. Its columns
 * grow to the largest batch seen and are reused; the ids are joined into one
 * string at `take`.
 */
export class EdgeHalfPacker {
  private count = 0;
  private idLength = 0;
  private ids: string[] = [];
  private idEnds = new Uint32Array(2048);
  private flags = new Uint8Array(1024);
  private durationUs = new Float64Array(1024);
  private serviceIndex = new Uint32Array(1024);
  private services = new Map<string, number>();

  add(spans: readonly Span[]): void {
    forEachEdgeHalf(spans, (traceId, clientSpanId, flags, durationUs, service) => this.push(traceId, clientSpanId, flags, durationUs, service));
  }

  /** Halves collected since the last take. */
  get size(): number {
    return this.count;
  }

  take(): PackedEdgeHalves {
    const packed: PackedEdgeHalves = {
      count: this.count,
      ids: this.ids.join(''),
      idEnds: this.idEnds.slice(0, 2 * this.count),
      flags: this.flags.slice(0, this.count),
      durationUs: this.durationUs.slice(0, this.count),
      serviceIndex: this.serviceIndex.slice(0, this.count),
      services: [...this.services.keys()],
    };
    this.count = 0;
    this.idLength = 0;
    this.ids = [];
    this.services.clear();
    return packed;
  }

  push(traceId: string, clientSpanId: string, flags: number, durationUs: number, service: string): void {
    if (this.count === this.flags.length) this.growColumns();
    let index = this.services.get(service);
    if (index === undefined) {
      index = this.services.size;
      this.services.set(service, index);
    }
    const i = this.count++;
    this.ids.push(traceId, clientSpanId);
    this.idEnds[2 * i] = this.idLength += traceId.length;
    this.idEnds[2 * i + 1] = this.idLength += clientSpanId.length;
    this.flags[i] = flags;
    this.durationUs[i] = durationUs;
    this.serviceIndex[i] = index;
  }

  private growColumns(): void {
    const grow = <T extends Uint32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(old.length * 2);
      next.set(old);
      return next;
    };
    this.idEnds = grow(this.idEnds, (n) => new Uint32Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
    this.durationUs = grow(this.durationUs, (n) => new Float64Array(n));
    this.serviceIndex = grow(this.serviceIndex, (n) => new Uint32Array(n));
  }
}
