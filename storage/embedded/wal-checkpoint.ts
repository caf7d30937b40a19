import fs from 'node:fs';
import type Database from 'better-sqlite3';

/** The WAL may grow to this many times its limit before a writer checkpoints it in its turn (RESTART). */
export const WAL_BOUND_FACTOR = 4;

/** How long the in-turn RESTART waits for readers still reading the write-ahead file; a busy one only defers it. */
const RESTART_BUSY_MS = 200;

export type CheckpointMode = 'none' | 'passive' | 'restart';

/**
 * What a writer does after its write, from the size of the write-ahead file:
 * nothing while it holds at most `limitBytes`; past that a PASSIVE checkpoint
 * after the write turn (it copies committed pages into the database file
 * while the other ingest thread goes on writing); past `WAL_BOUND_FACTOR` ×
 * the limit a RESTART in the turn, so the next write starts the file again.
 *
 * Why the bound: SQLite starts the file again from its beginning only when a
 * write begins with every committed page copied. Two ingest threads taking
 * turns back to back never give it that moment (one begins while the other
 * checkpoints), so under sustained load the file would grow without end.
 */
export function checkpointMode(walBytes: number, limitBytes: number): CheckpointMode {
  if (walBytes <= limitBytes) return 'none';
  return walBytes > WAL_BOUND_FACTOR * limitBytes ? 'restart' : 'passive';
}

/**
 * Checkpoints of one connection's database, run by the writer after its
 * writes instead of by SQLite inside the committing transaction
 * (`wal_autocheckpoint`, which copies the WAL into the database file and
 * syncs it while the writer still holds the write turn). The connection's
 * auto-checkpoint must be off.
 */
export class WalCheckpoints {
  private readonly walFile: string;

  constructor(
    private readonly db: Database.Database,
    databaseFile: string,
    private readonly limitBytes: number,
  ) {
    this.walFile = `${databaseFile}-wal`;
  }

  /**
   * Called after a write and its sync, outside the write turn; `inTurn` runs
   * a function in this connection's write turn. Returns what it did.
   */
  afterWrite(inTurn: (fn: () => void) => void): CheckpointMode {
    const size = fs.statSync(this.walFile, { throwIfNoEntry: false })?.size ?? 0;
    const mode = checkpointMode(size, this.limitBytes);
    if (mode === 'passive') this.db.pragma('wal_checkpoint(PASSIVE)');
    else if (mode === 'restart') inTurn(() => this.restart());
    return mode;
  }

  private restart(): void {
    withBusyTimeout(this.db, RESTART_BUSY_MS, () => this.db.pragma('wal_checkpoint(RESTART)'));
  }
}

/** Runs `fn` with the connection's busy timeout set to `ms` (a checkpoint that should not wait long for readers). */
export function withBusyTimeout<T>(db: Database.Database, ms: number, fn: () => T): T {
  const busy = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${ms}`);
  try {
    return fn();
  } finally {
    db.pragma(`busy_timeout = ${busy}`);
  }
}
