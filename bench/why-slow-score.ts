/**
 * Scoring of the "why is this order slow?" answer against injected faults:
 * pure functions on the ground truth (demo/faults.ts) and the bottleneck the
 * query API names (GET /api/chains → bottleneck). Written against the API's
 * answer only, so it scores whatever the analysis does.
 */
import type { FaultKind, GroundTruth } from '../demo/faults';

/** The bottleneck as the API answers it; every field optional so an older or newer answer still scores. */
export interface AnsweredBottleneck {
  kind?: string;
  service?: string;
  operation?: string;
  waitKind?: string;
  destination?: string;
  selfUs?: number;
}

/** Faults that make an order wait on a queue rather than work longer in a span. */
const WAIT_FAULTS: ReadonlySet<FaultKind> = new Set(['queueBacklog']);

/**
 * Does the bottleneck name the injected fault? Span faults (latency, error,
 * dbLock, slowExternal) need the span of the injected service and operation.
 * A backlog needs the wait before the consumer it held back (its service and
 * span, or the queue's destination). A consumer crash loses the crashed
 * attempt and the redelivery delay: the consumer's span or the wait before it.
 */
export function bottleneckMatches(truth: Pick<GroundTruth, 'kind' | 'service' | 'operation' | 'destination'>, b: AnsweredBottleneck | null | undefined): boolean {
  if (!b) return false;
  const isWait = b.kind === 'wait';
  const namesTarget = b.service === truth.service && b.operation === truth.operation;
  if (WAIT_FAULTS.has(truth.kind)) {
    return isWait && (namesTarget || (truth.destination !== undefined && b.destination === truth.destination));
  }
  if (truth.kind === 'consumerCrash') {
    return namesTarget || (isWait && truth.destination !== undefined && b.destination === truth.destination);
  }
  return !isWait && namesTarget;
}

/** A healthy order's bottleneck inside an intended wait (a scheduled delay such as order-jobs): should never happen. */
export function isIntendedWait(b: AnsweredBottleneck | null | undefined, intendedDestinations: readonly string[], intendedConsumers: readonly string[]): boolean {
  if (!b || b.kind !== 'wait') return false;
  if (b.waitKind === 'intended') return true;
  if (b.destination !== undefined && intendedDestinations.includes(b.destination)) return true;
  return b.operation !== undefined && intendedConsumers.includes(b.operation);
}

/** One line of the bottleneck a reader can compare: `service operation` or `wait(kind destination) → service operation`. */
export function describeBottleneck(b: AnsweredBottleneck | null | undefined): string {
  if (!b) return '(none)';
  const target = `${b.service ?? '?'} ${b.operation ?? '?'}`;
  return b.kind === 'wait' ? `wait(${b.waitKind ?? '?'}${b.destination ? ` ${b.destination}` : ''}) before ${target}` : target;
}

export interface ScoredOrder {
  orderId: string;
  truth: GroundTruth;
  bottleneck: AnsweredBottleneck | null;
  matched: boolean;
}

export interface KindScore {
  kind: string;
  faults: number;
  orders: number;
  matched: number;
  share: number;
  /** Most frequent wrong answers: "expected → answered" with counts. */
  misses: { expected: string; answered: string; count: number }[];
}

/** Per fault kind and overall ('all'): share of affected orders whose bottleneck names the fault. */
export function scoreByKind(orders: readonly ScoredOrder[], maxMisses = 5): KindScore[] {
  const groups = new Map<string, ScoredOrder[]>();
  for (const o of orders) {
    const list = groups.get(o.truth.kind) ?? [];
    list.push(o);
    groups.set(o.truth.kind, list);
  }
  const score = (kind: string, list: readonly ScoredOrder[]): KindScore => {
    const missCounts = new Map<string, { expected: string; answered: string; count: number }>();
    for (const o of list) {
      if (o.matched) continue;
      const expected = `${o.truth.service} ${o.truth.operation}`;
      const answered = describeBottleneck(o.bottleneck);
      const key = `${expected}\u0000${answered}`;
      const m = missCounts.get(key) ?? { expected, answered, count: 0 };
      m.count++;
      missCounts.set(key, m);
    }
    const matched = list.filter((o) => o.matched).length;
    return {
      kind,
      faults: new Set(list.map((o) => o.truth.faultId)).size,
      orders: list.length,
      matched,
      share: list.length ? matched / list.length : NaN,
      misses: [...missCounts.values()].sort((a, b) => b.count - a.count).slice(0, maxMisses),
    };
  };
  const kinds = [...groups.keys()].sort();
  return [...kinds.map((k) => score(k, groups.get(k)!)), score('all', orders)];
}
