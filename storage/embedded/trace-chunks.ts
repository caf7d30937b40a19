import type Database from 'better-sqlite3';
import type { SpanConditions } from '../../core/contracts/trace-search';
import type { EmbeddedDatabase } from './database';
import { chunkHasMatchingSpan } from './trace-query';
import { chunkRange, decodeTuples, T, type SpanTuple } from './span-chunk';

/** Reads the spans of a stored trace from its chunks (span-chunk.ts), in chunk order. */
export class TraceChunkReader {
  private readonly chunks: Database.Statement<[number, number], { spans: string }>;
  private readonly matching = new Map<string, Database.Statement>();

  constructor(private readonly edb: EmbeddedDatabase) {
    this.chunks = edb.db.prepare('SELECT spans FROM span_chunks WHERE id BETWEEN ? AND ? ORDER BY id');
  }

  tuples(traceRef: number): SpanTuple[] {
    return this.decode(this.chunks.all(...chunkRange(traceRef)));
  }

  /** The spans of the trace's chunks whose facts have a span meeting the conditions (other chunks are not parsed). */
  tuplesOfChunksMatching(traceRef: number, c: SpanConditions): SpanTuple[] {
    const match = chunkHasMatchingSpan('facts', c);
    const sql = `SELECT spans FROM span_chunks WHERE id BETWEEN ? AND ? AND ${match.where[0]} ORDER BY id`;
    let stmt = this.matching.get(sql);
    if (stmt === undefined) {
      stmt = this.edb.db.prepare(sql);
      this.matching.set(sql, stmt); // bounded: one per shape of conditions
    }
    return this.decode(stmt.all(...chunkRange(traceRef), ...match.params) as { spans: string }[]);
  }

  private decode(rows: { spans: string }[]): SpanTuple[] {
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
