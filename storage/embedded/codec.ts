import { SPAN_KINDS, STATUS_CODES } from '../../core/model';
import type { SpanKind, StatusCode } from '../../core/model';

const KIND_CODES = new Map<SpanKind, number>(SPAN_KINDS.map((k, i) => [k, i]));
const STATUS_NUMBERS = new Map<StatusCode, number>(STATUS_CODES.map((c, i) => [c, i]));

export function kindToInt(kind: SpanKind): number {
  return KIND_CODES.get(kind) ?? 0;
}
export function intToKind(n: number): SpanKind {
  return SPAN_KINDS[n] ?? 'unspecified';
}
export function statusToInt(code: StatusCode): number {
  return STATUS_NUMBERS.get(code) ?? 0;
}
export function intToStatus(n: number): StatusCode {
  return STATUS_CODES[n] ?? 'unset';
}
export const STATUS_ERROR = statusToInt('error');

/**
 * 53-bit hash of (key, value text): two 32-bit FNV-1a lanes with different
 * primes over the UTF-16 code units, each finished with murmur3's fmix, folded
 * to a safe integer. The key's lanes are computed once per distinct key and
 * seed the value's. Collisions among the distinct pairs of a real workload are
 * astronomically unlikely; a collision would only add a trace to a result,
 * never lose one.
 */
export function attributeHash(key: string, value: string): number {
  let seed = keySeeds.get(key);
  if (seed === undefined) {
    seed = keySeed(key);
    if (keySeeds.size >= 10_000) keySeeds.clear();
    keySeeds.set(key, seed);
  }
  let h1 = seed[0];
  let h2 = seed[1];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  h1 = fmix(h1 ^ value.length);
  h2 = fmix(h2 ^ value.length);
  // high 21 bits from h2, low 32 bits from h1
  return (h2 >>> 11) * 0x100000000 + (h1 >>> 0);
}

const keySeeds = new Map<string, Int32Array>();

function keySeed(key: string): Int32Array {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  // the key length ends the key, so ("ab", "c") and ("a", "bc") differ
  return Int32Array.of(fmix(h1 ^ (key.length + 0x10000)), fmix(h2 ^ (key.length + 0x10000)));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Sorted distinct hashes as little-endian float64s (exact: every hash is below 2^53). */
export function encodeHashSet(hashes: number[]): Buffer {
  const sorted = Float64Array.from(hashes).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (n > 0 && sorted[i] === sorted[n - 1]) continue;
    sorted[n++] = sorted[i];
  }
  if (LITTLE_ENDIAN) return Buffer.from(sorted.buffer, 0, n * 8);
  const out = Buffer.allocUnsafe(n * 8);
  for (let i = 0; i < n; i++) out.writeDoubleLE(sorted[i], i * 8);
  return out;
}

/** The hashes of a set written by encodeHashSet, in order. */
export function decodeHashSet(set: Uint8Array): number[] {
  const buf = Buffer.isBuffer(set) ? set : Buffer.from(set.buffer, set.byteOffset, set.byteLength);
  const out: number[] = new Array(buf.length >>> 3);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

/** One hash in the byte form encodeHashSet stores. */
export function hashBytes(hash: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeDoubleLE(hash, 0);
  return out;
}

/** Binary search in a set written by encodeHashSet. */
export function hashSetHas(set: Uint8Array, hash: number): boolean {
  const buf = Buffer.isBuffer(set) ? set : Buffer.from(set.buffer, set.byteOffset, set.byteLength);
  let lo = 0;
  let hi = (buf.length >>> 3) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = buf.readDoubleLE(mid * 8);
    if (v === hash) return true;
    if (v < hash) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
