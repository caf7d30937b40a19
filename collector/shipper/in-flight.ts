/**
 * Requests on the wire, answered in any order, committed in the order they
 * were sent. A checkpoint may only move past lines whose request was answered
 * and never past an earlier request still unanswered (being retried, or
 * abandoned on shutdown): after a crash everything from the oldest unanswered
 * request on is read again, and the collector collapses the replays.
 */
export class InFlightRequests<T> {
  /** Oldest first; `head` walks it so settling is O(1). */
  private entries: { payload: T; answered: boolean }[] = [];
  private head = 0;
  /** Ticket of entries[0]. */
  private offset = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`in-flight capacity must be at least 1, got ${capacity}`);
  }

  /** Requests sent and not yet committed (answered ones waiting for an older one count too). */
  get size(): number {
    return this.entries.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** Registers a request about to be sent; pass the ticket to `answered`. */
  open(payload: T): number {
    if (this.full) throw new Error('no free in-flight slot');
    this.entries.push({ payload, answered: false });
    return this.offset + this.entries.length - 1;
  }

  /**
   * The collector answered the request of `ticket` for good (accepted, or
   * refused permanently). Returns the payloads that may now be committed,
   * oldest first: this one and the answered ones after it, if no older request
   * is still unanswered; otherwise nothing yet.
   */
  answered(ticket: number): T[] {
    const index = ticket - this.offset;
    const entry = this.entries[index];
    if (index < this.head || !entry || entry.answered) throw new Error(`unknown or already answered in-flight ticket ${ticket}`);
    entry.answered = true;
    const ready: T[] = [];
    while (this.head < this.entries.length && this.entries[this.head].answered) ready.push(this.entries[this.head++].payload);
    if (this.head === this.entries.length || this.head >= 64) {
      // Drop committed entries (requests keep flowing, so `entries` may never empty on its own).
      this.offset += this.head;
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return ready;
  }
}
