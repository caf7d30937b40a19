/**
 * The first `n` of `items` in `compare` order, holding at most about 2n (and at least 1,024) of
 * them at a time: a bounded top-n over a stream of any length. Equal items keep no particular
 * order among themselves; give `compare` a tie-breaker when that matters.
 */
export function firstInOrder<T>(items: Iterable<T>, n: number, compare: (a: T, b: T) => number): T[] {
  const keep = Math.max(0, Math.floor(n));
  const trimAt = Math.max(2 * keep, 1_024);
  const out: T[] = [];
  for (const item of items) {
    out.push(item);
    if (out.length >= trimAt) {
      out.sort(compare);
      out.length = keep;
    }
  }
  out.sort(compare);
  if (out.length > keep) out.length = keep;
  return out;
}
