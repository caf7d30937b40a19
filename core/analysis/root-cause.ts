import type { ChainPathStep } from './chain-critical-path';

/**
 * Root-cause ranking of one slow or failed business chain (an order): which
 * operation (service + span name) most likely caused it, each candidate with
 * the evidence that ranked it. Three kinds of evidence, summed in
 * microseconds so they weigh alike (docs/anomalies.md, "Root cause"):
 *
 * - **critical path**: the time the operation itself (not its callees) held
 *   the chain up, and queue waits before it (a backlog or a crashed
 *   consumer holds up the consumer that waited);
 * - **deviation from the baseline**: how much longer its spans took than the
 *   operation's usual p50 over the last hour (the per-minute roll-ups),
 *   minus what its slow callees explain (a callee's deviation explains its
 *   callers', so only the deepest deviating operation keeps it), and never
 *   more than the span's own time outside its children;
 * - **errors**: an operation whose span failed while none of its callees did
 *   is where the error started; it gets the whole chain's duration.
 */

export interface RcaSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: string;
  startUs: number;
  durationUs: number;
  status: { code: string };
}

export interface RcaChain {
  durationUs: number;
  spans: readonly RcaSpan[];
  criticalPath: readonly ChainPathStep[];
}

/** Usual latency of an operation's entry spans, from the roll-ups; by `operationKey`. */
export type OperationBaselines = ReadonlyMap<string, { p50Ms: number }>;

export interface RootCauseCandidate {
  service: string;
  operation: string;
  score: number;
  evidence: {
    /** Its own time on the critical path. */
    criticalSelfUs: number;
    /** Queue waits on the critical path before its spans. */
    queueWaitUs: number;
    /** Its spans' time over its usual p50, less what its deviating callees explain, at most their own time. */
    excessUs: number;
    /** Usual p50 (ms) of the operation, when the roll-ups know it. */
    baselineP50Ms: number | null;
    /** Its slowest span in this chain (µs). */
    slowestSpanUs: number;
    /** Its spans that failed while none of their children did. */
    originErrors: number;
  };
}

export const operationKey = (service: string, operation: string) => `${service}\u0000${operation}`;

/** Most candidates returned. */
export const MAX_RCA_CANDIDATES = 10;

export function rankRootCauses(chain: RcaChain, baselines: OperationBaselines): RootCauseCandidate[] {
  const spanById = new Map(chain.spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const children = new Map<string, RcaSpan[]>();
  for (const s of chain.spans) {
    if (!s.parentSpanId) continue;
    const key = `${s.traceId}/${s.parentSpanId}`;
    children.set(key, [...(children.get(key) ?? []), s]);
  }
  const candidates = new Map<string, RootCauseCandidate>();
  const candidate = (s: RcaSpan) => {
    const key = operationKey(s.service, s.name);
    let c = candidates.get(key);
    if (!c) {
      const baseline = baselines.get(key);
      c = {
        service: s.service,
        operation: s.name,
        score: 0,
        evidence: { criticalSelfUs: 0, queueWaitUs: 0, excessUs: 0, baselineP50Ms: baseline ? baseline.p50Ms : null, slowestSpanUs: 0, originErrors: 0 },
      };
      candidates.set(key, c);
    }
    return c;
  };

  for (const step of chain.criticalPath) {
    const us = step.endUs - step.startUs;
    if ('wait' in step) {
      if (step.kind !== 'queue') continue;
      const waited = spanById.get(`${step.toTraceId}/${step.toSpanId}`);
      if (waited) candidate(waited).evidence.queueWaitUs += us;
    } else {
      const span = spanById.get(`${step.traceId}/${step.spanId}`);
      if (span) candidate(span).evidence.criticalSelfUs += us;
    }
  }

  // excess over the baseline, less the excess of the nearest deviating descendants
  const excessOf = new Map<RcaSpan, number>();
  const ownExcess = (s: RcaSpan) => {
    const b = baselines.get(operationKey(s.service, s.name));
    return b ? Math.max(0, s.durationUs - b.p50Ms * 1000) : 0;
  };
  const descendantsExcess = (s: RcaSpan, depth: number): number => {
    if (depth > 64) return 0;
    let sum = 0;
    for (const child of children.get(`${s.traceId}/${s.spanId}`) ?? []) {
      const own = ownExcess(child);
      sum += own > 0 ? own : descendantsExcess(child, depth + 1);
    }
    return sum;
  };
  for (const s of chain.spans) {
    const c = candidate(s);
    c.evidence.slowestSpanUs = Math.max(c.evidence.slowestSpanUs, s.durationUs);
    // never more than the span's own time: a caller whose extra time lies in a callee without a baseline (a client span) keeps none
    const kids = children.get(`${s.traceId}/${s.spanId}`) ?? [];
    const selfUs = Math.max(0, s.durationUs - kids.reduce((n, k) => n + k.durationUs, 0));
    const exclusive = Math.min(selfUs, Math.max(0, ownExcess(s) - descendantsExcess(s, 0)));
    excessOf.set(s, exclusive);
    c.evidence.excessUs += exclusive;
    if (s.status.code === 'error' && !kids.some((k) => k.status.code === 'error')) {
      c.evidence.originErrors++;
    }
  }

  for (const c of candidates.values()) {
    const e = c.evidence;
    c.score = e.criticalSelfUs + e.queueWaitUs + e.excessUs + (e.originErrors > 0 ? chain.durationUs : 0);
  }
  return [...candidates.values()]
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || (a.service < b.service ? -1 : a.service > b.service ? 1 : a.operation < b.operation ? -1 : 1))
    .slice(0, MAX_RCA_CANDIDATES);
}
