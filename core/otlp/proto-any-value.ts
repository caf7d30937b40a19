import type { Reader } from 'protobufjs/minimal';
import type { AttributeValue, Attributes } from '../model';
import { NESTING_MARKER } from '../limits';
import { DecodeReport, setOwn } from './decode-report';
import { enterLengthDelimited, leaveMessage, readString, skipField, skipTo } from './proto-reader';

/**
 * Protobuf AnyValue / KeyValue decoding into model attribute values:
 * arrays → arrays, kvlists → objects, int64 → number (string beyond 2^53),
 * bytes → base64 string, empty AnyValue → null.
 */

type Long64 = { toNumber(): number; toString(): string };

function int64Value(v: Long64 | number): number | string {
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  return Number.isSafeInteger(n) ? n : v.toString();
}

/**
 * An int64 varint as a number, or a decimal string beyond 2^53. Values below 2^49
 * (at most 7 varint bytes: counts, sizes, ports, status codes) are summed here
 * without the Long object protobufjs would build; the rest (negative numbers take
 * 10 bytes) go through protobufjs.
 */
function readInt64(r: Reader): number | string {
  const buf = r.buf;
  const last = Math.min(r.pos + 7, r.len);
  let pos = r.pos;
  // up to 4 bytes (below 2^28) in integer arithmetic, so the value stays a small integer
  let small = 0;
  for (let shift = 0; shift < 28 && pos < last; shift += 7) {
    const b = buf[pos++];
    small |= (b & 0x7f) << shift;
    if (b < 0x80) {
      r.pos = pos;
      return small;
    }
  }
  let value = small;
  let scale = 0x10000000;
  while (pos < last) {
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      r.pos = pos;
      return value;
    }
    scale *= 128;
  }
  return int64Value(r.int64() as unknown as Long64 | number);
}

/**
 * Decodes the AnyValue occupying [r.pos, end). `level` is the nesting level of this
 * value (an attribute's value is level 1); a container at a level above
 * limits.maxNestingDepth becomes NESTING_MARKER without being decoded.
 */
export function readAnyValue(r: Reader, end: number, level: number, report: DecodeReport, stringMax: number): AttributeValue {
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: // string_value
        value = report.cut(readString(r), stringMax);
        break;
      case 16: // bool_value
        value = r.bool();
        break;
      case 24: // int_value
        value = readInt64(r);
        break;
      case 33: // double_value
        value = r.double();
        break;
      case 42: // array_value
      case 50: {
        // kvlist_value
        const inner = enterLengthDelimited(r);
        if (level > report.limits.maxNestingDepth) {
          skipTo(r, inner);
          report.truncated++;
          value = NESTING_MARKER;
        } else {
          value = tag === 42 ? readArrayValue(r, inner, level, report) : readKeyValueList(r, inner, level, report);
        }
        break;
      }
      case 58: {
        // bytes_value
        const inner = enterLengthDelimited(r);
        const b64 = (r.buf as Buffer).toString('base64', r.pos, inner);
        r.pos = inner;
        value = report.cut(b64, report.limits.maxAttributeValueLength);
        break;
      }
      default:
        skipField(r, tag);
    }
  }
  leaveMessage(r, end);
  return value;
}

function readArrayValue(r: Reader, end: number, level: number, report: DecodeReport): AttributeValue[] {
  const out: AttributeValue[] = [];
  const max = report.limits.maxArrayLength;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const inner = enterLengthDelimited(r);
      if (out.length >= max) {
        skipTo(r, inner);
        report.truncated++;
      } else {
        out.push(readAnyValue(r, inner, level + 1, report, report.limits.maxAttributeValueLength));
      }
    } else skipField(r, tag);
  }
  leaveMessage(r, end);
  return out;
}

function readKeyValueList(r: Reader, end: number, level: number, report: DecodeReport): Attributes {
  const out: Attributes = {};
  let count = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const inner = enterLengthDelimited(r);
      count = readKeyValueInto(r, inner, out, count, level + 1, report);
    } else skipField(r, tag);
  }
  leaveMessage(r, end);
  return out;
}

/**
 * Decodes one KeyValue occupying [r.pos, end) into `target`, unless `count` already
 * reached limits.maxAttributesPerItem (then it is skipped and counted). Returns the new count.
 * `level` is the nesting level of the value.
 */
export function readKeyValueInto(
  r: Reader,
  end: number,
  target: Attributes,
  count: number,
  level: number,
  report: DecodeReport,
): number {
  if (count >= report.limits.maxAttributesPerItem) {
    skipTo(r, end);
    report.truncated++;
    return count;
  }
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) key = readString(r);
    else if (tag === 18) {
      const inner = enterLengthDelimited(r);
      value = readAnyValue(r, inner, level, report, report.limits.maxAttributeValueLength);
    } else skipField(r, tag);
  }
  leaveMessage(r, end);
  setOwn(target, key, value);
  return count + 1;
}

/** Decodes a Resource message's attributes in [r.pos, end). */
export function readResource(r: Reader, end: number, report: DecodeReport): Attributes {
  const attrs: Attributes = {};
  let count = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const inner = enterLengthDelimited(r);
      count = readKeyValueInto(r, inner, attrs, count, 1, report);
    } else skipField(r, tag);
  }
  leaveMessage(r, end);
  return attrs;
}

/** Decodes an InstrumentationScope's name and version in [r.pos, end). */
export function readScope(r: Reader, end: number, report: DecodeReport): { name: string; version: string } {
  let name = '';
  let version = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) name = report.cut(readString(r), report.limits.maxNameLength);
    else if (tag === 18) version = report.cut(readString(r), report.limits.maxNameLength);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  return { name, version };
}
