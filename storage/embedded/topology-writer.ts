import type Database from 'better-sqlite3';
import { deriveTopology, factsOf, type SpanFacts, type TopologyDerivation } from '../../core/analysis/topology-derive';
import type { Span } from '../../core/model';
import type { EmbeddedDatabase } from './database';
import { spanOf } from './span-chunk';
import type { PlannedTrace } from './span-write-plan';
import type { StoredChunks } from './stored-chunks';
import { TopologyRows } from './topology-rows';

/** A child span waits this long (wall clock, from when it was stored) for its parent; then its edge is given up. */
export const PENDING_PARENT_MAX_AGE_US = 60 * 60 * 1_000_000;
const PRUNE_EVERY_MS = 60_000;
const NO_RESOURCE = Object.freeze({});

/** Spans of one stored trace that this write inserted for the first time. */
export interface InsertedTraceSpans {
  traceRef: number;
  /** The trace had spans before this write (only then can a stored child be waiting for one of these). */
  existed: boolean;
  spans: Span[];
}

/** A trace this write created: all its spans are new, and its planned derivation holds. */
export interface CreatedTrace {
  traceRef: number;
  /** Its spans whose parent is not in it (parked until the parent comes). */
  waiting: readonly SpanFacts[];
}

/** What a write did to its traces, as the topology sees it. */
export interface TopologyWrite {
  /** Every trace the write planned, by id: a stored span's parent is looked up in its trace's batch spans first. */
  planned: ReadonlyMap<string, PlannedTrace>;
  created: readonly CreatedTrace[];
  /** Traces that were stored before the write: their planned derivation is taken away... */
  stored: readonly PlannedTrace[];
  /** ...and what their spans that are really new derive is added. */
  inserted: readonly InsertedTraceSpans[];
}

/**
 * Adds the topology and service roll-ups of a write, inside its transaction.
 * It counts only the spans the write stored for the first time, so a replayed
 * batch adds nothing. A server/consumer span whose parent is neither in the batch
 * nor stored is parked in topo_pending and turned into an edge when its parent
 * is inserted later: each parent/child pair is counted once, by whichever of
 * the two is stored second. The derivation of the traces a write creates is
 * planned before the transaction (planTopology); only what a stored trace
 * changes is derived inside.
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
   * `rows`: the planned roll-up rows of all the write's traces (planTopology), corrected here for
   * the stored ones; `traceRefOf`, `stored`: where a parent or child outside the batch is looked up.
   */
  write(rows: TopologyRows, w: TopologyWrite, traceRefOf: (traceId: string) => number | undefined, stored: StoredChunks): void {
    if (w.created.length === 0 && w.inserted.length === 0) return;
    const now = Date.now();
    for (const t of w.created) this.park(t.traceRef, t.waiting, now);
    for (const plan of w.stored) rows.add(plan.topology, -1);
    if (w.inserted.length > 0) {
      const d = this.deriveStored(w, traceRefOf, stored);
      rows.add(d, 1);
      for (const f of d.waiting) {
        const ref = traceRefOf(f.traceId);
        if (ref !== undefined) this.park(ref, [f], now);
      }
    }
    for (const row of rows.edges()) this.addEdge.run(...row);
    for (const row of rows.operations()) this.addOp.run(...row);
    for (const a of rows.aliases()) this.addAlias.run(a.peer, a.service);
    if (now - this.lastPruneMs > PRUNE_EVERY_MS) {
      this.lastPruneMs = now;
      this.prunePending.run(now * 1000 - PENDING_PARENT_MAX_AGE_US);
    }
  }

  /** What the new spans of stored traces derive: their parents and children may be stored. */
  private deriveStored(w: TopologyWrite, traceRefOf: (traceId: string) => number | undefined, stored: StoredChunks): TopologyDerivation {
    const waitingChildren: SpanFacts[] = [];
    for (const t of w.inserted) {
      if (!t.existed) continue;
      for (const s of t.spans) {
        const rows = this.pendingOf.all(t.traceRef, s.spanId);
        if (rows.length === 0) continue;
        for (const r of rows) waitingChildren.push(JSON.parse(r.facts) as SpanFacts);
        this.deletePending.run(t.traceRef, s.spanId);
      }
    }
    const lookup = (traceId: string, spanId: string): SpanFacts | undefined => {
      const s = w.planned.get(traceId)?.byId.get(spanId);
      if (s) return factsOf(s);
      const ref = traceRefOf(traceId);
      if (ref === undefined) return undefined;
      const t = stored.span(ref, spanId);
      if (!t) return undefined;
      // the resource is not a topology fact: not looked up
      return factsOf(spanOf(traceId, t, (opId) => this.edb.operation(opId), () => NO_RESOURCE));
    };
    return deriveTopology({ spans: w.inserted.flatMap((t) => t.spans), lookup, waitingChildren });
  }

  private park(traceRef: number, waiting: readonly SpanFacts[], now: number): void {
    for (const f of waiting) this.insertPending.run(traceRef, f.parentSpanId, f.spanId, now * 1000, JSON.stringify(f));
  }
}

/**
 * The topology roll-up rows of a write's traces as if every one were new (before the transaction;
 * TopologyWriter.write corrects them for the traces that were stored).
 */
export function planTopology(traces: readonly PlannedTrace[]): TopologyRows {
  const rows = new TopologyRows();
  for (const t of traces) rows.add(t.topology, 1);
  return rows;
}
