import { Worker } from 'node:worker_threads';
import type { BusMessage } from '../../core/contracts/bus';
import { BackendUnavailableError, ChainscopeError } from '../../core/errors';
import type { Counters } from '../../core/metrics';
import type { Signal } from '../batch-processor';
import { packedBuffers, type PackedEdgeHalves } from '../span-metrics/edge-halves';
import { CounterDeltaReader } from './counter-deltas';
import type { EdgeReport, FromThread, ToThread, WireMessage } from './protocol';

/** Highest old-generation limit a thread is given after running out of memory: about V8's own default on a 64-bit machine. */
export const MAX_OLD_SPACE_MIB = 4096;

export interface IngestThreadHandleOptions {
  /** Compiled entry of the thread (bin/ingest-thread.js), which opens its own stores. */
  entry: string;
  /** Passed to the thread as workerData (the config it builds its stores from). */
  workerData: unknown;
  counters: Counters;
  /**
   * Old-generation limit of the thread's V8 heap, in MiB (see
   * docs/all-in-one.md#memory). A thread that runs out of it stops, its
   * batches are delivered again, and the next thread gets twice the limit
   * (up to MAX_OLD_SPACE_MIB), so a batch larger than the limit allows is
   * written, not retried forever. Undefined: V8's default.
   */
  maxOldSpaceMiB?: number;
  /** Called with a thread's id once it stopped (crashed, ran out of memory or closed), e.g. to free a turn it held. */
  onStopped?: (threadId: number) => void;
  /** What the thread's service graph reports (its tallies, and halves for the other threads to pair). */
  onEdges?: (edges: EdgeReport) => void;
  log?: (line: string) => void;
}

/**
 * One ingest worker thread seen from its owner: posts batches (their bytes
 * transferred, not copied), resolves each with its dead letters or rejects it
 * retriably; a crashed thread is started again on the next batch and the
 * batches it held are rejected, so the bus delivers them again.
 */
export class IngestThreadHandle {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (dead: BusMessage[]) => void; reject: (err: Error) => void }>();
  private closing = false;
  /** The next thread's old-generation limit: the configured one, doubled after each time a thread ran out of it. */
  private maxOldSpaceMiB: number | undefined;

  constructor(private readonly options: IngestThreadHandleOptions) {
    this.maxOldSpaceMiB = options.maxOldSpaceMiB;
  }

  /** Batches posted and not answered yet. */
  get busy(): number {
    return this.pending.size;
  }

  /** Starts the thread and waits until its stores are open. */
  async start(): Promise<void> {
    await this.ensureWorker();
  }

  async process(signal: Signal, topic: string, messages: BusMessage[]): Promise<BusMessage[]> {
    const id = this.nextId++;
    // counted busy from now on, while the thread may still be starting
    const done = new Promise<BusMessage[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    let worker: Worker;
    try {
      worker = await this.ensureWorker();
    } catch (err) {
      this.pending.delete(id);
      throw err;
    }
    const wire: WireMessage[] = messages.map((m) => ({ key: m.key, headers: m.headers, value: new Uint8Array(m.value) }));
    const message: ToThread = { type: 'process', id, signal, topic, messages: wire };
    worker.postMessage(message, wire.map((m) => m.value.buffer as ArrayBuffer));
    return done;
  }

  /** Asks the thread to finish its batches and close its stores; terminates it after 30 s. */
  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToThread);
    const timer = setTimeout(() => void worker.terminate(), 30_000);
    timer.unref();
    await exited;
    clearTimeout(timer);
  }

  private ensureWorker(): Promise<Worker> {
    if (this.worker && this.ready) return this.ready.then(() => this.worker!);
    const limit = this.maxOldSpaceMiB;
    const worker = new Worker(this.options.entry, { workerData: this.options.workerData, resourceLimits: limit === undefined ? {} : { maxOldGenerationSizeMb: limit } });
    this.worker = worker;
    const threadId = worker.threadId;
    worker.once('exit', () => this.options.onStopped?.(threadId));
    const counterDeltas = new CounterDeltaReader();
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: FromThread) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'started-failed') reject(new BackendUnavailableError(`ingest thread could not start: ${msg.message}`));
        else this.onReply(msg, counterDeltas);
      });
      worker.once('error', (err) => {
        reject(err);
        this.onCrash(worker, err);
      });
      worker.once('exit', (code) => this.onCrash(worker, new Error(`ingest thread exited with code ${code}`)));
    });
    return this.ready.then(() => worker);
  }

  /** Passes another thread's halves of this thread's shard on (buffers transferred); false when the thread is not running, so they cannot be paired. */
  postEdgeHalves(halves: PackedEdgeHalves): boolean {
    if (!this.worker || this.closing) return false;
    this.worker.postMessage({ type: 'edge-halves', halves } satisfies ToThread, packedBuffers(halves));
    return true;
  }

  private onReply(msg: FromThread, counterDeltas: CounterDeltaReader): void {
    if (msg.type === 'edges') this.options.onEdges?.(msg.edges);
    if (msg.type !== 'done' && msg.type !== 'failed') return;
    counterDeltas.addTo(this.options.counters, msg.counters);
    if (msg.edges) this.options.onEdges?.(msg.edges);
    const waiter = this.pending.get(msg.id);
    if (!waiter) return;
    this.pending.delete(msg.id);
    if (msg.type === 'done') {
      waiter.resolve(msg.deadLetters.map((m) => ({ key: m.key, headers: m.headers, value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) })));
    } else {
      waiter.reject(new ChainscopeError(msg.message, msg.retriable));
    }
  }

  private onCrash(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = null;
    if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' && this.maxOldSpaceMiB !== undefined) {
      const ranOut = this.maxOldSpaceMiB;
      this.maxOldSpaceMiB = Math.min(MAX_OLD_SPACE_MIB, ranOut * 2);
      this.options.log?.(`ingest: thread ran out of its ${ranOut} MiB heap limit; the next thread gets ${this.maxOldSpaceMiB} MiB (INGEST_THREAD_MAX_OLD_SPACE_MIB)`);
    }
    if (!this.closing) this.options.log?.(`ingest: thread stopped (${err.message}); batches in flight will be delivered again`);
    for (const waiter of this.pending.values()) waiter.reject(new BackendUnavailableError(`ingest thread stopped: ${err.message}`));
    this.pending.clear();
  }
}
