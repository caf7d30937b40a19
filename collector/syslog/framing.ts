/**
 * TCP syslog framing (RFC 6587), detected per frame: octet counting
 * (`MSG-LEN SP SYSLOG-MSG`, what RFC 5425/5424 senders and `logger --octet-count`
 * use) when a frame starts with a non-zero digit followed by digits and a space,
 * otherwise non-transparent framing terminated by LF (CR before it and NUL
 * terminators are tolerated). Frames over `maxFrameBytes` are skipped and counted.
 */
export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of an oversized octet-counted frame still to skip. */
  private skipBytes = 0;
  /** Skipping an oversized newline-framed message up to its LF. */
  private skipToNewline = false;
  oversized = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held waiting for the rest of a frame (bounded by maxFrameBytes + a length prefix). */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    let pos = 0;
    const b = this.buf;
    while (pos < b.length) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, b.length - pos);
        this.skipBytes -= n;
        pos += n;
        continue;
      }
      if (this.skipToNewline) {
        const lf = b.indexOf(0x0a, pos);
        if (lf === -1) {
          pos = b.length;
          break;
        }
        this.skipToNewline = false;
        pos = lf + 1;
        continue;
      }
      const c = b[pos];
      if (c === 0x0a || c === 0x0d || c === 0x00) {
        pos++;
        continue;
      }
      if (c >= 0x31 && c <= 0x39) {
        let end = pos + 1;
        while (end < b.length && end - pos < 10 && b[end] >= 0x30 && b[end] <= 0x39) end++;
        if (end === b.length && end - pos < 10) break; // the length prefix itself is split: wait
        if (b[end] === 0x20) {
          const length = Number(b.toString('latin1', pos, end));
          const start = end + 1;
          if (length > this.maxFrameBytes) {
            this.oversized++;
            this.skipBytes = length;
            pos = start;
            continue;
          }
          if (b.length - start < length) break; // wait for the rest of the frame
          frames.push(b.subarray(start, start + length));
          pos = start + length;
          continue;
        }
        // Digits not followed by a space: a newline-framed message that starts with a digit.
      }
      const lf = b.indexOf(0x0a, pos);
      if (lf === -1) {
        if (b.length - pos > this.maxFrameBytes) {
          this.oversized++;
          this.skipToNewline = true;
          pos = b.length;
        }
        break;
      }
      if (lf - pos > this.maxFrameBytes + 1) this.oversized++;
      else frames.push(trimEnd(b.subarray(pos, lf)));
      pos = lf + 1;
    }
    this.buf = pos >= b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(pos));
    return frames;
  }

  /** At end of stream: an unterminated newline-framed message still counts; a partial octet-counted frame does not. */
  end(): Buffer[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length === 0 || this.skipBytes > 0 || this.skipToNewline) return [];
    if (/^[1-9]\d{0,9} /.test(rest.toString('latin1', 0, Math.min(rest.length, 12)))) return [];
    return rest.length <= this.maxFrameBytes ? [trimEnd(rest)] : [];
  }
}

function trimEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0d || b[end - 1] === 0x00)) end--;
  return b.subarray(0, end);
}
