/**
 * Timestamp detection in log lines and field values. Recognised, in order:
 * ISO-8601 / RFC 3339 (`2024-05-01T12:00:00.123Z`, `+02:00` offsets, a space
 * instead of `T`), the common `YYYY-MM-DD HH:MM:SS,mmm` (log4j, Python), and
 * epoch numbers (seconds, milliseconds, microseconds or nanoseconds, told
 * apart by magnitude). Times without a zone are read as UTC, so a replay of
 * the same line always gives the same time. Returns microseconds, or 0.
 */

const ISO = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;

/** Microseconds of the first ISO-like timestamp within `text`, or 0. */
export function findIsoTimestamp(text: string): number {
  const m = ISO.exec(text);
  if (!m) return 0;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (!Number.isFinite(ms) || +mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 60) return 0;
  let us = ms * 1000;
  if (frac) us += Math.floor(Number(frac.padEnd(6, '0').slice(0, 6)));
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    us -= sign * offsetMin * 60_000_000;
  }
  return us;
}

/** Epoch seconds/ms/µs/ns (number or numeric string) to microseconds, or 0 when out of a sane range. */
export function epochToMicros(value: number | string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0) return 0;
  // 1e9 s is 2001; 1e11 s is year 5138: anything bigger is a finer unit.
  if (n < 1e11) return Math.round(n * 1e6);
  if (n < 1e14) return Math.round(n * 1e3);
  if (n < 1e17) return Math.round(n);
  if (n < 1e20) return Math.round(n / 1e3);
  return 0;
}

/** A field value (string or number) as microseconds, or 0. */
export function parseTimeValue(value: unknown): number {
  if (typeof value === 'number') return epochToMicros(value);
  if (typeof value !== 'string' || value === '') return 0;
  if (/^\d+(\.\d+)?$/.test(value)) return epochToMicros(value);
  return findIsoTimestamp(value);
}

/** Field names that carry the record time, in order of preference. */
export const TIME_FIELDS = ['timestamp', 'time', '@timestamp', 'ts', 'datetime', 'date', 't'];

/** How far into a plain line a timestamp is looked for. */
const PLAIN_PREFIX = 64;

/** Time of a plain (unstructured) line: an ISO timestamp near its start, or a leading epoch number. */
export function detectLineTime(line: string): number {
  const head = line.length > PLAIN_PREFIX ? line.slice(0, PLAIN_PREFIX) : line;
  const iso = findIsoTimestamp(head);
  if (iso) return iso;
  const epoch = /^\[?(\d{10}(?:\.\d+)?|\d{13})\b/.exec(head);
  return epoch ? epochToMicros(epoch[1]) : 0;
}
