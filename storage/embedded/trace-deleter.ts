import type Database from 'better-sqlite3';
import { indexBucket } from './attribute-index';
import { decodeHashSet } from './codec';
import { chunkRange } from './span-chunk';

export interface TraceDeletion {
  /** Traces whose every row is gone. */
  traces: number;
  /** Spans deleted (of those traces, or of one trace too big for a single step). */
  spans: number;
}

interface OldTrace {
  id: number;
  trace_id: string;
  span_count: number;
}

/**
 * Deletes whole traces, oldest start first, with every row derived from them:
 * span chunks, the summary, trace_ops, trace_attr_sets and the trace_attr_index rows
 * they list, topo_pending, the span links,
 * messaging ids and order links (order_trace_refs, order_traces) they wrote. One call is one transaction of at most
 * `maxSpans` spans (plus the few index rows of those traces), or of one chunk when a trace's first
 * chunk holds more: a trace with more spans than that loses them chunk by chunk over several
 * calls and its summary goes with the last ones.
 *
 * Rows that other traces wrote about these (a link from a kept trace to a
 * deleted one) stay: they belong to the kept trace. Business keys, the
 * per-minute topology and the order roll-up are deleted by time (time-rows-deleter.ts).
 */
export class TraceDeleter {
  private readonly oldest: Database.Statement<[number, number], OldTrace>;
  private readonly chunkSizes: Database.Statement<[number, number], { id: number; n: number }>;
  private readonly deleteChunk: Database.Statement<[number]>;
  private readonly deleteChunks: Database.Statement<[number, number]>;
  private readonly shrinkSummary: Database.Statement<[number, number]>;
  private readonly deleteRows: Database.Statement<[number]>[];
  private readonly indexedHashes: Database.Statement<[number], { indexed: Buffer }>;
  private readonly deleteIndexRow: Database.Statement<[number, number, number]>;
  private readonly deleteLinks: Database.Statement<[string]>;
  private readonly deleteMessageIds: Database.Statement<[string]>;
  private readonly deleteOrderLinks: Database.Statement<[string]>;
  private readonly deleteSummary: Database.Statement<[number]>;
  private readonly run: Database.Transaction<(beforeUs: number, maxSpans: number) => TraceDeletion>;

  constructor(db: Database.Database) {
    this.oldest = db.prepare('SELECT id, trace_id, span_count FROM traces WHERE start_us < ? ORDER BY start_us LIMIT ?');
    this.chunkSizes = db.prepare('SELECT id, json_array_length(span_ids) AS n FROM span_chunks WHERE id BETWEEN ? AND ? ORDER BY id');
    this.deleteChunk = db.prepare('DELETE FROM span_chunks WHERE id = ?');
    this.deleteChunks = db.prepare('DELETE FROM span_chunks WHERE id BETWEEN ? AND ?');
    this.shrinkSummary = db.prepare('UPDATE traces SET span_count = max(0, span_count - ?) WHERE id = ?');
    this.deleteRows = ['trace_ops', 'trace_attr_sets', 'topo_pending', 'order_trace_refs'].map((table) =>
      db.prepare(`DELETE FROM ${table} WHERE trace_ref = ?`),
    );
    this.indexedHashes = db.prepare('SELECT indexed FROM trace_attr_sets WHERE trace_ref = ? AND indexed IS NOT NULL');
    this.deleteIndexRow = db.prepare('DELETE FROM trace_attr_index WHERE bucket = ? AND hash = ? AND trace_ref = ?');
    this.deleteLinks = db.prepare('DELETE FROM trace_links WHERE from_trace_id = ?');
    this.deleteMessageIds = db.prepare('DELETE FROM message_ids WHERE trace_id = ?');
    this.deleteOrderLinks = db.prepare('DELETE FROM order_traces WHERE trace_id = ?');
    this.deleteSummary = db.prepare('DELETE FROM traces WHERE id = ?');
    this.run = db.transaction((beforeUs: number, maxSpans: number) => this.deleteInTransaction(beforeUs, maxSpans));
  }

  /** Deletes traces that started before `beforeUs`, oldest first, at most `maxSpans` spans (or one chunk); all zero when none is left. */
  deleteBefore(beforeUs: number, maxSpans: number): TraceDeletion {
    return this.run.immediate(beforeUs, maxSpans);
  }

  private deleteInTransaction(beforeUs: number, maxSpans: number): TraceDeletion {
    const done: TraceDeletion = { traces: 0, spans: 0 };
    for (const t of this.oldest.all(beforeUs, maxSpans)) {
      const budget = maxSpans - done.spans;
      if (t.span_count > budget) {
        if (done.traces > 0) break;
        // a trace bigger than one step: the chunks that fit now (at least one), the rest (and the summary) in later steps
        const chunks = this.chunkSizes.all(...chunkRange(t.id));
        let n = 0;
        let left = chunks.length;
        for (const c of chunks) {
          if (n > 0 && n + c.n > budget) break;
          this.deleteChunk.run(c.id);
          n += c.n;
          left--;
        }
        this.shrinkSummary.run(n, t.id);
        done.spans += n;
        if (left > 0) break;
      }
      // the index is keyed by hash: the trace's rows are the hashes its attribute sets say were indexed
      for (const { indexed } of this.indexedHashes.all(t.id)) {
        for (const hash of decodeHashSet(indexed)) this.deleteIndexRow.run(indexBucket(t.id), hash, t.id);
      }
      for (const { n } of this.chunkSizes.all(...chunkRange(t.id))) done.spans += n;
      this.deleteChunks.run(...chunkRange(t.id));
      for (const stmt of this.deleteRows) stmt.run(t.id);
      this.deleteLinks.run(t.trace_id);
      this.deleteMessageIds.run(t.trace_id);
      this.deleteOrderLinks.run(t.trace_id);
      this.deleteSummary.run(t.id);
      done.traces++;
    }
    return done;
  }
}
