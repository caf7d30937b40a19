import type { Config } from '../../core/config';
import type { Signal } from '../batch-processor';
import type { PackedEdgeHalves } from '../span-metrics/edge-halves';
import type { EdgeTotals } from '../span-metrics/edge-pairing';
import type { CounterDeltas } from './counter-deltas';

/** What an ingest thread is started with. */
export interface IngestThreadData {
  config: Config;
  /** Shared by the threads that write one embedded database (storage/embedded/write-turn.ts). */
  writeTurn?: SharedArrayBuffer;
  /** This thread runs the embedded store's retention (one thread does). */
  deletes: boolean;
  /** This thread's service-graph shard: it pairs the halves of the traces `edgeShardOf` gives it. */
  shard: { index: number; count: number };
}

/** What a thread's service graph reports: the tallies of its pairs and the halves it holds for the other shards (by shard index). */
export interface EdgeReport {
  totals: EdgeTotals | null;
  outbound: (PackedEdgeHalves | null)[];
}

/** Messages between the ingest thread and its owner. Buffers travel as transferred ArrayBuffers. */
export interface WireMessage {
  key?: string;
  value: Uint8Array;
  headers?: Record<string, string>;
}

export type ToThread =
  | { type: 'process'; id: number; signal: Signal; topic: string; messages: WireMessage[] }
  | { type: 'edge-halves'; halves: PackedEdgeHalves }
  | { type: 'close' };

export type FromThread =
  | { type: 'ready' }
  | { type: 'started-failed'; message: string }
  | { type: 'done'; id: number; deadLetters: WireMessage[]; counters: CounterDeltas; edges: EdgeReport | null }
  | { type: 'failed'; id: number; message: string; retriable: boolean; counters: CounterDeltas; edges: EdgeReport | null }
  | { type: 'edges'; edges: EdgeReport }
  | { type: 'closed' };
