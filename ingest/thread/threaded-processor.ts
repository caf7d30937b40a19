import type { BusMessage } from '../../core/contracts/bus';
import { BackendUnavailableError } from '../../core/errors';
import type { Counters } from '../../core/metrics';
import type { BatchProcessor, Signal } from '../batch-processor';
import type { PackedEdgeHalves } from '../span-metrics/edge-halves';
import { IngestThreadHandle } from './ingest-thread-handle';

export interface ThreadedBatchProcessorOptions {
  /** Compiled entry of the thread (bin/ingest-thread.js), which opens its own stores. */
  entry: string;
  /** Worker threads (default 1). */
  threads?: number;
  /** Passed to thread `index` as workerData (the config it builds its stores from). */
  workerData: (index: number) => unknown;
  counters: Counters;
  /** Service-graph halves of the spans the threads stored. */
  onEdgeHalves?: (halves: PackedEdgeHalves) => void;
  log?: (line: string) => void;
}

/**
 * Runs the decode-and-write work of ingest on worker threads, so store writes
 * (SQLite in particular, which is synchronous) use the second core while the
 * main thread keeps receiving. With several threads, each batch goes to the
 * least busy one: one decodes and derives rows while another holds the write
 * transaction. Same contract as StoreBatchProcessor: resolves with dead
 * letters, rejects retriably; a crashed thread is replaced on the next batch
 * and the batches in flight are delivered again.
 */
export class ThreadedBatchProcessor implements BatchProcessor {
  private readonly threads: IngestThreadHandle[];
  private closed = false;

  constructor(options: ThreadedBatchProcessorOptions) {
    const { workerData, threads = 1, ...handleOptions } = options;
    this.threads = Array.from({ length: threads }, (_, i) => new IngestThreadHandle({ ...handleOptions, workerData: workerData(i) }));
  }

  /** Starts the threads and waits until their stores are open. */
  async start(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.start()));
  }

  async process(signal: Signal, topic: string, messages: BusMessage[]): Promise<BusMessage[]> {
    if (this.closed) throw new BackendUnavailableError('ingest thread is closed');
    let idlest = this.threads[0];
    for (const t of this.threads) if (t.busy < idlest.busy) idlest = t;
    return idlest.process(signal, topic, messages);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
