/**
 * Numbers as text without V8's number-to-string caches. `String(x)`, a
 * template literal, `setAttribute(name, x)` or `textContent = x` look the
 * number up in a table of the isolate (one for small integers, one for the
 * rest: fractions, timestamps, what Math.round returns for a fraction); the
 * first time two numbers collide in a table it grows for good (small integers
 * 1 → 64 KiB, once two of them a multiple of 128 apart meet; the others
 * 1.5 → 48 KiB).
 * A wall screen turns new numbers into text on every push, so both grew its
 * JS heap some minutes after it opened (bench/screen-heap.ts,
 * docs/benchmarks.md). `toFixed` formats without them. Pure: tested in
 * test/unit/ui/number-text.test.ts.
 */

/** `String(Math.round(n))`, without the cache. */
export function wholeText(n: number): string {
  return Math.round(n).toFixed(0);
}

/** `String(Number(n.toFixed(digits)))` (no trailing zeros, "-0" as "0"), without the cache; the same text up to 2^53 (beyond, toFixed writes every digit). */
export function decimalText(n: number, digits: number): string {
  const fixed = n.toFixed(digits);
  let end = fixed.length;
  // toFixed writes 1e21 and beyond with an exponent: nothing to trim there
  if (fixed.includes('.') && !fixed.includes('e')) {
    while (fixed[end - 1] === '0') end--;
    if (fixed[end - 1] === '.') end--;
  }
  const text = end === fixed.length ? fixed : fixed.slice(0, end);
  return text === '-0' ? '0' : text;
}

/** An SVG coordinate or length: one decimal, none when it is whole. */
export function svgNumber(n: number): string {
  return decimalText(n, 1);
}

/**
 * HH:MM:SS (local) of a time in µs, as the wall screens show it, without the
 * caches. formatClock(us).slice(0, 8) reads the same, but d3's format turns the
 * milliseconds into text too: two of them 128 apart grow the small-integer table.
 */
export function clockSeconds(us: number): string {
  const d = new Date(us / 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => wholeText(n).padStart(2, '0')).join(':');
}
