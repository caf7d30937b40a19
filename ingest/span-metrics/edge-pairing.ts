import type { Span } from '../../core/model';
import { forEachEdgeHalf, forEachPackedHalf, HALF_FAILED, HALF_MESSAGING, HALF_SERVER, type PackedEdgeHalves } from './edge-halves';
import { firstBucketOf } from './histogram';
import { PendingHalves } from './pending-halves';

/** The connector's default latency buckets, in seconds. */
export const LATENCY_BUCKETS_S = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15] as const;

/** One side's latencies of an edge's pairs: their sum and how many fell first into each bucket (see `observeCounted`). */
export interface LatencyTally {
  sum: number;
  firstBucket: number[];
}

/** The pairs of one client → server edge since the last take: small and plain, so it crosses threads cheaply. */
export interface EdgeTally {
  clientService: string;
  serverService: string;
  /** `messaging_system` when either side is a producer/consumer span, else empty. */
  connectionType: string;
  requests: number;
  /** Pairs where either side failed. */
  failed: number;
  serverLatency: LatencyTally;
  clientLatency: LatencyTally;
}

/** What a pairing hands over: the edges' tallies and how many halves gave up waiting. */
export interface EdgeTotals {
  edges: EdgeTally[];
  unpaired: number;
}

/** How long and how many halves wait for their other side, over all the shards of one process (the collector waits 2 s for 1000 by default; ours come in bus batches). */
export const SERVICE_GRAPH_PAIRING = { waitMs: 10_000, maxPending: 50_000 } as const;

export interface EdgePairingOptions {
  /** Halves waiting for their other side, at most; the oldest is dropped (and counted unpaired) past it. */
  maxPending: number;
  /** A half waits this long for its other side. */
  waitMs: number;
  now?: () => number;
}

/**
 * Pairs client and server halves like the collector's servicegraph
 * connector: a half waits (bounded, in arrival order) for the other side of
 * its key; a pair becomes a request on its edge, tallied per edge until
 * `take`; a half that waited `waitMs` or was pushed out of the full store is
 * counted unpaired. The same side twice under one key (a replayed batch)
 * keeps the first.
 */
export class EdgePairing {
  private readonly pending: PendingHalves;
  private readonly now: () => number;
  private tallies = new Map<string, EdgeTally>();
  private unpaired = 0;
  private at = 0;

  constructor(private readonly options: EdgePairingOptions) {
    this.now = options.now ?? Date.now;
    this.pending = new PendingHalves(Math.max(1, options.maxPending));
  }

  addSpans(spans: readonly Span[]): void {
    this.expire();
    forEachEdgeHalf(spans, this.add);
  }

  addPacked(halves: PackedEdgeHalves): void {
    this.expire();
    forEachPackedHalf(halves, this.add);
  }

  /** Starts a run of `add` calls: expires what waited too long and fixes the arrival time of what comes. */
  expire(): void {
    this.at = this.now();
    this.unpaired += this.pending.expireBefore(this.at - this.options.waitMs);
  }

  /** One half (see `forEachEdgeHalf`); call `expire` before a run of them. */
  readonly add = (traceId: string, clientSpanId: string, flags: number, durationUs: number, service: string): void => {
    const pending = this.pending;
    const slot = pending.slotOf(traceId, clientSpanId);
    if (slot < 0) {
      this.unpaired += pending.add(traceId, clientSpanId, this.at, flags, durationUs, service);
      return;
    }
    const otherFlags = pending.flags[slot];
    if ((otherFlags & HALF_SERVER) === (flags & HALF_SERVER)) return;
    const otherService = pending.service[slot];
    const otherUs = pending.durationUs[slot];
    pending.removeSlot(slot);
    if (flags & HALF_SERVER) this.tally(otherService, otherUs, service, durationUs, otherFlags | flags);
    else this.tally(service, durationUs, otherService, otherUs, otherFlags | flags);
  };

  /** Halves waiting now. */
  get waiting(): number {
    return this.pending.size;
  }

  /** The tallies and unpaired count since the last take (null when there is nothing to report). */
  take(): EdgeTotals | null {
    if (this.tallies.size === 0 && this.unpaired === 0) return null;
    const totals = { edges: [...this.tallies.values()], unpaired: this.unpaired };
    this.tallies = new Map();
    this.unpaired = 0;
    return totals;
  }

  private tally(clientService: string, clientUs: number, serverService: string, serverUs: number, flags: number): void {
    const connectionType = flags & HALF_MESSAGING ? 'messaging_system' : '';
    const key = `${clientService}\u0000${serverService}\u0000${connectionType}`;
    let edge = this.tallies.get(key);
    if (!edge) {
      const latency = (): LatencyTally => ({ sum: 0, firstBucket: new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0) });
      edge = { clientService, serverService, connectionType, requests: 0, failed: 0, serverLatency: latency(), clientLatency: latency() };
      this.tallies.set(key, edge);
    }
    edge.requests++;
    if (flags & HALF_FAILED) edge.failed++;
    observe(edge.serverLatency, serverUs / 1e6);
    observe(edge.clientLatency, clientUs / 1e6);
  }
}

function observe(latency: LatencyTally, seconds: number): void {
  latency.sum += seconds;
  latency.firstBucket[firstBucketOf(LATENCY_BUCKETS_S, seconds)]++;
}
