/**
 * JSON with object keys sorted at every level, so two equal values always give
 * the same text whatever order their keys were inserted in. Used for resource
 * grouping and deterministic log ids.
 *
 * Nesting beyond `maxDepth` is rendered as a marker instead of recursing, so a
 * value built elsewhere cannot blow the stack here.
 */
export function stableStringify(value: unknown, maxDepth = 64): string {
  return write(value, maxDepth);
}

function write(value: unknown, depthLeft: number): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // NaN and ±Infinity are kept distinct (JSON.stringify would make them all null).
      return Number.isFinite(value) ? String(value) : `"#${String(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(String(value));
  }
  if (depthLeft <= 0) return '"#deep"';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], depthLeft - 1);
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += quotedKey(keys[i]) + ':' + write(obj[keys[i]], depthLeft - 1);
  }
  return out + '}';
}

/**
 * Attribute keys repeat from record to record; their JSON form is kept (this
 * runs once per log record for its id). Bounded: past the limit keys are
 * quoted each time.
 */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS && key.length <= 128) quotedKeys.set(key, quoted);
  }
  return quoted;
}
