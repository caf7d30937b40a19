/**
 * Scoring of "compare with a typical order" against injected faults: is the
 * top-ranked difference (GET /api/chains/compare → top) the fault? The rule
 * is the bottleneck's (why-slow-score.ts): the top hop is read as a
 * bottleneck answer, so both answers are held to the same standard.
 */
import type { GroundTruth } from '../demo/faults';
import { bottleneckMatches, type AnsweredBottleneck } from './why-slow-score';

/** The top difference as the API answers it; every field optional so an older or newer answer still scores. */
export interface AnsweredTopDifference {
  kind?: string;
  service?: string;
  operation?: string;
  waitKind?: string;
  destination?: string;
  deltaUs?: number;
}

/** Does the comparison's top-ranked difference name the injected fault (its service and operation, or the wait it caused)? */
export function topDifferenceMatches(
  truth: Pick<GroundTruth, 'kind' | 'service' | 'operation' | 'destination'>,
  comparison: { top?: AnsweredTopDifference | null } | null | undefined,
): boolean {
  const top = comparison?.top;
  if (!top) return false;
  return bottleneckMatches(truth, topDifferenceAsBottleneck(top));
}

/** The top difference read as a bottleneck answer (a span, or the wait it names). */
export function topDifferenceAsBottleneck(top: AnsweredTopDifference): AnsweredBottleneck {
  const answer: AnsweredBottleneck = { kind: top.kind === 'wait' ? 'wait' : 'span', service: top.service, operation: top.operation };
  if (top.waitKind !== undefined) answer.waitKind = top.waitKind;
  if (top.destination !== undefined) answer.destination = top.destination;
  return answer;
}
