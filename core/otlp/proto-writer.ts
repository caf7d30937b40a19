import type { AttributeValue, Attributes } from '../model';
import { MAX_NESTING_DEPTH_CAP, NESTING_MARKER } from '../limits';
import { ProtoSink } from './proto-sink';
import { microsToNanosBits } from './time';

/**
 * Protobuf writing of model values. The model cannot tell an int64 beyond 2^53
 * (kept as a decimal string) or a bytes value (kept as base64) from a string, so
 * both are written as string_value; safe integers are written as int_value and
 * other numbers (fractions, -0, NaN, ±Infinity, huge values) as double_value.
 * Decoding what is written here gives back the same model values.
 */

export { ProtoSink };

/** A fixed64 nanosecond field from microseconds, exactly. */
export function writeMicrosAsNanos(w: ProtoSink, tag: number, us: number): void {
  const { lo, hi } = microsToNanosBits(us);
  w.varint(tag).fixed32(lo).fixed32(hi);
}

/** A bytes field from a hex id; nothing for ''. */
export function writeHexId(w: ProtoSink, tag: number, hex: string): void {
  if (hex) w.varint(tag).hexBytes(hex);
}

export function writeString(w: ProtoSink, tag: number, s: string): void {
  if (s) w.varint(tag).string(s);
}

/** Repeated KeyValue field `field` from an attributes object. */
export function writeAttributes(w: ProtoSink, field: number, attrs: Attributes | undefined): void {
  if (!attrs) return;
  const tag = (field << 3) | 2;
  for (const key in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
    w.varint(tag);
    const mark = w.begin();
    writeKeyValueBody(w, key, attrs[key], 1);
    w.end(mark);
  }
}

function writeKeyValueBody(w: ProtoSink, key: string, value: AttributeValue, level: number): void {
  w.varint(10).string(key);
  w.varint(18);
  const mark = w.begin();
  writeAnyValueBody(w, value, level);
  w.end(mark);
}

/** The fields of an AnyValue (without its own tag/length). */
export function writeAnyValueBody(w: ProtoSink, v: AttributeValue, level: number): void {
  if (v === null || v === undefined) return;
  switch (typeof v) {
    case 'string':
      w.varint(10).string(v);
      return;
    case 'boolean':
      w.varint(16).varint(v ? 1 : 0);
      return;
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.varint(24).int64(v);
      else w.varint(33).double(v);
      return;
  }
  if (level > MAX_NESTING_DEPTH_CAP) {
    // Only reachable with values not built by our decoders; keeps the recursion bounded.
    w.varint(10).string(NESTING_MARKER);
    return;
  }
  if (Array.isArray(v)) {
    w.varint(42);
    const list = w.begin();
    for (let i = 0; i < v.length; i++) {
      w.varint(10);
      const item = w.begin();
      writeAnyValueBody(w, v[i], level + 1);
      w.end(item);
    }
    w.end(list);
    return;
  }
  if (typeof v === 'object') {
    w.varint(50);
    const list = w.begin();
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      w.varint(10);
      const item = w.begin();
      writeKeyValueBody(w, key, v[key], level + 1);
      w.end(item);
    }
    w.end(list);
  }
}

/** Resource message body: attributes. */
export function writeResourceBody(w: ProtoSink, resource: Attributes): void {
  writeAttributes(w, 1, resource);
}

/** InstrumentationScope message body: name, version. */
export function writeScopeBody(w: ProtoSink, scope: { name: string; version: string }): void {
  writeString(w, 10, scope?.name ?? '');
  writeString(w, 18, scope?.version ?? '');
}
