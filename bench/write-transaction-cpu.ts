import fs from 'node:fs';
import type { EmbeddedDatabase } from '../storage/embedded/database';

/** This thread's CPU time so far in ns (Linux: /proc/thread-self/schedstat); undefined where there is none. */
function threadCpuNs(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * From now on, sums the CPU this thread spends inside `database`'s write
 * transactions (the work done while holding the write turn, commit included;
 * the fsync after it is not), and returns a reader of the sum in ns
 * (undefined without /proc). The serial part of the all-in-one's span write:
 * with two ingest threads, only one is inside at a time.
 */
export function timeWriteTransactions(database: EmbeddedDatabase): () => number | undefined {
  if (threadCpuNs() === undefined) return () => undefined;
  let ns = 0;
  const inWriteTurn = database.inWriteTurn.bind(database);
  database.inWriteTurn = <T>(fn: () => T): T =>
    inWriteTurn(() => {
      const start = threadCpuNs()!;
      try {
        return fn();
      } finally {
        ns += threadCpuNs()! - start;
      }
    });
  return () => ns;
}
