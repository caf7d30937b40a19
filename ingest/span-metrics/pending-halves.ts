/**
 * Edge halves waiting for their other side, at most `capacity` of them, in
 * arrival order. A half is found by its trace id and its client span's id.
 * Their fields live in preallocated columns, the arrival order is a list
 * threaded through the slots (so pushing out the oldest and removing a paired
 * half are O(1)), and the map is keyed by the client span id alone, the
 * string the decoder made (no key string built per half); the trace id is
 * checked on a hit. A half whose span id is already taken by a half of
 * another trace (ids collide, or were made to) waits under a
 * key of both ids in a second map, so such ids cost one more lookup,
 * never a walk.
 */
export class PendingHalves {
  private readonly bySpanId = new Map<string, number>();
  private readonly byTraceAndSpanId = new Map<string, number>();
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  /** Arrival order: the slot that arrived before / after each waiting slot (-1: none). */
  private readonly older: Int32Array;
  private readonly newer: Int32Array;
  private oldest = -1;
  private newest = -1;
  private count = 0;
  /** 1 when the slot waits in `byTraceAndSpanId`. */
  private readonly collided: Uint8Array;
  readonly traceId: string[];
  readonly spanId: string[];
  readonly at: Float64Array;
  readonly flags: Uint8Array;
  readonly durationUs: Float64Array;
  readonly service: string[];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`pending halves capacity must be at least 1, got ${capacity}`);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = capacity;
    this.older = new Int32Array(capacity);
    this.newer = new Int32Array(capacity);
    this.collided = new Uint8Array(capacity);
    this.traceId = new Array<string>(capacity).fill('');
    this.spanId = new Array<string>(capacity).fill('');
    this.at = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.durationUs = new Float64Array(capacity);
    this.service = new Array<string>(capacity).fill('');
  }

  get size(): number {
    return this.count;
  }

  /** The slot of the half waiting under this trace and client span id, or -1. */
  slotOf(traceId: string, spanId: string): number {
    const slot = this.bySpanId.get(spanId);
    if (slot !== undefined && this.traceId[slot] === traceId) return slot;
    if (this.byTraceAndSpanId.size === 0) return -1;
    return this.byTraceAndSpanId.get(bothIds(traceId, spanId)) ?? -1;
  }

  /** Frees `slot`, one `slotOf` gave. */
  removeSlot(slot: number): void {
    const spanId = this.spanId[slot];
    if (this.collided[slot] === 1) this.byTraceAndSpanId.delete(bothIds(this.traceId[slot], spanId));
    else this.bySpanId.delete(spanId);
    const older = this.older[slot];
    const newer = this.newer[slot];
    if (older >= 0) this.newer[older] = newer;
    else this.oldest = newer;
    if (newer >= 0) this.older[newer] = older;
    else this.newest = older;
    this.traceId[slot] = '';
    this.spanId[slot] = '';
    this.service[slot] = '';
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
  }

  /** Adds a half none waits under (see `slotOf`); returns 1 when the oldest one was dropped to make room (0 otherwise). */
  add(traceId: string, spanId: string, at: number, flags: number, durationUs: number, service: string): number {
    let dropped = 0;
    if (this.freeCount === 0) {
      this.removeSlot(this.oldest);
      dropped = 1;
    }
    const slot = this.freeSlots[--this.freeCount];
    if (this.bySpanId.has(spanId)) {
      this.byTraceAndSpanId.set(bothIds(traceId, spanId), slot);
      this.collided[slot] = 1;
    } else {
      this.bySpanId.set(spanId, slot);
      this.collided[slot] = 0;
    }
    this.older[slot] = this.newest;
    this.newer[slot] = -1;
    if (this.newest >= 0) this.newer[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
    this.count++;
    this.traceId[slot] = traceId;
    this.spanId[slot] = spanId;
    this.at[slot] = at;
    this.flags[slot] = flags;
    this.durationUs[slot] = durationUs;
    this.service[slot] = service;
    return dropped;
  }

  /** Drops the halves that arrived at or before `cutoff` (the oldest first); returns how many. */
  expireBefore(cutoff: number): number {
    let dropped = 0;
    while (this.oldest >= 0 && this.at[this.oldest] <= cutoff) {
      this.removeSlot(this.oldest);
      dropped++;
    }
    return dropped;
  }
}

/** One key for both ids, unambiguous whatever characters they hold (the trace id's length first). */
function bothIds(traceId: string, spanId: string): string {
  return `${traceId.length}:${traceId}${spanId}`;
}
