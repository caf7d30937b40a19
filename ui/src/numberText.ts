/**
 * Numbers as text without V8's number-to-string cache. `String(x)`, a
 * template literal, `setAttribute(name, x)` or `textContent = x` look a
 * number that is not a small integer (a fraction, a timestamp, the result of
 * Math.round on a fraction) up in a table of the isolate; the first time two
 * such numbers collide there the table grows from 1.5 KiB to 48 KiB, for good.
 * A wall screen turns new numbers into text on every push, so that growth
 * landed in its JS heap a few minutes after it opened (bench/screen-heap.ts,
 * docs/benchmarks.md). `toFixed` formats without the table. Pure: tested in
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
