import type { Reader } from 'protobufjs/minimal';
import { resolveInputLimits, type InputLimits } from '../limits';
import { allZero } from './hex';
import { createReader, enterLengthDelimited, leaveMessage, skipField } from './proto-reader';
import { isExactMicros, nanosBitsToMicros } from './time';

/**
 * Checks an OTLP ExportTraceServiceRequest (protobuf) without building any
 * span: walks the same fields as decodeTraceRequestProto and returns how many
 * spans the request holds when decoding it would accept every span and change
 * nothing (no rejection, no value cut or dropped by the limits, well-formed
 * bytes). Returns null otherwise: the caller then decodes the request to learn
 * what is wrong. Lengths are compared in bytes, which is never less than the
 * UTF-16 length the decoder cuts at, so a null can be a false alarm but a
 * count never is: a non-null answer means the bytes may be forwarded as they
 * came and decoded later into exactly that many spans.
 */
export function validateTraceRequestProto(bytes: Uint8Array, limits?: Partial<InputLimits>): number | null {
  const check = new Check(resolveInputLimits(limits));
  try {
    const r = createReader(bytes);
    let spans = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 10) spans += check.resourceSpans(r, enterLengthDelimited(r));
      else skipField(r, tag);
    }
    return spans;
  } catch {
    // malformed, or something the decoder would reject or cut
    return null;
  }
}

/** Thrown (and caught above) as soon as the request is not clean. */
class NotClean extends Error {}
const NOT_CLEAN = new NotClean('not clean');

/** Reads a fixed64 nanosecond time; the decoder refuses one past 2^53 µs: not clean. */
function exactTime(r: Reader): void {
  if (!isExactMicros(nanosBitsToMicros(r.fixed32(), r.fixed32()))) throw NOT_CLEAN;
}

/**
 * Moves past an int64 varint without building the Long protobufjs' int64() would.
 * Stricter than the decoder: at most 10 bytes, ending within the data, else not clean.
 */
function skipInt64(r: Reader): void {
  const buf = r.buf;
  const last = Math.min(r.pos + 10, r.len);
  for (let pos = r.pos; pos < last; pos++) {
    if (buf[pos] < 0x80) {
      r.pos = pos + 1;
      return;
    }
  }
  throw NOT_CLEAN;
}

class Check {
  constructor(private readonly limits: InputLimits) {}

  resourceSpans(r: Reader, end: number): number {
    let spans = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 10) this.attributeList(r, enterLengthDelimited(r), 10);
      else if (tag === 18) spans += this.scopeSpans(r, enterLengthDelimited(r));
      else skipField(r, tag);
    }
    leaveMessage(r, end);
    return spans;
  }

  private scopeSpans(r: Reader, end: number): number {
    let spans = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 10) this.scope(r, enterLengthDelimited(r));
      else if (tag === 18) {
        this.span(r, enterLengthDelimited(r));
        spans++;
      } else skipField(r, tag);
    }
    leaveMessage(r, end);
    return spans;
  }

  private scope(r: Reader, end: number): void {
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 10 || tag === 18) this.string(r, this.limits.maxNameLength);
      else skipField(r, tag);
    }
    leaveMessage(r, end);
  }

  private span(r: Reader, end: number): void {
    const limits = this.limits;
    const buf = r.buf;
    let traceStart = 0;
    let traceLen = 0;
    let spanStart = 0;
    let spanLen = 0;
    let parentLen = 0;
    let attributes = 0;
    let events = 0;
    let links = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case 10:
          traceLen = r.uint32();
          traceStart = r.pos;
          r.skip(traceLen);
          break;
        case 18:
          spanLen = r.uint32();
          spanStart = r.pos;
          r.skip(spanLen);
          break;
        case 34:
          parentLen = r.uint32();
          r.skip(parentLen);
          break;
        case 42:
          this.string(r, limits.maxNameLength);
          break;
        case 48:
          r.int32();
          break;
        case 57:
        case 65:
          exactTime(r);
          break;
        case 74:
          if (++attributes > limits.maxAttributesPerItem) throw NOT_CLEAN;
          this.keyValue(r, enterLengthDelimited(r), 1);
          break;
        case 90:
          if (++events > limits.maxEventsPerSpan) throw NOT_CLEAN;
          this.event(r, enterLengthDelimited(r));
          break;
        case 106:
          if (++links > limits.maxLinksPerSpan) throw NOT_CLEAN;
          this.link(r, enterLengthDelimited(r));
          break;
        case 122:
          this.status(r, enterLengthDelimited(r));
          break;
        default:
          skipField(r, tag);
      }
    }
    leaveMessage(r, end);
    if (traceLen !== 16 || allZero(buf, traceStart, traceStart + 16)) throw NOT_CLEAN;
    if (spanLen !== 8 || allZero(buf, spanStart, spanStart + 8)) throw NOT_CLEAN;
    if (parentLen !== 0 && parentLen !== 8) throw NOT_CLEAN;
  }

  private event(r: Reader, end: number): void {
    let attributes = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 9) exactTime(r);
      else if (tag === 18) this.string(r, this.limits.maxNameLength);
      else if (tag === 26) {
        if (++attributes > this.limits.maxAttributesPerItem) throw NOT_CLEAN;
        this.keyValue(r, enterLengthDelimited(r), 1);
      } else skipField(r, tag);
    }
    leaveMessage(r, end);
  }

  /** The decoder drops a link with unusable ids (and counts it as cut): not clean. */
  private link(r: Reader, end: number): void {
    const buf = r.buf;
    let traceStart = 0;
    let traceLen = 0;
    let spanStart = 0;
    let spanLen = 0;
    let attributes = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 10) {
        traceLen = r.uint32();
        traceStart = r.pos;
        r.skip(traceLen);
      } else if (tag === 18) {
        spanLen = r.uint32();
        spanStart = r.pos;
        r.skip(spanLen);
      } else if (tag === 34) {
        if (++attributes > this.limits.maxAttributesPerItem) throw NOT_CLEAN;
        this.keyValue(r, enterLengthDelimited(r), 1);
      } else skipField(r, tag);
    }
    leaveMessage(r, end);
    if (traceLen !== 16 || spanLen !== 8) throw NOT_CLEAN;
    if (allZero(buf, traceStart, traceStart + 16) || allZero(buf, spanStart, spanStart + 8)) throw NOT_CLEAN;
  }

  private status(r: Reader, end: number): void {
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 18) this.string(r, this.limits.maxAttributeValueLength);
      else if (tag === 24) r.int32();
      else skipField(r, tag);
    }
    leaveMessage(r, end);
  }

  /** A Resource's (or kvlist's) KeyValues at field 1 (tag 10), `entryTag` each. */
  private attributeList(r: Reader, end: number, entryTag: number, level = 1): void {
    let count = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === entryTag) {
        if (++count > this.limits.maxAttributesPerItem) throw NOT_CLEAN;
        this.keyValue(r, enterLengthDelimited(r), level);
      } else skipField(r, tag);
    }
    leaveMessage(r, end);
  }

  private keyValue(r: Reader, end: number, level: number): void {
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 10) this.string(r, Infinity);
      else if (tag === 18) this.anyValue(r, enterLengthDelimited(r), level);
      else skipField(r, tag);
    }
    leaveMessage(r, end);
  }

  private anyValue(r: Reader, end: number, level: number): void {
    const limits = this.limits;
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case 10:
          this.string(r, limits.maxAttributeValueLength);
          break;
        case 16:
          r.bool();
          break;
        case 24:
          skipInt64(r);
          break;
        case 33:
          r.skip(8);
          break;
        case 42:
        case 50: {
          const inner = enterLengthDelimited(r);
          if (level > limits.maxNestingDepth) throw NOT_CLEAN;
          if (tag === 42) this.arrayValue(r, inner, level);
          else this.attributeList(r, inner, 10, level + 1);
          break;
        }
        case 58: {
          const inner = enterLengthDelimited(r);
          // rendered as base64: 4 characters per 3 bytes
          if (Math.ceil((inner - r.pos) / 3) * 4 > limits.maxAttributeValueLength) throw NOT_CLEAN;
          r.pos = inner;
          break;
        }
        default:
          skipField(r, tag);
      }
    }
    leaveMessage(r, end);
  }

  private arrayValue(r: Reader, end: number, level: number): void {
    let count = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 10) {
        if (++count > this.limits.maxArrayLength) throw NOT_CLEAN;
        this.anyValue(r, enterLengthDelimited(r), level + 1);
      } else skipField(r, tag);
    }
    leaveMessage(r, end);
  }

  /** A string field at most `maxBytes` long (bytes ≥ UTF-16 units, so within it nothing is cut). */
  private string(r: Reader, maxBytes: number): void {
    const len = r.uint32();
    if (len > maxBytes) throw NOT_CLEAN;
    r.skip(len);
  }
}
