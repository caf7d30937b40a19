import { threadId } from 'node:worker_threads';

/**
 * Whose turn it is to hold the database's write transaction, among threads
 * of one process that each have their own connection (the all-in-one's ingest
 * threads). SQLite serialises writers anyway, but a writer that finds the lock
 * taken sleeps in SQLite's busy handler in steps of up to 100 ms; waiting
 * here instead wakes the next writer the moment the holder commits, so one
 * thread decodes its next batch while the other writes.
 *
 * Only an optimisation: correctness stays with SQLite's own locking. A thread
 * that waited `maxWaitMs` (its holder died mid-write, say) goes ahead and lets
 * SQLite's busy timeout decide. The cell names its holder, so the owner of
 * the threads frees the turn of one that stopped (`releaseHeldBy`); without
 * that, every later write would wait `maxWaitMs` first.
 */
/** How long a write waited for its turn and then held it, in seconds (the write transaction's serial cost). */
export type TurnTimer = (waitedSeconds: number, heldSeconds: number) => void;

export class WriteTurn {
  private readonly cell: Int32Array;
  /** What this thread writes into the cell while it holds the turn: its thread id + 1 (0 = free). */
  private readonly holder = threadId + 1;

  /** `shared`: from WriteTurn.shared(), the same buffer in every thread that writes; `timer` hears every turn's wait and hold. */
  constructor(
    shared: SharedArrayBuffer,
    private readonly maxWaitMs = 10_000,
    private readonly timer?: TurnTimer,
  ) {
    this.cell = new Int32Array(shared, 0, 1);
  }

  /** The memory the threads share: one 32-bit cell, 0 = free, else the holder's thread id + 1. */
  static shared(): SharedArrayBuffer {
    return new SharedArrayBuffer(4);
  }

  /** Frees the turn if the thread `stoppedThreadId` (a Worker's threadId) held it when it stopped; true if it did. */
  static releaseHeldBy(shared: SharedArrayBuffer, stoppedThreadId: number): boolean {
    const cell = new Int32Array(shared, 0, 1);
    if (Atomics.compareExchange(cell, 0, stoppedThreadId + 1, 0) !== stoppedThreadId + 1) return false;
    Atomics.notify(cell, 0, 1);
    return true;
  }

  /** Runs `fn` (a write transaction) once it is this thread's turn. */
  run<T>(fn: () => T): T {
    const asked = this.timer && performance.now();
    const taken = this.take();
    const got = this.timer && performance.now();
    try {
      return fn();
    } finally {
      if (taken) {
        Atomics.store(this.cell, 0, 0);
        Atomics.notify(this.cell, 0, 1);
      }
      if (this.timer) this.timer(((got as number) - (asked as number)) / 1000, (performance.now() - (got as number)) / 1000);
    }
  }

  private take(): boolean {
    const deadline = Date.now() + this.maxWaitMs;
    let held: number;
    while ((held = Atomics.compareExchange(this.cell, 0, 0, this.holder)) !== 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.cell, 0, held, left);
    }
    return true;
  }
}
