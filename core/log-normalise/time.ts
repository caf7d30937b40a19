import { MAX_TIME_US, MIN_TIME_US } from '../limits';

/**
 * The time of a third-party log line (file shipper, syslog, JSON-lines topic),
 * in microseconds since the epoch. One set of rules on every path:
 *
 * - Text: ISO-8601 / RFC 3339 (`2024-05-01T12:00:00.123Z`, `+02:00` or `+0200`
 *   offsets, a space instead of `T`) and the common `YYYY-MM-DD HH:MM:SS,mmm`
 *   (log4j, Python). Up to 9 fraction digits, cut (not rounded) to µs. Times
 *   without a zone are read as UTC, so a replay of the same line always gives
 *   the same time. A date that is not in the calendar (month 13, 30 February)
 *   is no time.
 * - Numbers, or text of digits with an optional fraction: epoch seconds below
 *   1e11, milliseconds below 1e14, microseconds below 1e17, nanoseconds below
 *   1e20 (told apart by magnitude: 1e11 s is the year 5138).
 * - Out of range: a time at or before 1970-01-01T00:00:00Z or after
 *   2200-01-01T00:00:00Z (core/limits.ts, the span the query API accepts),
 *   a number of 1e20 or more, zero, negative or not finite, is no time.
 *
 * "No time" is 0 here; each path then uses its fallback (the shipper: the
 * file's last time; JSON-lines: reception; syslog: reception).
 */

/** `us` when it is a time Chainscope files logs under (1970 < t <= 2200), else 0. */
export function withinTimeRange(us: number): number {
  return us > MIN_TIME_US && us <= MAX_TIME_US ? us : 0;
}

const ISO = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;

/** Microseconds of the first ISO-like timestamp within `text`, or 0. */
export function findIsoTimestamp(text: string): number {
  // Most lines start with their timestamp: read it by character codes (a regex match and its
  // eight substrings per line were the shipper's largest cost); the same rules as the regex.
  const leading = isoAtStart(text);
  if (leading !== NOT_AT_START) return leading;
  const m = ISO.exec(text);
  if (!m) return 0;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let fracUs = 0;
  if (frac) fracUs = Math.floor(Number(frac.padEnd(6, '0').slice(0, 6)));
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  return toMicros(+y, +mo, +d, +h, +mi, +s, fracUs, offsetMin);
}

function toMicros(y: number, mo: number, d: number, h: number, mi: number, s: number, fracUs: number, offsetMin: number): number {
  const us = calendarToMicros(y, mo, d, h, mi, s, fracUs, offsetMin);
  return Number.isNaN(us) ? 0 : withinTimeRange(us);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  return mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[mo - 1];
}

/**
 * Microseconds of a calendar date and time at a zone offset (minutes east of
 * UTC), any year; NaN when a field is not in the calendar (month 13, 30
 * February, hour 24; second 60 is a leap second and allowed).
 */
export function calendarToMicros(y: number, mo: number, d: number, h: number, mi: number, s: number, fracUs: number, offsetMin: number): number {
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 60)) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s) * 1000 + fracUs - offsetMin * 60_000_000;
}

const NOT_AT_START = -1;

/** 0-9 as a number, or -1. */
function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i);
  const b = digitAt(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * The timestamp ISO finds when one begins `text` at index 0 (where the regex's
 * leftmost match then is); NOT_AT_START when none does there, or when whitespace
 * other than a space follows it (left to the regex, whose \s knows every kind).
 */
function isoAtStart(text: string): number {
  if (text.length < 19) return NOT_AT_START;
  const y1 = twoDigits(text, 0);
  const y2 = twoDigits(text, 2);
  const mo = twoDigits(text, 5);
  const d = twoDigits(text, 8);
  const h = twoDigits(text, 11);
  const mi = twoDigits(text, 14);
  const s = twoDigits(text, 17);
  const sep = text.charCodeAt(10);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return NOT_AT_START;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return NOT_AT_START; // '-', '-', 'T' or ' ', ':', ':'
  }
  let pos = 19;
  let fracUs = 0;
  const mark = text.charCodeAt(pos);
  if ((mark === 46 || mark === 44) && digitAt(text, pos + 1) >= 0) {
    // [.,]\d{1,9}: the first six digits are microseconds
    let digits = 0;
    pos++;
    for (let v; digits < 9 && (v = digitAt(text, pos)) >= 0; digits++, pos++) if (digits < 6) fracUs = fracUs * 10 + v;
    for (let i = Math.min(digits, 6); i < 6; i++) fracUs *= 10;
  }
  let c = text.charCodeAt(pos);
  if (c === 32) c = text.charCodeAt(++pos);
  else if (c === 9 || (c >= 10 && c <= 13) || c >= 160) return NOT_AT_START;
  let offsetMin = 0;
  if (c === 43 || c === 45) {
    // [+-]\d{2}:?\d{2}
    const zh = twoDigits(text, pos + 1);
    const colon = text.charCodeAt(pos + 3) === 58 ? 1 : 0;
    const zm = twoDigits(text, pos + 3 + colon);
    if (zh >= 0 && zm >= 0) offsetMin = (c === 45 ? -1 : 1) * (zh * 60 + zm);
  }
  return toMicros(y1 * 100 + y2, mo, d, h, mi, s, fracUs, offsetMin);
}

/** Epoch seconds/ms/µs/ns (number or numeric text) to microseconds, by magnitude; 0 when out of range. */
export function epochToMicros(value: number | string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0) return 0;
  let us: number;
  if (n < 1e11) us = Math.round(n * 1e6);
  else if (n < 1e14) us = Math.round(n * 1e3);
  else if (n < 1e17) us = Math.round(n);
  else if (n < 1e20) us = Math.round(n / 1e3);
  else return 0;
  return withinTimeRange(us);
}

const EPOCH_TEXT = /^\d+(\.\d+)?$/;

/** A field value (number, numeric text or ISO text) as microseconds, or 0 when it is no time. */
export function timeFromValue(value: unknown): number {
  if (typeof value === 'number') return epochToMicros(value);
  if (typeof value !== 'string') return 0;
  const text = value.trim();
  if (text === '') return 0;
  if (EPOCH_TEXT.test(text)) return epochToMicros(text);
  return findIsoTimestamp(text);
}

/** How far into a plain line a timestamp is looked for. */
const PLAIN_PREFIX = 64;

/** Time of a plain (unstructured) line: an ISO timestamp near its start, or a leading epoch number. */
export function detectLineTime(line: string): number {
  // A leading timestamp ends well within the prefix: no need to cut the line for it.
  const leading = isoAtStart(line);
  if (leading !== NOT_AT_START) return leading;
  const head = line.length > PLAIN_PREFIX ? line.slice(0, PLAIN_PREFIX) : line;
  const iso = findIsoTimestamp(head);
  if (iso) return iso;
  const epoch = /^\[?(\d{10}(?:\.\d+)?|\d{13})\b/.exec(head);
  return epoch ? epochToMicros(epoch[1]) : 0;
}
