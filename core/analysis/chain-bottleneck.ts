import type { Span } from '../model';
import type { ChainPathStep } from './chain-critical-path';

/**
 * What held a chain up most: an operation (service + span name, its own time
 * on the critical path summed over the chain), or a wait that was not
 * intended (queue waits by destination and consumer, gaps by the span after them).
 */
export interface Bottleneck {
  kind: 'span' | 'wait';
  /** A span's service; for a wait, the service of the span that waited. */
  service: string;
  /** A span's name; for a wait, the name of the span that waited. */
  operation: string;
  /** Time it owns on the critical path. */
  selfUs: number;
  /** For a wait: queue (message in a queue) or gap (unexplained). */
  waitKind?: 'queue' | 'gap';
  /** For a queue wait: its messaging destination, when known. */
  destination?: string;
  /** Named from a trace summary because the trace's spans were not loaded (span cap). */
  estimated?: boolean;
}

/** A span of the chain; `estimated` when it stands for a whole trace known only by its summary. */
export type ChainSpanLookup = (traceId: string, spanId: string) => (Span & { estimated?: boolean }) | undefined;

/**
 * The bottleneck of a chain: the candidate owning the most critical-path
 * time (ties: a span before a wait, then names in order). Intended waits are
 * never candidates; null for an empty path.
 */
export function chainBottleneck(path: readonly ChainPathStep[], spanOf: ChainSpanLookup): Bottleneck | null {
  const totals = new Map<string, Bottleneck>();
  const add = (key: string, make: () => Bottleneck, us: number) => {
    let t = totals.get(key);
    if (!t) totals.set(key, (t = make()));
    t.selfUs += us;
  };
  for (const step of path) {
    const us = step.endUs - step.startUs;
    if (us <= 0) continue;
    if (!('wait' in step)) {
      const span = spanOf(step.traceId, step.spanId);
      if (!span) continue;
      add(`s\u0000${span.service}\u0000${span.name}`, () => named('span', span), us);
      continue;
    }
    if (step.kind === 'intended') continue;
    const waiter = spanOf(step.toTraceId, step.toSpanId);
    const service = waiter?.service ?? '';
    const operation = waiter?.name ?? '';
    const destination = step.kind === 'queue' ? step.destination : undefined;
    add(
      `w\u0000${step.kind}\u0000${destination ?? ''}\u0000${service}\u0000${operation}`,
      () => {
        const b: Bottleneck = { kind: 'wait', service, operation, selfUs: 0, waitKind: step.kind === 'gap' ? 'gap' : 'queue' };
        if (destination !== undefined) b.destination = destination;
        if (waiter?.estimated) b.estimated = true;
        return b;
      },
      us,
    );
  }
  let best: Bottleneck | null = null;
  for (const t of totals.values()) if (!best || better(t, best)) best = t;
  return best;
}

function named(kind: 'span', span: Span & { estimated?: boolean }): Bottleneck {
  const b: Bottleneck = { kind, service: span.service, operation: span.name, selfUs: 0 };
  if (span.estimated) b.estimated = true;
  return b;
}

function better(a: Bottleneck, b: Bottleneck): boolean {
  if (a.selfUs !== b.selfUs) return a.selfUs > b.selfUs;
  if (a.kind !== b.kind) return a.kind === 'span';
  if (a.service !== b.service) return a.service < b.service;
  if (a.operation !== b.operation) return a.operation < b.operation;
  return (a.destination ?? '') < (b.destination ?? '');
}
