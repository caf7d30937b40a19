/**
 * What the all-in-one's local buses (bus/memory, bus/wal) share about
 * consumers that fail: the failure record each group keeps, the status shape
 * /api/health shows, and the shutdown drain that gives up on a store that
 * cannot write.
 */

/** A run of failed attempts: the latest reason, since the first. */
export interface ConsumerFailure {
  /** The handler's last error message. */
  reason: string;
  /** Epoch ms of the first failure in the current run of failures. */
  sinceMs: number;
}

/** A consumer group whose handler is failing right now. */
export interface FailingConsumer extends ConsumerFailure {
  topic: string;
  group: string;
}

export interface LocalBusStatus {
  /** Bytes not yet handled per consumed topic (the furthest-behind group). */
  queuedBytes: Record<string, number>;
  failing: FailingConsumer[];
}

/** The record after one more failed attempt: the new reason, the first failure's time kept. */
export function failedAgain(previous: ConsumerFailure | null, reason: string): ConsumerFailure {
  return { reason, sinceMs: previous?.sinceMs ?? Date.now() };
}

export function errorMessage(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/**
 * Waits until `drained()`, the deadline, or every failing consumer has kept
 * failing for `giveUpAfterMs` (its store cannot write, so waiting longer only
 * risks a SIGKILL mid-shutdown). Polls with a referenced timer, so a script
 * whose last handle is this drain does not exit in the middle of it.
 */
export async function drainUnlessStuck(
  drained: () => boolean,
  failing: () => FailingConsumer[],
  deadline: number,
  giveUpAfterMs: number,
): Promise<void> {
  const stuck = () => {
    const now = failing();
    return now.length > 0 && now.every((f) => Date.now() - f.sinceMs >= giveUpAfterMs);
  };
  while (!drained() && Date.now() < deadline && !stuck()) await new Promise((resolve) => setTimeout(resolve, 10));
}
