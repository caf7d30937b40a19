import { Writer } from 'protobufjs/minimal';
import type { AttributeValue, Attributes } from '../model';
import { MAX_NESTING_DEPTH_CAP, NESTING_MARKER } from '../limits';
import { microsToNanosBits } from './time';

/**
 * Protobuf writing of model values. The model cannot tell an int64 beyond 2^53
 * (kept as a decimal string) or a bytes value (kept as base64) from a string, so
 * both are written as string_value; safe integers are written as int_value and
 * other numbers (fractions, -0, NaN, ±Infinity, huge values) as double_value.
 * Decoding what is written here gives back the same model values.
 */

export function newWriter(): Writer {
  return Writer.create();
}

/** A fixed64 nanosecond field from microseconds, exactly. */
export function writeMicrosAsNanos(w: Writer, tag: number, us: number): void {
  const { lo, hi } = microsToNanosBits(us);
  w.uint32(tag).fixed32(lo).fixed32(hi);
}

/** A bytes field from a hex id; nothing for ''. */
export function writeHexId(w: Writer, tag: number, hex: string): void {
  if (hex) w.uint32(tag).bytes(Buffer.from(hex, 'hex'));
}

export function writeString(w: Writer, tag: number, s: string): void {
  if (s) w.uint32(tag).string(s);
}

/** Repeated KeyValue field `field` from an attributes object. */
export function writeAttributes(w: Writer, field: number, attrs: Attributes | undefined): void {
  if (!attrs) return;
  const tag = (field << 3) | 2;
  for (const key in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
    w.uint32(tag).fork();
    writeKeyValueBody(w, key, attrs[key], 1);
    w.ldelim();
  }
}

function writeKeyValueBody(w: Writer, key: string, value: AttributeValue, level: number): void {
  w.uint32(10).string(key);
  w.uint32(18).fork();
  writeAnyValueBody(w, value, level);
  w.ldelim();
}

/** The fields of an AnyValue (without its own tag/length). */
export function writeAnyValueBody(w: Writer, v: AttributeValue, level: number): void {
  if (v === null || v === undefined) return;
  switch (typeof v) {
    case 'string':
      w.uint32(10).string(v);
      return;
    case 'boolean':
      w.uint32(16).bool(v);
      return;
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.uint32(24).int64(v);
      else w.uint32(33).double(v);
      return;
  }
  if (level > MAX_NESTING_DEPTH_CAP) {
    // Only reachable with values not built by our decoders; keeps the recursion bounded.
    w.uint32(10).string(NESTING_MARKER);
    return;
  }
  if (Array.isArray(v)) {
    w.uint32(42).fork();
    for (let i = 0; i < v.length; i++) {
      w.uint32(10).fork();
      writeAnyValueBody(w, v[i], level + 1);
      w.ldelim();
    }
    w.ldelim();
    return;
  }
  if (typeof v === 'object') {
    w.uint32(50).fork();
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      w.uint32(10).fork();
      writeKeyValueBody(w, key, v[key], level + 1);
      w.ldelim();
    }
    w.ldelim();
  }
}

/** Resource message body: attributes. */
export function writeResourceBody(w: Writer, resource: Attributes): void {
  writeAttributes(w, 1, resource);
}

/** InstrumentationScope message body: name, version. */
export function writeScopeBody(w: Writer, scope: { name: string; version: string }): void {
  writeString(w, 10, scope?.name ?? '');
  writeString(w, 18, scope?.version ?? '');
}

/** Writer output as bytes (a Buffer in Node). */
export function finish(w: Writer): Uint8Array {
  return w.finish();
}
