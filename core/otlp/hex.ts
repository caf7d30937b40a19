/** Lowercase hex for byte ranges, and hex id validation for OTLP/JSON. */

const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(i.toString(16).padStart(2, '0'));

/** Node's Buffer#hexSlice: toString('hex', …) without the encoding dispatch. */
type HexSliceBuffer = Buffer & { hexSlice(start: number, end: number): string };

/**
 * Lowercase hex of buf[start, end). From a Buffer (what the decoders read) in
 * one native call: the string comes out flat, whereas 16 concatenated pairs
 * make a rope that every Map or Set keyed by the id (grouping by trace,
 * business keys, topology) first has to flatten, which cost several times more.
 */
export function bytesToHex(buf: Uint8Array, start: number, end: number): string {
  if (Buffer.isBuffer(buf)) return (buf as HexSliceBuffer).hexSlice(start, end);
  let out = '';
  for (let i = start; i < end; i++) out += HEX_PAIRS[buf[i]];
  return out;
}

/** True when buf[start, end) holds only zero bytes. */
export function allZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Bytes of an even-length hex string (caller has validated it). */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/**
 * Normalised id from OTLP/JSON: `''` for absent/empty, lowercase hex when `value` is a
 * hex string of exactly `bytes * 2` characters, otherwise an error message. An all-zero
 * id comes back as `''` with `allZero` set; the caller decides whether that is an error.
 * OTLP/JSON encodes ids as hex (not base64 as generic proto3 JSON would), so base64 is refused.
 */
export function jsonHexId(
  value: unknown,
  bytes: number,
  what: string,
): { id: string; allZero: boolean; error?: undefined } | { error: string } {
  if (value === undefined || value === null || value === '') return { id: '', allZero: false };
  if (typeof value !== 'string') return { error: `${what} must be a hex string` };
  if (value.length !== bytes * 2) {
    return { error: `${what} must be ${bytes * 2} hex characters, got ${Math.min(value.length, 9999)}` };
  }
  let zero = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const isHex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (!isHex) return { error: `${what} is not hex (OTLP/JSON ids are hex, not base64)` };
    if (c !== 48) zero = false;
  }
  return { id: zero ? '' : value.toLowerCase(), allZero: zero };
}
