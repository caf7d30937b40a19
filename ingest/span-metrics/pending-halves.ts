/**
 * Edge halves waiting for their other side, at most `capacity` of them, in
 * arrival order. Their fields live in preallocated columns and the map holds
 * a slot number per key, so a waiting half costs no object: the service graph
 * sees every client and server span, and most of them wait.
 */
export class PendingHalves {
  private readonly slots = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  readonly at: Float64Array;
  readonly flags: Uint8Array;
  readonly durationUs: Float64Array;
  readonly service: string[];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`pending halves capacity must be at least 1, got ${capacity}`);
    this.at = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.durationUs = new Float64Array(capacity);
    this.service = new Array<string>(capacity).fill('');
    for (let slot = capacity - 1; slot >= 0; slot--) this.freeSlots.push(slot);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slot of the half waiting under `key`, or -1. */
  slotOf(key: string): number {
    return this.slots.get(key) ?? -1;
  }

  /** Frees `slot`, the one `slotOf(key)` gave. */
  removeSlot(key: string, slot: number): void {
    this.slots.delete(key);
    this.freeSlots.push(slot);
  }

  /** Adds a half; returns 1 when the oldest one was dropped to make room (0 otherwise). */
  add(key: string, at: number, flags: number, durationUs: number, service: string): number {
    let dropped = 0;
    if (this.freeSlots.length === 0) {
      const [oldest, slot] = this.slots.entries().next().value!;
      this.removeSlot(oldest, slot);
      dropped = 1;
    }
    const slot = this.freeSlots.pop()!;
    this.slots.set(key, slot);
    this.at[slot] = at;
    this.flags[slot] = flags;
    this.durationUs[slot] = durationUs;
    this.service[slot] = service;
    return dropped;
  }

  /** Drops the halves that arrived before `cutoff` (map order is arrival order, so they are at the front); returns how many. */
  expireBefore(cutoff: number): number {
    let dropped = 0;
    for (const [key, slot] of this.slots) {
      if (this.at[slot] > cutoff) break;
      this.removeSlot(key, slot);
      dropped++;
    }
    return dropped;
  }
}
