import { SPAN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { TraceLinkEntry } from '../../core/model';
import { chunks } from '../../core/util/chunks';

type LinkedTraces = (traceIds: string[]) => Promise<TraceLinkEntry[]>;

interface Waiting {
  ids: string[];
  resolve: (joins: TraceLinkEntry[]) => void;
  reject: (err: unknown) => void;
}

/**
 * The store's linkedTraces for several chain walks at once: the ids asked for
 * in one turn of the event loop go to the store together (in chunks of the
 * contract's id limit), and each caller gets the joins touching its own ids,
 * which is what the store answers for those ids alone. A chunk whose answer
 * reached the store's row cap may have been cut, so its callers are then
 * answered by reads of their own.
 */
export function coalescedLinkedTraces(read: LinkedTraces): LinkedTraces {
  let waiting: Waiting[] = [];
  const flush = async () => {
    const batch = waiting;
    waiting = [];
    try {
      const answers = await Promise.all(chunks([...new Set(batch.flatMap((w) => w.ids))], SPAN_READ_LIMITS.linkedTraceIds).map(read));
      const cut = answers.some((a) => a.length >= SPAN_READ_LIMITS.linkedTraceRows);
      const joins = answers.flat();
      for (const w of batch) {
        if (cut) {
          read(w.ids).then(w.resolve, w.reject);
          continue;
        }
        const mine = new Set(w.ids);
        w.resolve(joins.filter((j) => mine.has(j.fromTraceId) || mine.has(j.toTraceId)));
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };
  return (ids) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void flush());
      waiting.push({ ids, resolve, reject });
    });
}
