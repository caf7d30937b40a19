/**
 * A minimal protobuf writer for the bus encoders. protobufjs' Writer allocates an
 * operation object per field and copies everything again in finish(); encoding
 * spans through it spent most of its time in allocation and GC. This one writes
 * straight into a growing Buffer. Embedded messages reserve one length byte and,
 * when the body turns out to be 128 bytes or more, shift it right to make room
 * for the longer varint: output is canonical protobuf (minimal varints), byte for
 * byte what a generated encoder writes for the same fields in the same order.
 */
export class ProtoSink {
  private buf: Buffer;
  private pos = 0;

  /** `initial`: a size, or a buffer to write into (e.g. the one a previous sink gave back with `release()`). */
  constructor(initial: number | Buffer = 64 * 1024) {
    this.buf = typeof initial === 'number' ? Buffer.allocUnsafe(initial) : initial;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): this {
    // n is a non-negative integer below 2^53 (tags, lengths, enum values, int64 ≥ 0).
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (n > 127) {
      buf[pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    buf[pos++] = n;
    this.pos = pos;
    return this;
  }

  /** int64/int32 varint; negative values take ten bytes (64-bit two's complement), as protobuf requires. */
  int64(n: number): this {
    if (n >= 0) return this.varint(n);
    this.ensure(10);
    let v = BigInt.asUintN(64, BigInt(n));
    const buf = this.buf;
    let pos = this.pos;
    while (v > 127n) {
      buf[pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    buf[pos++] = Number(v);
    this.pos = pos;
    return this;
  }

  fixed32(n: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  double(n: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(n, this.pos);
    this.pos += 8;
    return this;
  }

  /** Length-delimited UTF-8 string (without its tag). */
  string(s: string): this {
    const len = s.length;
    if (len >= NATIVE_WRITE_MIN_CHARS && len < 128) {
      // One native copy beats the loop below from a few dozen characters on (a log body, a path).
      this.ensure(3 + len * 3);
      const bytes = (this.buf as Utf8WriteBuffer).utf8Write(s, this.pos + 1);
      if (bytes < 128) {
        this.buf[this.pos] = bytes;
        this.pos += 1 + bytes;
        return this;
      }
      // Non-ASCII text of 128 bytes or more: the length takes two bytes.
      this.buf.copyWithin(this.pos + 2, this.pos + 1, this.pos + 1 + bytes);
      this.buf[this.pos] = (bytes % 128) | 128;
      this.buf[this.pos + 1] = Math.floor(bytes / 128);
      this.pos += 2 + bytes;
      return this;
    }
    if (len < 128) {
      // Fast path: ASCII strings shorter than 128 bytes need one length byte and a byte copy.
      this.ensure(1 + len * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) break;
        buf[start + i] = c;
      }
      if (i === len) {
        buf[this.pos] = len;
        this.pos = start + len;
        return this;
      }
    }
    // Longer or non-ASCII: the byte length first, so the length prefix is written once (no shifting).
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /** Length-delimited bytes from a hex string (without its tag). */
  hexBytes(hex: string): this {
    const n = hex.length >>> 1;
    this.varint(n);
    this.ensure(n);
    const written = this.buf.write(hex, this.pos, n, 'hex');
    // Not valid hex (ids in the model are validated; be safe anyway): keep the declared length.
    if (written < n) this.buf.fill(0, this.pos + written, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Starts an embedded message or length-delimited field; pass the result to end(). */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(mark: number): this {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return this;
    }
    let size = 1;
    for (let v = len; v > 127; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    let pos = mark;
    let v = len;
    while (v > 127) {
      this.buf[pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[pos] = v;
    this.pos += size - 1;
    return this;
  }

  /** The bytes written so far (a copy sized exactly, so the sink's spare capacity is not retained). */
  finish(): Uint8Array {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** After finish(): the sink's buffer, for another sink to write into (the sink is not usable any more). */
  release(): Buffer {
    const buf = this.buf;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    return buf;
  }
}

/** From this many UTF-16 units on, string() copies with one native call. */
const NATIVE_WRITE_MIN_CHARS = 32;

/** Node's Buffer#utf8Write: write(s, offset, 'utf8') without the encoding dispatch. */
type Utf8WriteBuffer = Buffer & { utf8Write(s: string, offset: number): number };
