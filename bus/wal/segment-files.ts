import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame, FRAME_HEADER_BYTES } from './record-frame';

/** One segment file: records from topic byte position `base` on; `size` bytes of it are valid. */
export interface Segment {
  base: number;
  file: string;
  size: number;
}

const SEGMENT_SUFFIX = '.wal';
const NAME = /^(\d{20})\.wal$/;

export function segmentFile(dir: string, base: number): string {
  return path.join(dir, `${String(base).padStart(20, '0')}${SEGMENT_SUFFIX}`);
}

/** The segment files of a topic folder, oldest first, with their sizes on disk. */
export function listSegments(dir: string): Segment[] {
  const out: Segment[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    out.push({ base: Number(m[1]), file, size: fs.statSync(file).size });
  }
  return out.sort((a, b) => a.base - b.base);
}

export interface TailScan {
  /** Bytes of whole, CRC-checked records from the start of the file. */
  validBytes: number;
  records: number;
  /** Why the scan stopped before the end of the file, if it did. */
  problem: string | null;
}

/**
 * Reads a segment record by record and checks every CRC, to find where its
 * last whole record ends (a crash can leave a torn or half-written tail).
 */
export function scanSegment(file: string, maxFrameBytes: number): TailScan {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const chunkBytes = 4 * 1024 * 1024;
    let chunk = Buffer.alloc(0);
    let chunkStart = 0;
    let pos = 0;
    let records = 0;
    while (pos < size) {
      let read = decodeFrame(chunk, pos - chunkStart, maxFrameBytes);
      if (read.kind === 'incomplete') {
        const want = Math.min(size - pos, Math.max(chunkBytes, read.frameBytes ?? FRAME_HEADER_BYTES));
        chunk = Buffer.alloc(want);
        chunkStart = pos;
        const got = fs.readSync(fd, chunk, 0, want, pos);
        chunk = chunk.subarray(0, got);
        read = decodeFrame(chunk, 0, maxFrameBytes);
      }
      if (read.kind === 'incomplete') return { validBytes: pos, records, problem: `torn record at byte ${pos} (${size - pos} bytes left)` };
      if (read.kind === 'corrupt') return { validBytes: pos, records, problem: `${read.reason} at byte ${pos}` };
      pos += read.frameBytes;
      records++;
    }
    return { validBytes: pos, records, problem: null };
  } finally {
    fs.closeSync(fd);
  }
}
