import type { TraceLinkEntry } from '../model';

export interface ChainWalkOptions {
  /** Most traces in a chain; the walk stops adding traces there and reports `truncated`. */
  maxTraces: number;
  /** Most trace ids per call of `linked` (the store contract takes at most 1,000). */
  batchSize?: number;
}

export interface ChainWalk {
  /** Seeds first (in the order given), then traces in the order the walk reached them. */
  traceIds: string[];
  /** The joins between traces of the chain, each once. */
  joins: TraceLinkEntry[];
  /** True when the bound left out traces the chain reaches (or seeds). */
  truncated: boolean;
}

export const joinKey = (j: TraceLinkEntry): string => `${j.kind}|${j.fromTraceId}|${j.fromSpanId}|${j.toTraceId}|${j.toSpanId}`;

/**
 * Breadth-first walk from the seed traces over the joins between traces, in
 * both directions (a trace's links and the links to it, producers and
 * consumers of its messages), until no new trace turns up or `maxTraces` is
 * reached. Cycles are harmless: a trace is visited once. `linked` is the
 * store's linkedTraces.
 */
export async function walkChain(
  seeds: readonly string[],
  linked: (traceIds: string[]) => Promise<TraceLinkEntry[]>,
  options: ChainWalkOptions,
): Promise<ChainWalk> {
  const max = Math.max(0, Math.floor(options.maxTraces));
  const batchSize = Math.max(1, options.batchSize ?? 1_000);
  const members = new Set<string>();
  let truncated = false;
  for (const id of seeds) {
    if (members.has(id)) continue;
    if (members.size >= max) {
      truncated = true;
      break;
    }
    members.add(id);
  }
  const joins = new Map<string, TraceLinkEntry>();
  let frontier = [...members];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += batchSize) {
      for (const join of await linked(frontier.slice(i, i + batchSize))) {
        for (const other of [join.fromTraceId, join.toTraceId]) {
          if (members.has(other)) continue;
          if (members.size >= max) {
            truncated = true;
            continue;
          }
          members.add(other);
          next.push(other);
        }
        if (members.has(join.fromTraceId) && members.has(join.toTraceId)) joins.set(joinKey(join), join);
      }
    }
    frontier = next;
  }
  return { traceIds: [...members], joins: [...joins.values()], truncated };
}
