import type Database from 'better-sqlite3';
import type { SpanConditions } from '../../core/contracts/trace-search';
import type { EmbeddedDatabase } from './database';
import { chunkHasMatchingSpan } from './trace-query';
import { chunkRange, decodeTuples, T, type SpanTuple } from './span-chunk';

/** Chunk rows one read statement returns (each statement completes before the caller sees a span, so it may query). */
const CHUNKS_PER_READ = 64;

/**
 * Reads the spans of a stored trace from its chunks (span-chunk.ts), in chunk order, CHUNKS_PER_READ
 * chunks at a time: a trace of any size streams through, it is never held whole.
 */
export class TraceChunkReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly edb: EmbeddedDatabase) {}

  /** Every span of the trace. */
  tuples(traceRef: number): Generator<SpanTuple> {
    return this.read(traceRef, '', []);
  }

  /** The spans of the trace's chunks whose facts have a span meeting the conditions (other chunks are not parsed). */
  tuplesOfChunksMatching(traceRef: number, c: SpanConditions): Generator<SpanTuple> {
    const match = chunkHasMatchingSpan('facts', c);
    return this.read(traceRef, ` AND ${match.where[0]}`, match.params);
  }

  private *read(traceRef: number, condition: string, params: unknown[]): Generator<SpanTuple> {
    const stmt = this.statement(`SELECT id, spans FROM span_chunks WHERE id BETWEEN ? AND ?${condition} ORDER BY id LIMIT ${CHUNKS_PER_READ}`);
    let [from, to] = chunkRange(traceRef);
    for (;;) {
      const rows = stmt.all(from, to, ...params) as { id: number; spans: string }[];
      for (const row of rows) yield* decodeTuples(row.spans);
      if (rows.length < CHUNKS_PER_READ) return;
      from = rows[rows.length - 1].id + 1;
    }
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.edb.db.prepare(sql);
      this.statements.set(sql, stmt); // bounded: one per shape of conditions
    }
    return stmt;
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
