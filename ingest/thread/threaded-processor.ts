import type { BusMessage } from '../../core/contracts/bus';
import { BackendUnavailableError } from '../../core/errors';
import type { Counters } from '../../core/metrics';
import type { BatchProcessor, Signal } from '../batch-processor';
import type { EdgeTotals } from '../span-metrics/edge-pairing';
import { IngestThreadHandle } from './ingest-thread-handle';
import type { EdgeReport } from './protocol';

export interface ThreadedBatchProcessorOptions {
  /** Compiled entry of the thread (bin/ingest-thread.js), which opens its own stores. */
  entry: string;
  /** Worker threads (default 1). */
  threads?: number;
  /** Old-generation limit of each thread's V8 heap, MiB (IngestThreadHandleOptions.maxOldSpaceMiB). */
  maxOldSpaceMiB?: number;
  /** Called with a thread's id once it stopped. */
  onStopped?: (threadId: number) => void;
  /** Passed to thread `index` as workerData (the config it builds its stores from). */
  workerData: (index: number) => unknown;
  counters: Counters;
  /** Service-graph tallies of the threads' pairings (each thread pairs its shard of traces, see `workerData`'s shard). */
  onEdgeTotals?: (totals: EdgeTotals | null) => void;
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
    const { workerData, threads = 1, onEdgeTotals, ...handleOptions } = options;
    const onEdges = onEdgeTotals && ((edges: EdgeReport) => this.passOn(edges, onEdgeTotals));
    this.threads = Array.from({ length: threads }, (_, i) => new IngestThreadHandle({ ...handleOptions, workerData: workerData(i), onEdges }));
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

  /** A thread's tallies go to the graph; the halves it holds for other shards go to their threads (counted unpaired when one is down). */
  private passOn(edges: EdgeReport, onEdgeTotals: (totals: EdgeTotals | null) => void): void {
    onEdgeTotals(edges.totals);
    edges.outbound.forEach((halves, shard) => {
      if (halves && !this.threads[shard]?.postEdgeHalves(halves)) onEdgeTotals({ edges: [], unpaired: halves.count });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
