import type { Span } from '../../core/model';
import { EdgeHalfPacker, forEachEdgeHalf, type PackedEdgeHalves } from './edge-halves';
import type { EdgePairing } from './edge-pairing';

/**
 * Which of `shards` pairings owns a trace's halves: both sides of a call
 * share the trace id, so they meet in one pairing whichever thread stored
 * them. From the id's last two characters (hex ids are uniform there).
 */
export function edgeShardOf(traceId: string, shards: number): number {
  const n = traceId.length;
  if (shards <= 1 || n === 0) return 0;
  return ((traceId.charCodeAt(n - 1) << 8) + (n > 1 ? traceId.charCodeAt(n - 2) : 0)) % shards;
}

/**
 * An ingest thread's side of the sharded service graph: halves of the traces
 * this thread owns are paired here at once; the others are packed per owner,
 * for the thread's owner (the main thread) to pass on with `take`.
 */
export class EdgeHalfRouter {
  private readonly outbound: EdgeHalfPacker[];

  constructor(
    private readonly pairing: EdgePairing,
    private readonly shard: { index: number; count: number },
  ) {
    this.outbound = Array.from({ length: shard.count }, () => new EdgeHalfPacker());
  }

  add(spans: readonly Span[]): void {
    const { index, count } = this.shard;
    this.pairing.expire();
    forEachEdgeHalf(spans, (traceId, clientSpanId, flags, durationUs, service) => {
      const owner = edgeShardOf(traceId, count);
      if (owner === index) this.pairing.add(traceId, clientSpanId, flags, durationUs, service);
      else this.outbound[owner].push(traceId, clientSpanId, flags, durationUs, service);
    });
  }

  /** The halves collected for other shards since the last take, by shard index (null: none, and always for this one). */
  takeOutbound(): (PackedEdgeHalves | null)[] {
    return this.outbound.map((packer) => (packer.size > 0 ? packer.take() : null));
  }
}
