import type { BusMessage } from '../../core/contracts/bus';

interface Entry {
  pos: number;
  end: number;
  message: BusMessage;
}

/** Stands in for an evicted entry until the array is compacted, so its message is freed at once. */
const EVICTED: Entry = { pos: -1, end: -1, message: { value: Buffer.alloc(0) } };

/**
 * The newest durable records of a topic, kept in memory up to a byte budget,
 * so consumers that keep up never read back what was just written. An
 * evicted record lets go of its message right away: before, the slots behind
 * `head` kept theirs until 1,024 had gone by (about 340 MiB of 2,000-span
 * requests past a 16 MiB budget).
 */
export class RecentRecords {
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  add(pos: number, frameBytes: number, message: BusMessage): void {
    if (this.limitBytes <= 0) return;
    const last = this.entries[this.entries.length - 1];
    // only a contiguous run is useful: a gap (never expected) starts the run anew
    if (last && this.head < this.entries.length && last.end !== pos) this.clear();
    this.entries.push({ pos, end: pos + frameBytes, message });
    this.bytes += frameBytes;
    while (this.bytes > this.limitBytes && this.head < this.entries.length) {
      const old = this.entries[this.head];
      this.entries[this.head++] = EVICTED;
      this.bytes -= old.end - old.pos;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** Where the kept run starts (null when empty). */
  firstPos(): number | null {
    return this.head < this.entries.length ? this.entries[this.head].pos : null;
  }

  /** Records from `pos` on, bounded like a handler's batch; null when `pos` is not the start of a kept record. */
  read(pos: number, maxMessages: number, maxBytes: number): { messages: BusMessage[]; next: number } | null {
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.entries[mid].pos;
      if (at === pos) {
        const messages: BusMessage[] = [];
        let bytes = 0;
        let next = pos;
        for (let i = mid; i < this.entries.length && messages.length < maxMessages; i++) {
          const { message, end } = this.entries[i];
          if (messages.length > 0 && bytes + message.value.length > maxBytes) break;
          messages.push(message);
          bytes += message.value.length;
          next = end;
        }
        return { messages, next };
      }
      if (at < pos) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
}
