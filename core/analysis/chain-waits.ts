import type { Span } from '../model';

/**
 * Why a business chain waited between two traces:
 * - `queue`: a message was published and later consumed (a join by messaging id or span link);
 * - `intended`: such a join whose destination or operation is listed as an intended delay
 *   (CHAIN_EXPECTED_WAITS, e.g. a scheduler's settlement delay);
 * - `gap`: nothing the chain's spans explain (no join, no span running).
 */
export type WaitKind = 'queue' | 'intended' | 'gap';

export const WAIT_KINDS: readonly WaitKind[] = ['queue', 'intended', 'gap'];

/** Names whose waits are intended: a messaging destination, or the span name of the producer or consumer. */
export type ExpectedWaits = readonly string[];

const DESTINATION_ATTRIBUTES = ['messaging.destination.name', 'messaging.destination'];

/** The messaging destination of a producer or consumer span (producer first), when it names one. */
export function destinationOf(...spans: Array<Span | undefined>): string | undefined {
  for (const span of spans) {
    for (const name of DESTINATION_ATTRIBUTES) {
      const v = span?.attributes?.[name];
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return undefined;
}

/**
 * The kind of the wait across a join (producer → consumer): intended when the
 * destination or either span's name is one of `expected` (exact match), else a queue wait.
 */
export function classifyJoinWait(
  expected: ExpectedWaits,
  producer: Span | undefined,
  consumer: Span | undefined,
): { kind: 'queue' | 'intended'; destination?: string } {
  const destination = destinationOf(producer, consumer);
  const names = [destination, producer?.name, consumer?.name];
  const intended = expected.length > 0 && names.some((n) => n !== undefined && expected.includes(n));
  return destination === undefined ? { kind: intended ? 'intended' : 'queue' } : { kind: intended ? 'intended' : 'queue', destination };
}

/** Where a chain's end-to-end time went: working (on some span of the critical path) plus waiting equals durationUs. */
export interface ChainTiming {
  durationUs: number;
  workingUs: number;
  /** All waits on the critical path: queueWaitUs + intendedWaitUs + gapUs. */
  waitingUs: number;
  queueWaitUs: number;
  intendedWaitUs: number;
  gapUs: number;
}

/** Sums a critical path (steps in time order, contiguous) into working and waiting time by kind. */
export function chainTiming(path: ReadonlyArray<{ startUs: number; endUs: number; wait?: boolean; kind?: WaitKind }>): ChainTiming {
  const t: ChainTiming = { durationUs: 0, workingUs: 0, waitingUs: 0, queueWaitUs: 0, intendedWaitUs: 0, gapUs: 0 };
  for (const step of path) {
    const us = step.endUs - step.startUs;
    if (!step.wait) {
      t.workingUs += us;
      continue;
    }
    t.waitingUs += us;
    if (step.kind === 'intended') t.intendedWaitUs += us;
    else if (step.kind === 'gap') t.gapUs += us;
    else t.queueWaitUs += us;
  }
  t.durationUs = t.workingUs + t.waitingUs;
  return t;
}
