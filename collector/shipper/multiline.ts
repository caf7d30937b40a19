/**
 * Joins continuation lines (stack traces) onto the record they belong to: a
 * line matching `start` begins a record, any other line continues the current
 * one. Bounded: a record is cut at maxLines or maxBytes, and the caller
 * flushes the pending record after an idle timeout (see Tailer).
 *
 * Works on byte offsets so every record knows where it starts and ends in
 * the file: the checkpoint only ever moves to a record's end.
 */
export interface RawRecord {
  text: string;
  /** Byte offset of the record's first line. */
  offset: number;
  /** Byte offset just past the record's last newline. */
  end: number;
}

export interface MultilineOptions {
  start: RegExp;
  maxLines: number;
  maxBytes: number;
}

export class MultilineJoiner {
  private lines: string[] = [];
  private bytes = 0;
  private offset = 0;
  private end = 0;

  constructor(private readonly options: MultilineOptions) {}

  /** Feeds one line (without its newline); returns a finished record, if this line closed one. */
  push(line: string, offset: number, end: number, out: RawRecord[]): void {
    const starts = this.options.start.test(line);
    if (this.lines.length > 0 && (starts || this.lines.length >= this.options.maxLines || this.bytes + line.length > this.options.maxBytes)) {
      this.flush(out);
    }
    if (this.lines.length === 0) this.offset = offset;
    this.lines.push(line);
    this.bytes += line.length + 1;
    this.end = end;
  }

  get pending(): boolean {
    return this.lines.length > 0;
  }

  /** Offset of the pending record's first line (where a restart would begin reading), or -1. */
  get pendingOffset(): number {
    return this.lines.length > 0 ? this.offset : -1;
  }

  flush(out: RawRecord[]): void {
    if (this.lines.length === 0) return;
    out.push({ text: this.lines.join('\n'), offset: this.offset, end: this.end });
    this.lines = [];
    this.bytes = 0;
  }

  reset(): void {
    this.lines = [];
    this.bytes = 0;
  }
}
