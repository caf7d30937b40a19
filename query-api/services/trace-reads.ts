import { SPAN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { SpanStore } from '../../core/contracts/span-store';
import type { Span, TraceSummary } from '../../core/model';
import { mapLimited } from '../../core/util/map-limited';

/** Spans one getTraces read asks for at most (by the summaries' counts); a bigger trace is read alone. */
const SPANS_PER_READ = 20_000;
/** getTraces reads in flight at once. */
const READS_IN_FLIGHT = 4;

/**
 * The spans of these traces (each once, however often listed), in getTraces reads of at most
 * SPAN_READ_LIMITS.traceIdsPerRead traces and about SPANS_PER_READ spans by their summaries: a chain or a
 * slow-orders table costs a few round trips, not one per trace.
 */
export async function readTraces(store: SpanStore, traces: readonly TraceSummary[]): Promise<Map<string, Span[]>> {
  const reads: string[][] = [];
  let current: string[] = [];
  let spans = 0;
  const seen = new Set<string>();
  for (const t of traces) {
    if (seen.has(t.traceId)) continue;
    seen.add(t.traceId);
    if (current.length > 0 && (current.length >= SPAN_READ_LIMITS.traceIdsPerRead || spans + t.spanCount > SPANS_PER_READ)) {
      reads.push(current);
      current = [];
      spans = 0;
    }
    current.push(t.traceId);
    spans += t.spanCount;
  }
  if (current.length > 0) reads.push(current);
  const loaded = new Map<string, Span[]>();
  await mapLimited(reads, READS_IN_FLIGHT, async (ids) => {
    for (const [id, list] of await store.getTraces(ids)) loaded.set(id, list);
  });
  return loaded;
}
