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
 * SQLite's busy timeout decide.
 */
export class WriteTurn {
  private readonly cell: Int32Array;

  /** `shared`: from WriteTurn.shared(), the same buffer in every thread that writes. */
  constructor(shared: SharedArrayBuffer, private readonly maxWaitMs = 10_000) {
    this.cell = new Int32Array(shared, 0, 1);
  }

  /** The memory the threads share: one 32-bit cell, 0 = free, 1 = taken. */
  static shared(): SharedArrayBuffer {
    return new SharedArrayBuffer(4);
  }

  /** Runs `fn` (a write transaction) once it is this thread's turn. */
  run<T>(fn: () => T): T {
    const taken = this.take();
    try {
      return fn();
    } finally {
      if (taken) {
        Atomics.store(this.cell, 0, 0);
        Atomics.notify(this.cell, 0, 1);
      }
    }
  }

  private take(): boolean {
    const deadline = Date.now() + this.maxWaitMs;
    while (Atomics.compareExchange(this.cell, 0, 0, 1) !== 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.cell, 0, 1, left);
    }
    return true;
  }
}
