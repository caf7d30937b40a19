import type { Span } from '../../core/model';
import { packedBuffers, type PackedEdgeHalves } from '../span-metrics/edge-halves';
import { EdgePairing, SERVICE_GRAPH_PAIRING } from '../span-metrics/edge-pairing';
import { EdgeHalfRouter } from '../span-metrics/edge-shards';
import type { EdgeReport } from './protocol';

/**
 * An ingest thread's part of the service graph: pairs the halves of its own
 * shard of traces (from the spans it stores and from the halves other
 * threads pass on), and reports per-edge tallies plus the halves it holds for
 * the other shards, so no half crosses a thread more than once and only
 * tallies reach the main thread. The pairing store's bound is shared out
 * between the shards.
 */
export class ThreadServiceGraph {
  private readonly pairing: EdgePairing;
  private readonly router: EdgeHalfRouter;

  constructor(shard: { index: number; count: number }) {
    this.pairing = new EdgePairing({ waitMs: SERVICE_GRAPH_PAIRING.waitMs, maxPending: Math.ceil(SERVICE_GRAPH_PAIRING.maxPending / shard.count) });
    this.router = new EdgeHalfRouter(this.pairing, shard);
  }

  /** Spans this thread stored. */
  addSpans(spans: readonly Span[]): void {
    this.router.add(spans);
  }

  /** Halves of this shard's traces that another thread stored. */
  addForeign(halves: PackedEdgeHalves): void {
    this.pairing.addPacked(halves);
  }

  /** What happened since the last report, with the buffers to transfer. */
  report(): { edges: EdgeReport; transfer: ArrayBuffer[] } {
    const outbound = this.router.takeOutbound();
    const transfer = outbound.flatMap((halves) => (halves ? packedBuffers(halves) : []));
    return { edges: { totals: this.pairing.take(), outbound }, transfer };
  }
}
