import type Database from 'better-sqlite3';
import { chunkOrdinal, chunkRange, decodeTuples, T, type SpanTuple } from './span-chunk';

/** What a write needs to know of a stored trace's chunks. */
export interface StoredTraceChunks {
  /** Chunk key of each stored span id. */
  chunkOf: Map<string, number>;
  /** The ordinal the trace's next chunk takes (after every stored one). */
  nextOrdinal: number;
}

/**
 * The stored span chunks of the traces one write transaction touches, read once per trace: their
 * span ids (which spans of the batch are stored already) and, when topology needs a stored span,
 * the chunk holding it. Made fresh for each transaction, since what is stored changes between them.
 */
export class StoredChunks {
  private readonly idsStmt: Database.Statement<[number, number], { id: number; span_ids: string }>;
  private readonly chunkStmt: Database.Statement<[number], { spans: string }>;
  private traces = new Map<number, StoredTraceChunks>();
  private chunks = new Map<number, SpanTuple[]>();

  constructor(db: Database.Database) {
    this.idsStmt = db.prepare('SELECT id, span_ids FROM span_chunks WHERE id BETWEEN ? AND ?');
    this.chunkStmt = db.prepare('SELECT spans FROM span_chunks WHERE id = ?');
  }

  /** Forgets what was read (call at the start of each transaction). */
  reset(): void {
    this.traces = new Map();
    this.chunks = new Map();
  }

  ofTrace(traceRef: number): StoredTraceChunks {
    let t = this.traces.get(traceRef);
    if (t === undefined) {
      t = { chunkOf: new Map(), nextOrdinal: 0 };
      for (const row of this.idsStmt.all(...chunkRange(traceRef))) {
        for (const id of JSON.parse(row.span_ids) as string[]) t.chunkOf.set(id, row.id);
        t.nextOrdinal = Math.max(t.nextOrdinal, chunkOrdinal(row.id) + 1);
      }
      this.traces.set(traceRef, t);
    }
    return t;
  }

  /** A stored span of the trace, undefined when it is not stored. */
  span(traceRef: number, spanId: string): SpanTuple | undefined {
    const key = this.ofTrace(traceRef).chunkOf.get(spanId);
    if (key === undefined) return undefined;
    let tuples = this.chunks.get(key);
    if (tuples === undefined) {
      const row = this.chunkStmt.get(key);
      tuples = row ? decodeTuples(row.spans) : [];
      this.chunks.set(key, tuples);
    }
    return tuples.find((t) => t[T.spanId] === spanId);
  }
}
