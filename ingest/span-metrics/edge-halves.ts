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
  /** UTF-8 keys back to back; half i's key ends at `keyEnds[i]` and starts where the one before it ends. */
  keys: Uint8Array;
  keyEnds: Uint32Array;
  /** HALF_SERVER (else client side), HALF_FAILED, HALF_MESSAGING. */
  flags: Uint8Array;
  durationUs: Float64Array;
  /** Index into `services`: a batch has few distinct services. */
  serviceIndex: Uint32Array;
  services: string[];
}

/** What `forEachEdgeHalf` hands each half to; `key` is `traceId:` + the client span's id. */
export type EdgeHalfVisitor = (traceId: string, key: string, flags: number, durationUs: number, service: string) => void;

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
    visit(span.traceId, `${span.traceId}:${clientSpanId}`, flags, span.durationUs, span.service);
  }
}

/** Calls `visit` for each half of a packed set (the key decoded back to a string). */
export function forEachPackedHalf(halves: PackedEdgeHalves, visit: (key: string, flags: number, durationUs: number, service: string) => void): void {
  const keys = Buffer.from(halves.keys.buffer, halves.keys.byteOffset, halves.keys.byteLength);
  let keyStart = 0;
  for (let i = 0; i < halves.count; i++) {
    const keyEnd = halves.keyEnds[i];
    visit(keys.toString('utf8', keyStart, keyEnd), halves.flags[i], halves.durationUs[i], halves.services[halves.serviceIndex[i]]);
    keyStart = keyEnd;
  }
}

/** The buffers of a packed set, to transfer rather than copy through postMessage. */
export function packedBuffers(halves: PackedEdgeHalves): ArrayBuffer[] {
  return [halves.keys, halves.keyEnds, halves.flags, halves.durationUs, halves.serviceIndex].map((column) => column.buffer as ArrayBuffer);
}

/**
 * Collects the edge halves of the spans one ingest thread stores between two
 * replies to its owner; `take` hands them over and starts again. Its buffers
 * grow to the largest batch seen and are reused.
 */
export class EdgeHalfPacker {
  private count = 0;
  private keyBytes = 0;
  private keys = Buffer.alloc(64 * 1024);
  private keyEnds = new Uint32Array(1024);
  private flags = new Uint8Array(1024);
  private durationUs = new Float64Array(1024);
  private serviceIndex = new Uint32Array(1024);
  private services = new Map<string, number>();

  add(spans: readonly Span[]): void {
    forEachEdgeHalf(spans, (_traceId, key, flags, durationUs, service) => this.push(key, flags, durationUs, service));
  }

  /** Halves collected since the last take. */
  get size(): number {
    return this.count;
  }

  take(): PackedEdgeHalves {
    const packed: PackedEdgeHalves = {
      count: this.count,
      keys: new Uint8Array(this.keys.subarray(0, this.keyBytes)),
      keyEnds: this.keyEnds.slice(0, this.count),
      flags: this.flags.slice(0, this.count),
      durationUs: this.durationUs.slice(0, this.count),
      serviceIndex: this.serviceIndex.slice(0, this.count),
      services: [...this.services.keys()],
    };
    this.count = 0;
    this.keyBytes = 0;
    this.services.clear();
    return packed;
  }

  push(key: string, flags: number, durationUs: number, service: string): void {
    if (this.count === this.keyEnds.length) this.growColumns();
    // a UTF-16 unit takes at most 3 UTF-8 bytes
    if (this.keyBytes + key.length * 3 > this.keys.length) this.growKeys(key.length * 3);
    this.keyBytes += this.keys.write(key, this.keyBytes, 'utf8');
    let index = this.services.get(service);
    if (index === undefined) {
      index = this.services.size;
      this.services.set(service, index);
    }
    const i = this.count++;
    this.keyEnds[i] = this.keyBytes;
    this.flags[i] = flags;
    this.durationUs[i] = durationUs;
    this.serviceIndex[i] = index;
  }

  private growColumns(): void {
    const size = this.keyEnds.length * 2;
    const grow = <T extends Uint32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.keyEnds = grow(this.keyEnds, (n) => new Uint32Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
    this.durationUs = grow(this.durationUs, (n) => new Float64Array(n));
    this.serviceIndex = grow(this.serviceIndex, (n) => new Uint32Array(n));
  }

  private growKeys(atLeast: number): void {
    const next = Buffer.alloc(Math.max(this.keys.length * 2, this.keyBytes + atLeast));
    this.keys.copy(next, 0, 0, this.keyBytes);
    this.keys = next;
  }
}
