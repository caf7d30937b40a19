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

/** Reads a fixed64 as two little-endian 32-bit halves (no Long allocation). */
export function readFixed64Bits(r: Reader, out: { lo: number; hi: number }): void {
  out.lo = r.fixed32();
  out.hi = r.fixed32();
}

/** Any error thrown while decoding `what`, as a ValidationError (ours pass through). */
export function wrapDecodeError(err: unknown, what: string): ValidationError {
  if (err instanceof ValidationError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ValidationError(`malformed protobuf ${what}: ${detail}`);
}
