/**
 * OTLP times are uint64 nanoseconds since the epoch (~1.7e18 today, far above
 * 2^53); the model keeps microseconds as JS numbers (exact below 2^53 µs, i.e.
 * until the year 2255). These conversions are exact: no intermediate value
 * leaves the safe-integer range.
 */

const TWO_32 = 4294967296;

/**
 * Whether a microsecond time is an exact JS number: below 2^53 µs, the year 2255.
 * A later time decodes to another one (10875926879456918 µs reads back as …916),
 * so every decoder refuses the item with {@link inexactTimeReason} instead of
 * storing a time the sender did not send.
 */
export function isExactMicros(us: number): boolean {
  return Number.isSafeInteger(us);
}

/** The refusal for a time past 2^53 µs, naming its field(s). */
export function inexactTimeReason(fields: string): string {
  return `${fields} must be before the year 2255 (2^53 µs)`;
}

/**
 * Microseconds (floor) from a uint64 nanosecond count given as its 32-bit halves.
 *
 * hi·2^32 + lo = hi·(4294967·1000 + 296) + lo, so
 * floor(ns / 1000) = hi·4294967 + floor((hi·296 + lo) / 1000), every term exact.
 */
export function nanosBitsToMicros(lo: number, hi: number): number {
  lo >>>= 0;
  hi >>>= 0;
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

/**
 * The 32-bit halves of (µs · 1000) nanoseconds. Negative or non-finite input gives 0;
 * fractions of a microsecond are dropped.
 */
export function microsToNanosBits(us: number): { lo: number; hi: number } {
  if (!(us > 0) || !Number.isFinite(us)) return { lo: 0, hi: 0 };
  us = Math.floor(us);
  const usHi = Math.floor(us / TWO_32);
  const usLo = us - usHi * TWO_32; // < 2^32
  const loNs = usLo * 1000; // < 2^42, exact
  const carry = Math.floor(loNs / TWO_32);
  return { lo: loNs - carry * TWO_32, hi: (usHi * 1000 + carry) >>> 0 };
}

/**
 * Microseconds from an OTLP/JSON time: a decimal string of nanoseconds (proto3 JSON
 * form of uint64) or a number. Returns -1 when the value is not a non-negative integer
 * (or is beyond uint64).
 */
export function jsonNanosToMicros(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') {
    const len = value.length;
    if (len === 0) return 0;
    if (len > 20) return -1;
    for (let i = 0; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
    }
    if (len === 20 && value > '18446744073709551615') return -1;
    // Dropping the last three digits is floor(ns / 1000), exactly.
    return len <= 3 ? 0 : Number(value.slice(0, len - 3));
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || Math.floor(value) !== value) return -1;
    // Numbers above 2^53 have already lost precision in the sender's JSON; nothing to recover.
    return Math.floor(value / 1000);
  }
  return -1;
}

/** Decimal string of (µs · 1000) nanoseconds, for OTLP/JSON output. */
export function microsToNanosString(us: number): string {
  if (!(us > 0) || !Number.isFinite(us)) return '0';
  return String(Math.floor(us)) + '000';
}
