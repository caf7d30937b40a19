import type Database from 'better-sqlite3';
import { bucketOf } from '../../core/analysis/topology-histogram';
import { deriveTopology, factsOf, spanKey, type SpanFacts } from '../../core/analysis/topology-derive';
import type { Span } from '../../core/model';
import type { EmbeddedDatabase } from './database';
import { spanOf } from './span-chunk';
import type { StoredChunks } from './stored-chunks';

/** A child span waits this long (wall clock, from when it was stored) for its parent; then its edge is given up. */
export const PENDING_PARENT_MAX_AGE_US = 60 * 60 * 1_000_000;
const PRUNE_EVERY_MS = 60_000;
const NO_RESOURCE = Object.freeze({});

/** Spans of one trace that this write inserted for the first time. */
export interface InsertedTraceSpans {
  traceRef: number;
  /** The trace had spans before this write (only then can a stored child be waiting for one of these). */
  existed: boolean;
  spans: Span[];
}

/**
 * Adds the topology and service roll-ups of a write, inside its transaction.
 * It sees only the spans the write stored for the first time, so a replayed batch
 * adds nothing. A server/consumer span whose parent is neither in the batch
 * nor stored is parked in topo_pending and turned into an edge when its parent
 * is inserted later: each parent/child pair is counted once, by whichever of
 * the two is stored second.
 */
export class TopologyWriter {
  private readonly pendingOf: Database.Statement<[number, string], { facts: string }>;
  private readonly deletePending: Database.Statement;
  private readonly insertPending: Database.Statement;
  private readonly prunePending: Database.Statement;
  private readonly addEdge: Database.Statement;
  private readonly addOp: Database.Statement;
  private readonly addAlias: Database.Statement;
  private lastPruneMs = 0;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.pendingOf = db.prepare('SELECT facts FROM topo_pending WHERE trace_ref = ? AND parent_span_id = ?');
    this.deletePending = db.prepare('DELETE FROM topo_pending WHERE trace_ref = ? AND parent_span_id = ?');
    this.insertPending = db.prepare(
      'INSERT OR IGNORE INTO topo_pending (trace_ref, parent_span_id, span_id, parked_us, facts) VALUES (?, ?, ?, ?, ?)',
    );
    this.prunePending = db.prepare('DELETE FROM topo_pending WHERE parked_us < ?');
    this.addEdge = db.prepare(
      `INSERT INTO topo_edge_minutes (minute, source, source_kind, target, target_kind, kind, bucket, calls, errors)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors`,
    );
    this.addOp = db.prepare(
      `INSERT INTO topo_op_minutes (minute, service, operation, bucket, calls, errors) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors`,
    );
    this.addAlias = db.prepare('INSERT OR IGNORE INTO topo_aliases (peer, service) VALUES (?, ?)');
  }

  /**
   * `batch`: every span of the write (replayed ones too: they can still be parents); `inserted`: the new ones, by trace;
   * `stored`: the write's view of stored chunks, where a parent or child outside the batch is looked up.
   */
  write(
    batch: readonly Span[],
    inserted: readonly InsertedTraceSpans[],
    traceRefOf: (traceId: string) => number | undefined,
    stored: StoredChunks,
  ): void {
    if (inserted.length === 0) return;
    const inBatch = new Map<string, Span>();
    for (const s of batch) inBatch.set(spanKey(s.traceId, s.spanId), s);

    const waitingChildren: SpanFacts[] = [];
    for (const t of inserted) {
      if (!t.existed) continue;
      for (const s of t.spans) {
        const rows = this.pendingOf.all(t.traceRef, s.spanId);
        if (rows.length === 0) continue;
        for (const r of rows) waitingChildren.push(JSON.parse(r.facts) as SpanFacts);
        this.deletePending.run(t.traceRef, s.spanId);
      }
    }

    const lookup = (traceId: string, spanId: string): SpanFacts | undefined => {
      const s = inBatch.get(spanKey(traceId, spanId));
      if (s) return factsOf(s);
      const ref = traceRefOf(traceId);
      if (ref === undefined) return undefined;
      const t = stored.span(ref, spanId);
      if (!t) return undefined;
      // the resource is not a topology fact: not looked up
      return factsOf(spanOf(traceId, t, (opId) => this.edb.operation(opId), () => NO_RESOURCE));
    };

    const d = deriveTopology({ spans: inserted.flatMap((t) => t.spans), lookup, waitingChildren });

    // pre-aggregate per roll-up row: one upsert per (minute, edge, bucket) instead of one per span
    const edges = new Map<string, (string | number)[]>();
    for (const e of d.edges) {
      const bucket = bucketOf(e.durationUs);
      const key = [e.minute, e.source, e.sourceKind, e.target, e.targetKind, e.kind, bucket].join('\u0000');
      const row = edges.get(key);
      if (row) {
        (row[7] as number)++;
        (row[8] as number) += e.error ? 1 : 0;
      } else edges.set(key, [e.minute, e.source, e.sourceKind, e.target, e.targetKind, e.kind, bucket, 1, e.error ? 1 : 0]);
    }
    for (const row of edges.values()) this.addEdge.run(...row);

    const ops = new Map<string, (string | number)[]>();
    for (const o of d.operations) {
      const bucket = bucketOf(o.durationUs);
      const key = [o.minute, o.service, o.operation, bucket].join('\u0000');
      const row = ops.get(key);
      if (row) {
        (row[4] as number)++;
        (row[5] as number) += o.error ? 1 : 0;
      } else ops.set(key, [o.minute, o.service, o.operation, bucket, 1, o.error ? 1 : 0]);
    }
    for (const row of ops.values()) this.addOp.run(...row);

    for (const a of d.aliases) this.addAlias.run(a.peer, a.service);
    const now = Date.now();
    for (const f of d.waiting) {
      const ref = traceRefOf(f.traceId);
      if (ref !== undefined) this.insertPending.run(ref, f.parentSpanId, f.spanId, now * 1000, JSON.stringify(f));
    }

    if (now - this.lastPruneMs > PRUNE_EVERY_MS) {
      this.lastPruneMs = now;
      this.prunePending.run(now * 1000 - PENDING_PARENT_MAX_AGE_US);
    }
  }
}
