import { Reader } from 'protobufjs/minimal';
import { ValidationError } from '../errors';

/**
 * Helpers over protobufjs' Reader for the hand-written OTLP decoders. Every
 * length is checked against the enclosing message, groups (never used by OTLP)
 * are refused rather than skipped recursively, and any failure surfaces as a
 * ValidationError from {@link wrapDecodeError}.
 */

/** A Reader over `bytes` without copying (a Buffer view, so strings decode natively). */
export function createReader(bytes: Uint8Array): Reader {
  if (!(bytes instanceof Uint8Array)) throw new ValidationError('protobuf body must be bytes');
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Reader.create(buf);
}

class MalformedProtobuf extends Error {}

/** Reads the length prefix of an embedded message or bytes field; returns its end offset. */
export function enterLengthDelimited(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new MalformedProtobuf(`length ${len} runs past the end of the data`);
  return end;
}

/** After decoding an embedded message: its fields must end exactly at its declared end. */
export function leaveMessage(r: Reader, end: number): void {
  if (r.pos !== end) throw new MalformedProtobuf('embedded message fields overrun its length');
}

/** Skips one field whose tag has been read. Wire types 3/4 (groups) and 6/7 are malformed for OTLP. */
export function skipField(r: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw new MalformedProtobuf('field number 0');
  switch (tag & 7) {
    case 0:
      r.skip(); // no length: skips one varint
      return;
    case 1:
      r.skip(8);
      return;
    case 2:
      r.skip(r.uint32());
      return;
    case 5:
      r.skip(4);
      return;
    default:
      throw new MalformedProtobuf(`unsupported wire type ${tag & 7} (field ${tag >>> 3})`);
  }
}

/** Moves past the rest of an embedded message without decoding it. */
export function skipTo(r: Reader, end: number): void {
  r.pos = end;
}

/** Any error thrown while decoding `what`, as a ValidationError (ours pass through). */
export function wrapDecodeError(err: unknown, what: string): ValidationError {
  if (err instanceof ValidationError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ValidationError(`malformed protobuf ${what}: ${detail}`);
}

/*
 * Short strings (attribute keys, methods, routes, host names) repeat from span to
 * span; decoding each one through Buffer#utf8Slice dominates decode time. A small
 * direct-mapped cache keyed by a hash of the bytes returns the already-decoded
 * string when the bytes match exactly. Bounded: INTERN_SLOTS × INTERN_MAX_BYTES.
 */
const INTERN_MAX_BYTES = 32;
const INTERN_SLOTS = 4096;
const internBytes = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
const internLengths = new Int32Array(INTERN_SLOTS).fill(-1);
const internStrings: string[] = new Array(INTERN_SLOTS).fill('');

/** Node's Buffer#utf8Slice: toString('utf8', …) without the encoding dispatch. createReader always gives a Buffer. */
type Utf8SliceBuffer = Buffer & { utf8Slice(start: number, end: number): string };

/** A length-delimited string field, decoded as UTF-8 (invalid sequences become U+FFFD). */
export function readString(r: Reader): string {
  const len = r.uint32();
  const start = r.pos;
  const end = start + len;
  if (end > r.len) throw new MalformedProtobuf(`length ${len} runs past the end of the data`);
  r.pos = end;
  const buf = r.buf as Utf8SliceBuffer;
  if (len > INTERN_MAX_BYTES) return buf.utf8Slice(start, end);
  if (len === 0) return '';
  // hashed four bytes a step, then the tail byte by byte
  let h = len;
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const slot = (h ^ (h >>> 15) ^ (h >>> 24)) & (INTERN_SLOTS - 1);
  const base = slot * INTERN_MAX_BYTES;
  if (internLengths[slot] === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (internBytes[base + i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return internStrings[slot];
  }
  const s = buf.utf8Slice(start, end);
  for (let i = 0; i < len; i++) internBytes[base + i] = buf[start + i];
  internLengths[slot] = len;
  internStrings[slot] = s;
  return s;
}
