import { bucketOf } from '../../core/analysis/topology-histogram';
import type { TopologyDerivation } from '../../core/analysis/topology-derive';

/** A topo_edge_minutes row: minute, source, source kind, target, target kind, kind, bucket, then calls and errors. */
export type EdgeRow = [number, string, string, string, string, string, number, number, number];
/** A topo_op_minutes row: minute, service, operation, bucket, then calls and errors. */
export type OpRow = [number, string, string, number, number, number];

const EDGE_CALLS = 7;
const EDGE_ERRORS = 8;
const OP_CALLS = 4;
const OP_ERRORS = 5;

/**
 * What derivations add to the topology roll-ups, merged per row (one upsert per
 * minute, edge and latency bucket instead of one per span). A write plans the
 * rows of all its traces as if every one were new, before its turn for the
 * transaction; in the transaction it takes away (sign -1) the derivation of a
 * trace that turned out stored and adds what that trace's really new spans
 * derive. Rows that end at zero are left out.
 */
export class TopologyRows {
  private readonly edgeRows = new Map<string, EdgeRow>();
  private readonly opRows = new Map<string, OpRow>();
  /** Peer aliases (peer, service) with how many derivations gave each. */
  private readonly aliasRows = new Map<string, { peer: string; service: string; n: number }>();

  add(d: TopologyDerivation, sign: 1 | -1): void {
    for (const e of d.edges) {
      const bucket = bucketOf(e.durationUs);
      const key = `${e.minute}\u0000${e.source}\u0000${e.sourceKind}\u0000${e.target}\u0000${e.targetKind}\u0000${e.kind}\u0000${bucket}`;
      let row = this.edgeRows.get(key);
      if (row === undefined) this.edgeRows.set(key, (row = [e.minute, e.source, e.sourceKind, e.target, e.targetKind, e.kind, bucket, 0, 0]));
      row[EDGE_CALLS] += sign;
      if (e.error) row[EDGE_ERRORS] += sign;
    }
    for (const o of d.operations) {
      const bucket = bucketOf(o.durationUs);
      const key = `${o.minute}\u0000${o.service}\u0000${o.operation}\u0000${bucket}`;
      let row = this.opRows.get(key);
      if (row === undefined) this.opRows.set(key, (row = [o.minute, o.service, o.operation, bucket, 0, 0]));
      row[OP_CALLS] += sign;
      if (o.error) row[OP_ERRORS] += sign;
    }
    for (const a of d.aliases) {
      const key = `${a.peer}\u0000${a.service}`;
      let row = this.aliasRows.get(key);
      if (row === undefined) this.aliasRows.set(key, (row = { peer: a.peer, service: a.service, n: 0 }));
      row.n += sign;
    }
  }

  *edges(): Iterable<EdgeRow> {
    for (const row of this.edgeRows.values()) if (row[EDGE_CALLS] !== 0 || row[EDGE_ERRORS] !== 0) yield row;
  }

  *operations(): Iterable<OpRow> {
    for (const row of this.opRows.values()) if (row[OP_CALLS] !== 0 || row[OP_ERRORS] !== 0) yield row;
  }

  *aliases(): Iterable<{ peer: string; service: string }> {
    for (const row of this.aliasRows.values()) if (row.n > 0) yield row;
  }
}
