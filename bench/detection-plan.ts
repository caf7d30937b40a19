import { FAULT_KINDS, type FaultKind, type FaultSpec } from '../demo/faults';
import { FAULT_ADDED_MS, FAULT_TARGETS, type FaultTarget } from '../demo/fault-targets';

export type DetectionFault = FaultSpec & { id: string };

/**
 * The faults of a detection run, in order, each drawn from `random` (so the seed repeats the run):
 *
 * - the kinds come in rounds, every kind once per round in a drawn order, so each kind is sampled
 *   evenly whatever the count (a kind with one target is not left to chance);
 * - a fault's target is one of its kind's targets (demo/fault-targets.ts) on no service that
 *   `avoidAfter(previous fault's service)` names (the detection bench avoids the previous fault's
 *   service and its callers, whose alerts of that fault may still be firing); within a round the next
 *   kind is the first remaining one with such a target; when none has one, the next round starts
 *   early (the leftovers still come first when they fit), so a kind's count differs from another's by
 *   a fault or two at most; when no kind at all has one, any target of the first kind in line;
 * - the added time is uniform in the kind's range.
 *
 * Each fault hits every order that passes its target (rate 1) until it is cleared.
 */
export function planDetectionFaults(count: number, random: () => number, avoidAfter: (service: string) => ReadonlySet<string>): DetectionFault[] {
  const faults: DetectionFault[] = [];
  let round: FaultKind[] = [];
  let previous = '';
  for (let i = 0; i < count; i++) {
    if (round.length === 0) round = shuffled(FAULT_KINDS, random);
    const avoid: ReadonlySet<string> = previous === '' ? new Set<string>() : avoidAfter(previous);
    const allowed = (kind: FaultKind): FaultTarget[] => FAULT_TARGETS[kind].filter((t) => !avoid.has(t.service));
    // no kind left in the round fits: the next round starts early, the leftovers stay first in line
    if (!round.some((k) => allowed(k).length > 0)) round.push(...shuffled(FAULT_KINDS, random));
    const kind: FaultKind = round.splice(Math.max(0, round.findIndex((k) => allowed(k).length > 0)), 1)[0];
    const targets = allowed(kind).length > 0 ? allowed(kind) : FAULT_TARGETS[kind];
    const target = targets[Math.floor(random() * targets.length)];
    const [lo, hi] = FAULT_ADDED_MS[kind];
    const addedMs = Math.round(lo + random() * (hi - lo));
    faults.push({ id: `detect-${i + 1}-${kind}`, kind, service: target.service, operation: target.operation, addedMs, rate: 1 });
    previous = target.service;
  }
  return faults;
}

/** A copy of `items` in an order drawn from `random` (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const MINUTE_MS = 60_000;

/** Ms until the next whole minute; 0 in the first second of one (close enough to its start). */
export function untilNextMinute(nowMs: number): number {
  const into = nowMs % MINUTE_MS;
  return into < 1000 ? 0 : MINUTE_MS - into;
}
