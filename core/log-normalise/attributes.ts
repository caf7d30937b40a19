import { DEFAULT_INPUT_LIMITS, NESTING_MARKER, type InputLimits } from '../limits';
import type { AttributeValue, Attributes } from '../model';

/**
 * Caps on what a third-party log line becomes (file shipper, syslog,
 * JSON-lines topic): the same input limits the OTLP decoders apply
 * (core/limits.ts), so a line is cut the same way whichever path it took.
 *
 * - A record has at most `maxAttributesPerItem` attributes. The path's own
 *   attributes (`log.file.*`, `syslog.*`, business keys it copies) come
 *   first: `capAttributes` is given the room left for the source's fields
 *   and keeps the first ones in the order the source wrote them.
 * - Text values are cut to `maxAttributeValueLength` UTF-16 units (never
 *   splitting a surrogate pair), arrays to `maxArrayLength` elements, maps to
 *   `maxAttributesPerItem` entries; a container nested deeper than
 *   `maxNestingDepth` (the attribute's value is level 1) becomes
 *   `NESTING_MARKER`.
 * - The body is cut to `maxLogBodyLength`.
 */

/** `text` cut to `max` UTF-16 units, never splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
  }
  return text.slice(0, end);
}

/** A log body cut to maxLogBodyLength. */
export function capBody(body: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): string {
  return cutText(body, limits.maxLogBodyLength);
}

/** One attribute value within the caps; `level` is its nesting level (an attribute's value is 1). */
export function capValue(value: AttributeValue, level = 1, limits: InputLimits = DEFAULT_INPUT_LIMITS): AttributeValue {
  if (typeof value === 'string') return cutText(value, limits.maxAttributeValueLength);
  if (value === null || typeof value !== 'object') return value;
  if (level > limits.maxNestingDepth) return NESTING_MARKER;
  if (Array.isArray(value)) {
    const items = value.length > limits.maxArrayLength ? value.slice(0, limits.maxArrayLength) : value;
    return items.map((item) => capValue(item, level + 1, limits));
  }
  const out: { [key: string]: AttributeValue } = {};
  let count = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (count++ >= limits.maxAttributesPerItem) break;
    out[key] = capValue(value[key], level + 1, limits);
  }
  return out;
}

/** Whether capValue would change `value` (most values: no, and then nothing is copied). */
function needsCap(value: AttributeValue, limits: InputLimits): boolean {
  if (typeof value === 'string') return value.length > limits.maxAttributeValueLength;
  return value !== null && typeof value === 'object';
}

/**
 * `attributes` within the caps, in place: the first `room` entries are kept
 * (room defaults to maxAttributesPerItem; pass less when the path adds
 * attributes of its own afterwards), each value capped. Returns `attributes`.
 */
export function capAttributes(attributes: Attributes, room = DEFAULT_INPUT_LIMITS.maxAttributesPerItem, limits: InputLimits = DEFAULT_INPUT_LIMITS): Attributes {
  let count = 0;
  for (const key in attributes) {
    if (count++ >= room) {
      delete attributes[key];
      continue;
    }
    const value = attributes[key];
    if (needsCap(value, limits)) attributes[key] = capValue(value, 1, limits);
  }
  return attributes;
}
