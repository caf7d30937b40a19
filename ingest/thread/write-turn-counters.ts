import type { Counters } from '../../core/metrics';
import type { TurnTimer } from '../../storage/embedded/write-turn';

/**
 * How the ingest threads share the embedded file's one write transaction
 * (storage/embedded/write-turn.ts), on /metrics: the time writes waited for
 * their turn and the time they held it. The held time is the serial part of
 * the all-in-one's write path: one second of it per second means the turn,
 * not the cores, limits ingest.
 */
export const WRITE_TURN_COUNTERS = {
  chainscope_ingest_write_turn_waited_seconds_total: 'Seconds ingest threads waited for the embedded store\'s write turn',
  chainscope_ingest_write_turn_held_seconds_total: 'Seconds ingest threads held the embedded store\'s write turn (its write transactions, one thread at a time)',
} as const;

export function describeWriteTurnCounters(counters: Counters): void {
  for (const [name, help] of Object.entries(WRITE_TURN_COUNTERS)) counters.describe(name, help);
}

/** A turn timer adding each turn's wait and hold to `counters`. */
export function writeTurnTimer(counters: Counters): TurnTimer {
  return (waitedSeconds, heldSeconds) => {
    counters.add('chainscope_ingest_write_turn_waited_seconds_total', waitedSeconds);
    counters.add('chainscope_ingest_write_turn_held_seconds_total', heldSeconds);
  };
}
