/**
 * Where the alert evaluator keeps its alert instances between evaluations and
 * restarts, and who may evaluate (docs/alerts.md, "Running twice"). With one
 * evaluator (the all-in-one) a file under DATA_DIR does; with `chainscope
 * alerter` run more than once the store is shared (ClickHouse) and holds a
 * lease: only its holder evaluates and notifies, the others stand by, so two
 * alerters never both notify, and a standby that takes over continues from
 * the state the last holder saved (nothing lost, nothing sent twice).
 */
export interface AlertStateStore {
  start(): Promise<void>;
  /** Gives the lease up when `holder` has it (another alerter may take over at once), then closes. Idempotent. */
  shutdown(holder?: string): Promise<void>;
  /**
   * Takes or keeps the lease for `holder` for `ttlMs` (renewed by calling again before it runs out).
   * True when `holder` leads now. A free lease (none yet, given up, or its holder's ran out) is claimed
   * by one call and held from the next: among holders claiming at once, all agree on the same one.
   */
  lead(holder: string, ttlMs: number): Promise<boolean>;
  /** The state the leader saved last (JSON text), null when none was saved. */
  read(): Promise<string | null>;
  /** Saves the state (JSON text, at most MAX_ALERT_STATE_BYTES) as `holder`'s; a holder that lost the lease meanwhile never overwrites its successor's. */
  write(holder: string, state: string): Promise<void>;
}

/** The saved state's bound: ~1 KiB per alert instance, so about 4,000 instances. */
export const MAX_ALERT_STATE_BYTES = 4 * 1024 * 1024;
