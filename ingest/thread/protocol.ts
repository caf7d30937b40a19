import type { Config } from '../../core/config';
import type { Signal } from '../batch-processor';
import type { PackedEdgeHalves } from '../span-metrics/edge-halves';

/** What an ingest thread is started with. */
export interface IngestThreadData {
  config: Config;
  /** Shared by the threads that write one embedded database (storage/embedded/write-turn.ts). */
  writeTurn?: SharedArrayBuffer;
  /** This thread runs the embedded store's retention (one thread does). */
  deletes: boolean;
}

/** Messages between the ingest thread and its owner. Buffers travel as transferred ArrayBuffers. */
export interface WireMessage {
  key?: string;
  value: Uint8Array;
  headers?: Record<string, string>;
}

export type ToThread =
  | { type: 'process'; id: number; signal: Signal; topic: string; messages: WireMessage[] }
  | { type: 'close' };

export type FromThread =
  | { type: 'ready' }
  | { type: 'started-failed'; message: string }
  | { type: 'done'; id: number; deadLetters: WireMessage[]; counters: Record<string, number>; edgeHalves: PackedEdgeHalves | null }
  | { type: 'failed'; id: number; message: string; retriable: boolean; counters: Record<string, number>; edgeHalves: PackedEdgeHalves | null }
  | { type: 'closed' };
