import type Database from 'better-sqlite3';
import type { EmbeddedDatabase } from './database';
import { chunkRange, decodeTuples, T, type SpanTuple } from './span-chunk';

/** Reads the spans of a stored trace from its chunks (span-chunk.ts), in chunk order. */
export class TraceChunkReader {
  private readonly chunks: Database.Statement<[number, number], { spans: string }>;

  constructor(edb: EmbeddedDatabase) {
    this.chunks = edb.db.prepare('SELECT spans FROM span_chunks WHERE id BETWEEN ? AND ? ORDER BY id');
  }

  tuples(traceRef: number): SpanTuple[] {
    const rows = this.chunks.all(...chunkRange(traceRef));
    if (rows.length === 1) return decodeTuples(rows[0].spans);
    const out: SpanTuple[] = [];
    for (const row of rows) for (const t of decodeTuples(row.spans)) out.push(t);
    return out;
  }
}

/** By start time, then span id: the order a trace's spans are read in. */
export function compareTuples(a: SpanTuple, b: SpanTuple): number {
  const d = a[T.startUs] - b[T.startUs];
  if (d !== 0) return d;
  const x = a[T.spanId];
  const y = b[T.spanId];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Spans stored in every chunk (what retention checks and benches count). */
export function countStoredSpans(db: Database.Database): number {
  return (db.prepare('SELECT coalesce(sum(json_array_length(span_ids)), 0) AS n FROM span_chunks').get() as { n: number }).n;
}
