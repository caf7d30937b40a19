import { bytesToHex } from './hex';

/*
 * Trace and span ids repeat within a request: every span of a trace carries the
 * same trace id, and a parent's span id comes again as its children's parent id.
 * A small direct-mapped cache per id length, keyed by the id's bytes, hands back
 * the hex string made the first time, so a repeated id costs neither a native
 * hex conversion nor a string of its own (and every Map keyed by the id later
 * hashes that one string once). A hit needs all bytes equal; a miss replaces the
 * slot. Bounded: SLOTS strings and SLOTS × length bytes per length.
 */
const SLOTS = 4096;

class IdTable {
  private readonly bytes: Uint8Array;
  private readonly filled = new Uint8Array(SLOTS);
  private readonly strings: string[] = new Array<string>(SLOTS).fill('');

  constructor(private readonly length: number) {
    this.bytes = new Uint8Array(SLOTS * length);
  }

  /** Lowercase hex of buf[start, start + length). */
  hex(buf: Uint8Array, start: number): string {
    const length = this.length;
    let h = 0x811c9dc5;
    for (let i = start; i < start + length; i += 4) {
      h = Math.imul(h ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)), 0x01000193);
    }
    const slot = (h ^ (h >>> 13) ^ (h >>> 24)) & (SLOTS - 1);
    const base = slot * length;
    const bytes = this.bytes;
    if (this.filled[slot] === 1) {
      let i = 0;
      while (i < length && bytes[base + i] === buf[start + i]) i++;
      if (i === length) return this.strings[slot];
    }
    const s = bytesToHex(buf, start, start + length);
    for (let i = 0; i < length; i++) bytes[base + i] = buf[start + i];
    this.filled[slot] = 1;
    this.strings[slot] = s;
    return s;
  }
}

const traceIds = new IdTable(16);
const spanIds = new IdTable(8);

/** Lowercase hex of the 16-byte trace id at buf[start]; equal ids seen lately give the same string. */
export function traceIdHex(buf: Uint8Array, start: number): string {
  return traceIds.hex(buf, start);
}

/** Lowercase hex of the 8-byte span id at buf[start]; equal ids seen lately give the same string. */
export function spanIdHex(buf: Uint8Array, start: number): string {
  return spanIds.hex(buf, start);
}
