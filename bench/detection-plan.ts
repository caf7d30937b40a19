import { FAULT_KINDS, type FaultSpec } from '../demo/faults';
import { FAULT_ADDED_MS, FAULT_TARGETS } from '../demo/fault-targets';

export type DetectionFault = FaultSpec & { id: string };

/** Draws before giving up on `avoid` (every target avoided: the draw ignores it). */
const MAX_DRAWS = 1000;

/**
 * Fault number `index` of a detection run: a kind, then one of its targets (demo/fault-targets.ts), then the
 * added time, each drawn from `random`. A target on a service in `avoid` is drawn again (the detection bench
 * avoids the previous fault's service and its callers, whose alerts of that fault may still be firing).
 * The fault hits every order that passes its target (rate 1) until it is cleared.
 */
export function nextDetectionFault(index: number, random: () => number, avoid: ReadonlySet<string>): DetectionFault {
  for (let draw = 0; ; draw++) {
    const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
    const targets = FAULT_TARGETS[kind];
    const target = targets[Math.floor(random() * targets.length)];
    const [lo, hi] = FAULT_ADDED_MS[kind];
    const addedMs = Math.round(lo + random() * (hi - lo));
    if (avoid.has(target.service) && draw < MAX_DRAWS) continue;
    return { id: `detect-${index + 1}-${kind}`, kind, service: target.service, operation: target.operation, addedMs, rate: 1 };
  }
}

const MINUTE_MS = 60_000;

/** Ms until the next whole minute; 0 in the first second of one (close enough to its start). */
export function untilNextMinute(nowMs: number): number {
  const into = nowMs % MINUTE_MS;
  return into < 1000 ? 0 : MINUTE_MS - into;
}
