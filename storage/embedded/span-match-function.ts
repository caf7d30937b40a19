import { factsMatch, type FactConditions } from './span-chunk';

/**
 * The SQL function `cs_span_match(facts, opIds, status, minDurationUs, maxDurationUs)`: 1 when a
 * span of the chunk's facts meets the conditions (NULL arguments are no condition; `opIds` is a
 * JSON array of operation ids). A search passes the same `opIds` text for every chunk it scans,
 * so the parsed set of the last text is kept.
 */
export function spanMatchFunction(): (facts: unknown, opIds: unknown, status: unknown, min: unknown, max: unknown) => number {
  let lastOpText: string | null = null;
  let lastOps: ReadonlySet<number> | null = null;
  return (facts, opIds, status, min, max) => {
    if (!(facts instanceof Uint8Array)) return 0;
    let ops: ReadonlySet<number> | null = null;
    if (typeof opIds === 'string') {
      if (opIds !== lastOpText) {
        const parsed: unknown = JSON.parse(opIds);
        lastOps = new Set(Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number') : []);
        lastOpText = opIds;
      }
      ops = lastOps;
    }
    const c: FactConditions = { opIds: ops, status: numberOrNull(status), minDurationUs: numberOrNull(min), maxDurationUs: numberOrNull(max) };
    return factsMatch(facts, c) ? 1 : 0;
  };
}

function numberOrNull(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}
