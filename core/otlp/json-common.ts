import type { AttributeValue, Attributes, InstrumentationScope } from '../model';
import { NESTING_MARKER } from '../limits';
import { ValidationError } from '../errors';
import { DecodeReport, ItemRejection, setOwn } from './decode-report';

/**
 * OTLP/JSON building blocks. Field names are accepted in lowerCamelCase (the
 * spec's form) and in the proto snake_case form, as proto3 JSON parsers must.
 * Structural problems inside one span/log record throw ItemRejection (that item is
 * rejected); problems in the envelope throw ValidationError.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** obj[camel], else obj[snake]. */
export function field(obj: JsonObject, camel: string, snake?: string): unknown {
  const v = obj[camel];
  return v !== undefined || snake === undefined ? v : obj[snake];
}

/**
 * The request object from a body: a JSON string, UTF-8 bytes, or an already-parsed
 * value. Invalid JSON or a top level that is not an object throws ValidationError.
 */
export function parseJsonBody(body: unknown, what: string): JsonObject {
  let value = body;
  if (body instanceof Uint8Array) value = new TextDecoder('utf-8', { fatal: false }).decode(body);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      throw new ValidationError(`invalid JSON in ${what}: ${(err as Error).message}`);
    }
  }
  if (!isObject(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    throw new ValidationError(`${what} must be a JSON object, got ${got}`);
  }
  return value;
}

/** An envelope list (resourceSpans, scopeSpans…): absent/null is empty, anything but an array is a ValidationError. */
export function envelopeList(obj: JsonObject, camel: string, snake: string, path: string): unknown[] {
  const v = field(obj, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ValidationError(`${path}.${camel} must be an array`, camel);
  return v;
}

/** An envelope element that must be an object. */
export function envelopeObject(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw new ValidationError(`${path} must be an object`);
  return v;
}

/** An item-level list (attributes, events, links): absent/null is empty, else must be an array. */
export function itemList(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return EMPTY_LIST;
  if (!Array.isArray(v)) throw new ItemRejection(`${what} must be an array`);
  return v;
}
const EMPTY_LIST: unknown[] = [];

/** An item-level string (name, message…): absent/null is ''. */
export function itemString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ItemRejection(`${what} must be a string`);
  return v;
}

/** Attributes from a KeyValue list, honouring maxAttributesPerItem. */
export function jsonAttributes(list: unknown, report: DecodeReport, what = 'attributes'): Attributes {
  const items = itemList(list, what);
  const out: Attributes = {};
  const max = report.limits.maxAttributesPerItem;
  let count = 0;
  for (let i = 0; i < items.length; i++) {
    if (count >= max) {
      report.truncated += items.length - i;
      break;
    }
    readKeyValue(items[i], out, 1, report, what);
    count++;
  }
  return out;
}

function readKeyValue(kv: unknown, target: Attributes, level: number, report: DecodeReport, what: string): void {
  if (!isObject(kv)) throw new ItemRejection(`${what}: each entry must be a {key, value} object`);
  const key = kv.key;
  if (typeof key !== 'string') throw new ItemRejection(`${what}: key must be a string`);
  setOwn(target, key, jsonAnyValue(kv.value, level, report, report.limits.maxAttributeValueLength));
}

const INT_PATTERN = /^-?\d{1,20}$/;

/**
 * Model value of an OTLP/JSON AnyValue at nesting `level` (an attribute's value is 1).
 * A container deeper than maxNestingDepth becomes NESTING_MARKER without being walked.
 */
export function jsonAnyValue(v: unknown, level: number, report: DecodeReport, stringMax: number): AttributeValue {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new ItemRejection('attribute value must be an AnyValue object');
  let x: unknown;
  if ((x = field(v, 'stringValue', 'string_value')) !== undefined) {
    if (typeof x !== 'string') throw new ItemRejection('stringValue must be a string');
    return report.cut(x, stringMax);
  }
  if ((x = field(v, 'boolValue', 'bool_value')) !== undefined) {
    if (typeof x !== 'boolean') throw new ItemRejection('boolValue must be a boolean');
    return x;
  }
  if ((x = field(v, 'intValue', 'int_value')) !== undefined) return jsonInt(x);
  if ((x = field(v, 'doubleValue', 'double_value')) !== undefined) return jsonDouble(x);
  if ((x = field(v, 'arrayValue', 'array_value')) !== undefined) {
    if (level > report.limits.maxNestingDepth) {
      report.truncated++;
      return NESTING_MARKER;
    }
    const values = isObject(x) ? itemList(x.values, 'arrayValue.values') : x === null ? EMPTY_LIST : badContainer('arrayValue');
    const max = report.limits.maxArrayLength;
    const n = Math.min(values.length, max);
    if (values.length > max) report.truncated += values.length - max;
    const out: AttributeValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = jsonAnyValue(values[i], level + 1, report, report.limits.maxAttributeValueLength);
    return out;
  }
  if ((x = field(v, 'kvlistValue', 'kvlist_value')) !== undefined) {
    if (level > report.limits.maxNestingDepth) {
      report.truncated++;
      return NESTING_MARKER;
    }
    const values = isObject(x) ? itemList(x.values, 'kvlistValue.values') : x === null ? EMPTY_LIST : badContainer('kvlistValue');
    const max = report.limits.maxAttributesPerItem;
    const out: Attributes = {};
    for (let i = 0; i < values.length; i++) {
      if (i >= max) {
        report.truncated += values.length - max;
        break;
      }
      readKeyValue(values[i], out, level + 1, report, 'kvlistValue');
    }
    return out;
  }
  if ((x = field(v, 'bytesValue', 'bytes_value')) !== undefined) {
    if (typeof x !== 'string') throw new ItemRejection('bytesValue must be a base64 string');
    // Normalise (URL-safe alphabet, missing padding) to the form the protobuf path yields.
    return report.cut(Buffer.from(x, 'base64').toString('base64'), report.limits.maxAttributeValueLength);
  }
  return null;
}

function badContainer(what: string): never {
  throw new ItemRejection(`${what} must be an object with a values array`);
}

function jsonInt(x: unknown): number | string {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new ItemRejection('intValue must be an integer');
    const n = Math.trunc(x);
    return Number.isSafeInteger(n) ? n : BigInt(n).toString();
  }
  if (typeof x === 'string' && INT_PATTERN.test(x)) {
    const n = Number(x);
    // Beyond 2^53 a JS number is inexact: keep the decimal text, as the protobuf path does.
    return Number.isSafeInteger(n) ? n : BigInt(x).toString();
  }
  throw new ItemRejection('intValue must be an integer or a decimal string');
}

function jsonDouble(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    const n = Number(x);
    if (x.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new ItemRejection('doubleValue must be a number');
}

/** Resource attributes from an envelope `resource` object; malformed ones are a ValidationError. */
export function jsonResource(v: unknown, report: DecodeReport, path: string): Attributes {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new ValidationError(`${path}.resource must be an object`);
  try {
    return jsonAttributes(v.attributes, report, 'resource attributes');
  } catch (err) {
    if (err instanceof ItemRejection) throw new ValidationError(`${path}.resource: ${err.message}`);
    throw err;
  }
}

/** {name, version} from an envelope `scope` object. */
export function jsonScope(v: unknown, report: DecodeReport, path: string): InstrumentationScope {
  if (v === undefined || v === null) return { name: '', version: '' };
  if (!isObject(v)) throw new ValidationError(`${path}.scope must be an object`);
  const name = v.name ?? '';
  const version = v.version ?? '';
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new ValidationError(`${path}.scope name and version must be strings`);
  }
  return { name: report.cut(name, report.limits.maxNameLength), version: report.cut(version, report.limits.maxNameLength) };
}

/** Runs `fn` for one item; an ItemRejection is counted as a reject with its message. */
export function rejectOnItemError<T>(report: DecodeReport, fn: () => T | null): T | null {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ItemRejection) {
      report.reject(err.message);
      return null;
    }
    throw err;
  }
}
