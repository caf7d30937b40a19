/** Values per statement of a batched read (their JSON array is one parameter). */
export const VALUES_PER_READ = 500;

/**
 * Text that SQLite's json_each gives back exactly as JavaScript wrote it: no control character
 * (JSON escapes) and no surrogate (a lone one binds as U+FFFD but decodes from JSON otherwise).
 */
const PLAIN_TEXT = /^[^\u0000-\u001f\ud800-\udfff]*$/;

/**
 * One read per many text values instead of one per value: `many` gets a JSON array of up to
 * VALUES_PER_READ values (for `json_each(?)` in its SQL) and yields [value, result] for those it
 * finds; a value that would not round-trip through JSON exactly is read alone by `one`. The
 * per-statement cost of a read (binding, stepping, crossing into native code) is most of the cost
 * of a lookup by key, so this takes a write's reads of many keys down to a few statements.
 */
export function readByValues<R>(
  values: Iterable<string>,
  many: (valuesJson: string) => Iterable<readonly [string, R]>,
  one: (value: string) => R | undefined,
): Map<string, R> {
  const out = new Map<string, R>();
  let plain: string[] = [];
  const flush = () => {
    for (const [value, r] of many(JSON.stringify(plain))) out.set(value, r);
    plain = [];
  };
  for (const value of values) {
    if (!PLAIN_TEXT.test(value)) {
      const r = one(value);
      if (r !== undefined) out.set(value, r);
      continue;
    }
    plain.push(value);
    if (plain.length === VALUES_PER_READ) flush();
  }
  if (plain.length > 0) flush();
  return out;
}
