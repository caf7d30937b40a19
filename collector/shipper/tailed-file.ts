import fs from 'node:fs';
import type { FileCheckpoint } from './checkpoint-store';
import { FINGERPRINT_BYTES, fingerprintOf } from './file-identity';
import { MultilineJoiner, type MultilineOptions, type RawRecord } from './multiline';

export interface TailOptions {
  /** Bytes read per call. */
  chunkBytes: number;
  /** A line longer than this is cut into pieces of this size. */
  maxLineBytes: number;
  multiline?: MultilineOptions;
}

/** A record read from a file, tagged with the file's truncation generation it came from. */
export interface QueuedRecord extends RawRecord {
  generation: number;
}

/**
 * One open file being followed: reads from where it stopped, splits lines on
 * byte offsets, joins multiline records, and knows its checkpoint. Reading
 * goes through the open descriptor, so a file renamed or deleted by rotation
 * is still read to its end.
 */
export class TailedFile {
  /** Next byte to read. */
  private readOffset: number;
  /** Bytes after the last newline, waiting for the rest of their line. */
  private partial: Buffer = Buffer.alloc(0);
  private readonly joiner?: MultilineJoiner;
  private readonly buffer: Buffer;
  /** Records read and not yet taken into a batch. */
  /** Records read and not yet taken; `head` walks it so taking one is O(1) (Array.shift was a hot spot). */
  private queue: QueuedRecord[] = [];
  private head = 0;

  /** Records read and not yet taken. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** The oldest record read and not yet taken. */
  takeNext(): QueuedRecord | undefined {
    if (this.head >= this.queue.length) return undefined;
    const record = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return record;
  }
  generation = 0;
  /** Last time new bytes arrived (ms). */
  lastDataMs = Date.now();
  /** The path no longer leads to this file (renamed or deleted): read to the end, then let go. */
  rotated = false;
  /** Records taken into a batch and not yet committed. */
  inFlight = 0;
  /** Latest size seen by fstat. */
  size = 0;
  linesRead = 0;
  /** Time of the last record taken into a batch: records without a timestamp inherit it. */
  timeCursorUs: number;
  /** Time of records with no timestamp before them; moves only at a commit (see Shipper). */
  clockUs: number;

  constructor(
    readonly key: string,
    public path: string,
    readonly sourceIndex: number,
    private fd: number,
    readonly checkpoint: FileCheckpoint,
    private readonly options: TailOptions,
  ) {
    this.readOffset = checkpoint.offset;
    this.timeCursorUs = checkpoint.lastTimeUs;
    this.clockUs = checkpoint.clockUs;
    this.size = fs.fstatSync(fd).size;
    if (options.multiline) this.joiner = new MultilineJoiner(options.multiline);
    this.buffer = Buffer.allocUnsafe(options.chunkBytes);
  }

  get descriptor(): number {
    return this.fd;
  }

  /** Bytes not yet shipped (size minus committed offset). */
  get lagBytes(): number {
    return Math.max(0, this.size - this.checkpoint.offset);
  }

  refreshSize(): void {
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Everything read is shipped and nothing is waiting. */
  get drained(): boolean {
    return this.queued === 0 && this.inFlight === 0 && !this.joiner?.pending && this.partial.length === 0 && this.readOffset >= this.size;
  }

  /**
   * Checks for truncation in place (copy-truncate): the file got shorter than
   * what was read, or its first bytes changed. Then reading restarts at 0 as a
   * new generation; records already read from the old content are still shipped.
   */
  detectTruncation(): boolean {
    this.size = fs.fstatSync(this.fd).size;
    let truncated = this.size < this.readOffset;
    if (!truncated && this.checkpoint.fingerprintBytes > 0 && this.checkpoint.fingerprint !== '') {
      truncated = fingerprintOf(this.fd, this.checkpoint.fingerprintBytes) !== this.checkpoint.fingerprint;
    }
    if (!truncated) return false;
    const out: RawRecord[] = [];
    this.joiner?.flush(out);
    this.moveToQueue(out);
    this.partial = Buffer.alloc(0);
    this.readOffset = 0;
    this.generation++;
    this.checkpoint.offset = 0;
    this.checkpoint.fingerprint = '';
    this.checkpoint.fingerprintBytes = 0;
    this.checkpoint.truncations++;
    return true;
  }

  private readonly sink: RawRecord[] = [];

  /** Reads one chunk; returns the bytes read (0 at the end of the file). */
  read(): number {
    const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, this.readOffset);
    if (n === 0) return 0;
    this.lastDataMs = Date.now();
    const fresh = this.buffer.subarray(0, n);
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, fresh]) : fresh;
    const base = this.readOffset - this.partial.length;
    this.readOffset += n;
    if (this.readOffset > this.size) this.size = this.readOffset;
    const out = this.sink;
    const max = this.options.maxLineBytes;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      let lineEnd = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
      if (lineEnd - start > max) lineEnd = start + max;
      this.emit(data.toString('utf8', start, lineEnd), base + start, base + nl + 1, out);
      start = nl + 1;
    }
    if (data.length - start > max) {
      // a line longer than the limit with no end in sight: ship it in pieces
      this.emit(data.toString('utf8', start, start + max), base + start, base + start + max, out);
      start += max;
    }
    this.partial = start < data.length ? Buffer.from(data.subarray(start)) : Buffer.alloc(0);
    this.moveToQueue(out);
    return n;
  }

  private emit(line: string, offset: number, end: number, out: RawRecord[]): void {
    this.linesRead++;
    if (this.joiner) this.joiner.push(line, offset, end, out);
    else this.queue.push({ text: line, offset, end, generation: this.generation }); // straight in: one object per line
  }

  private moveToQueue(out: RawRecord[]): void {
    for (const r of out) this.queue.push({ text: r.text, offset: r.offset, end: r.end, generation: this.generation });
    out.length = 0;
  }

  /**
   * Called when no data came for a while: a pending multiline record is
   * complete; an unterminated last line is shipped only once the file was
   * rotated away (a live writer may still finish it).
   */
  flushIdle(): void {
    const out = this.sink;
    this.joiner?.flush(out);
    if (this.rotated && this.partial.length > 0) {
      const base = this.readOffset - this.partial.length;
      out.push({ text: this.partial.toString('utf8'), offset: base, end: this.readOffset });
      this.partial = Buffer.alloc(0);
    }
    this.moveToQueue(out);
  }

  /** Records the collector accepted: moves the checkpoint to the end of the last one (same generation only). */
  commit(end: number, generation: number): void {
    if (generation !== this.generation) return;
    if (end > this.checkpoint.offset) this.checkpoint.offset = end;
    if (this.checkpoint.fingerprintBytes < FINGERPRINT_BYTES) {
      const bytes = Math.min(FINGERPRINT_BYTES, this.checkpoint.offset);
      const fp = fingerprintOf(this.fd, bytes);
      if (fp !== '') {
        this.checkpoint.fingerprint = fp;
        this.checkpoint.fingerprintBytes = bytes;
      }
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
