import { Worker } from 'node:worker_threads';
import type { BusMessage } from '../../core/contracts/bus';
import { BackendUnavailableError, ChainscopeError } from '../../core/errors';
import type { Counters } from '../../core/metrics';
import type { BatchProcessor, Signal } from '../batch-processor';
import type { FromThread, ToThread, WireMessage } from './protocol';

export interface ThreadedBatchProcessorOptions {
  /** Compiled entry of the thread (bin/ingest-thread.js), which opens its own stores. */
  entry: string;
  /** Passed to the thread as workerData (the config it builds its stores from). */
  workerData: unknown;
  counters: Counters;
  log?: (line: string) => void;
}

/**
 * Runs the decode-and-write work of ingest on a worker thread, so store writes
 * (SQLite in particular, which is synchronous) use the second core while the
 * main thread keeps receiving. Same contract as StoreBatchProcessor: resolves
 * with dead letters, rejects retriably; a crashed thread is replaced on the
 * next batch and the batch in flight is delivered again.
 */
export class ThreadedBatchProcessor implements BatchProcessor {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (dead: BusMessage[]) => void; reject: (err: Error) => void }>();
  private closed = false;

  constructor(private readonly options: ThreadedBatchProcessorOptions) {}

  /** Starts the thread and waits until its stores are open. */
  async start(): Promise<void> {
    await this.ensureWorker();
  }

  async process(signal: Signal, topic: string, messages: BusMessage[]): Promise<BusMessage[]> {
    if (this.closed) throw new BackendUnavailableError('ingest thread is closed');
    const worker = await this.ensureWorker();
    const id = this.nextId++;
    const wire: WireMessage[] = messages.map((m) => ({ key: m.key, headers: m.headers, value: new Uint8Array(m.value) }));
    const done = new Promise<BusMessage[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const message: ToThread = { type: 'process', id, signal, topic, messages: wire };
    worker.postMessage(message, wire.map((m) => m.value.buffer as ArrayBuffer));
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
    const worker = new Worker(this.options.entry, { workerData: this.options.workerData });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: FromThread) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'started-failed') reject(new BackendUnavailableError(`ingest thread could not start: ${msg.message}`));
        else this.onReply(msg);
      });
      worker.once('error', (err) => {
        reject(err);
        this.onCrash(worker, err);
      });
      worker.once('exit', (code) => this.onCrash(worker, new Error(`ingest thread exited with code ${code}`)));
    });
    return this.ready.then(() => worker);
  }

  private onReply(msg: FromThread): void {
    if (msg.type !== 'done' && msg.type !== 'failed') return;
    for (const [name, n] of Object.entries(msg.counters)) this.options.counters.add(name, n);
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
    if (!this.closed) this.options.log?.(`ingest: thread stopped (${err.message}); batches in flight will be delivered again`);
    for (const waiter of this.pending.values()) waiter.reject(new BackendUnavailableError(`ingest thread stopped: ${err.message}`));
    this.pending.clear();
  }
}
