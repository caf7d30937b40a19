/**
 * File logs of the demo services: each service appends JSON lines to
 * `<dir>/<service>.log`, the way a real service logs to disk for a shipper to
 * pick up (`DEMO_LOG_DIR` in the all-in-one, `--log-dir` standalone).
 *
 * - Every write is an append (O_APPEND) of whole lines, so a tailer never sees
 *   half a record: lines are buffered and written together at most every
 *   `flushMs`, or at once when the buffer is big.
 * - Bounded on disk: before a write would take the file past `maxBytes`, it is
 *   renamed to `<service>.log.1` (replacing the previous one) and a new file is
 *   started. A shipper following the file by inode reads the renamed file to
 *   its end. At most two files of about `maxBytes` per service.
 * - Bounded in memory: past `maxBufferedBytes` of unwritten lines, new lines
 *   are dropped and counted; so are lines a failed write (disk full) loses.
 */
import fs from 'node:fs';
import path from 'node:path';

export type LogValue = string | number | boolean;

export interface FileLogRecord {
  timeUs: number;
  level: string;
  message: string;
  /** 32 hex, '' without trace context. */
  traceId: string;
  /** 16 hex, '' without trace context. */
  spanId: string;
  attributes: Record<string, LogValue>;
}

export interface LogFileOptions {
  /** Rotate before a write takes the file past this size. */
  maxBytes: number;
  /** Longest a line waits in memory before it is written. Default 100 ms. */
  flushMs?: number;
  /** Unwritten lines kept at most; beyond, lines are dropped and counted. Default 1 MiB. */
  maxBufferedBytes?: number;
}

export const DEFAULT_LOG_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** Field names of the line itself; attributes of the same name are left out rather than overwrite them. */
const LINE_FIELDS = new Set(['time', 'level', 'message', 'service', 'trace_id', 'span_id']);

/** `2026-05-01T12:00:00.123456Z`: ISO-8601 UTC with microseconds. */
export function isoMicros(timeUs: number): string {
  const ms = Math.floor(timeUs / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(Math.floor(timeUs) % 1000).padStart(3, '0')}Z`;
}

/** One JSON line (with its newline): time, level, message, service, trace_id, span_id, then the attributes. */
export function formatLogLine(service: string, record: FileLogRecord): string {
  const line: Record<string, LogValue> = {
    time: isoMicros(record.timeUs),
    level: record.level,
    message: record.message,
    service,
  };
  if (record.traceId) {
    line.trace_id = record.traceId;
    line.span_id = record.spanId;
  }
  for (const [k, v] of Object.entries(record.attributes)) if (!LINE_FIELDS.has(k)) line[k] = v;
  return `${JSON.stringify(line)}\n`;
}

export class JsonLinesLogFile {
  readonly file: string;
  private fd: number | null = null;
  private size = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxBufferedBytes: number;
  /** Lines written, lines dropped (buffer full, failed write, after close), rotations done. */
  readonly counts = { written: 0, dropped: 0, rotations: 0 };
  lastError = '';

  constructor(
    dir: string,
    readonly service: string,
    private readonly options: LogFileOptions,
  ) {
    if (!/^[\w.-]+$/.test(service)) throw new Error(`service name "${service}" cannot be a file name`);
    this.file = path.join(dir, `${service}.log`);
    this.flushMs = options.flushMs ?? 100;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    fs.mkdirSync(dir, { recursive: true });
    this.open();
  }

  write(record: FileLogRecord): void {
    if (this.closed) {
      this.counts.dropped++;
      return;
    }
    const line = formatLogLine(this.service, record);
    const bytes = Buffer.byteLength(line);
    if (this.pendingBytes + bytes > this.maxBufferedBytes) {
      this.counts.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= 64 * 1024) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes the buffered lines in one append, rotating first when they would take the file past maxBytes. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const lines = this.pending.length;
    const chunk = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    try {
      if (this.size > 0 && this.size + chunk.length > this.options.maxBytes) this.rotate();
      if (this.fd === null) this.open();
      let off = 0;
      // A short write is continued, so the lines still land whole and in order.
      while (off < chunk.length) off += fs.writeSync(this.fd!, chunk, off, chunk.length - off);
      this.size += chunk.length;
      this.counts.written += lines;
    } catch (err) {
      this.counts.dropped += lines;
      this.lastError = (err as Error).message;
      this.closeFd(); // reopened (and the folder made again) on the next flush
    }
  }

  /** Writes what is buffered and closes the file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.closeFd();
  }

  private open(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.closeFd();
    try {
      fs.renameSync(this.file, `${this.file}.1`);
      this.counts.rotations++;
    } catch (err) {
      // removed from under us: just start a new file
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.open();
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = null;
  }
}
