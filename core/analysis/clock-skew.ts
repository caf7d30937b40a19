import type { AttributeValue, Span } from '../model';
import { startGranularityUs } from './clock-granularity';
import { buildSpanTree, endUs } from './span-tree';

export interface ClockSkewOptions {
  /** Corrections larger than this (absolute, µs) are not applied and produce a warning. Default: no limit. */
  maxDeltaUs?: number;
}

export interface SkewFlag {
  /** Added to startUs (and to event times); 0 when the span was left alone. */
  skewCorrectedByUs: number;
}

export interface ClockSkewResult {
  /** The input spans in input order; a corrected span is a new object, an unchanged one is the input object. */
  spans: Span[];
  /** One entry per span id. */
  flags: Map<string, SkewFlag>;
  /** Number of spans whose times were shifted. */
  correctedCount: number;
  warnings: string[];
}

/**
 * Detects and corrects clock skew between processes, after Jaeger's ClockSkew
 * adjuster (model/adjuster/clockskew.go).
 *
 * Walking each tree from its root, every span gets a delta:
 * - a root keeps its clock (delta 0);
 * - a span on the same clock as its parent inherits the parent's delta, so a
 *   corrected server span moves together with its local subtree. Two spans
 *   share a clock when they run on the same host (`host.id`, else
 *   `host.name`, `host.ip`, `ip`), else in the same process
 *   (`service.instance.id`), else, with no evidence either way, when they
 *   belong to the same service. As in Jaeger, a child is never adjusted
 *   against a parent on the same host: whatever it seems to violate there is
 *   stamping noise or real asynchrony, not skew;
 * - a span on another clock that is the server side of a synchronous call
 *   (its parent is a client span, or it is a server span under a span that is
 *   not messaging) is fitted into its already-corrected parent:
 *     - if it sticks out of the parent by no more than clock granularity
 *       (1 ms when both starts are whole milliseconds, see
 *       clock-granularity.ts), it is left alone: rounded stamps, not skew;
 *     - if it is not longer than the parent and sticks out of it, it is
 *       centred, i.e. the parent's extra time is split evenly into request and
 *       response latency (delta = parent.start + (parent.dur - child.dur) / 2 - child.start);
 *     - if it is longer than the parent (it cannot fit), starts are aligned
 *       when it starts before the parent (as Jaeger does) or at/after the
 *       parent's end (a synchronous callee cannot start after its caller ended);
 *     - if it already fits, delta 0;
 * - any other span on another clock (e.g. a consumer of a message, which may
 *   legitimately run after the producer) keeps its own clock: delta 0.
 *
 * Never mutates the input and never drops a span.
 */
export function adjustClockSkew(spans: readonly Span[], options: ClockSkewOptions = {}): ClockSkewResult {
  const maxDeltaUs = options.maxDeltaUs ?? Infinity;
  const tree = buildSpanTree(spans);
  const delta = new Map<string, number>();
  let tooLarge = 0;
  let largestRefusedUs = 0;

  for (const span of tree.preorder) {
    const parent = span.parentSpanId && span.parentSpanId !== span.spanId ? tree.byId.get(span.parentSpanId) : undefined;
    if (!parent) {
      delta.set(span.spanId, 0);
      continue;
    }
    const parentDelta = delta.get(parent.spanId) ?? 0;
    if (!onDifferentClocks(span, parent)) {
      delta.set(span.spanId, parentDelta);
      continue;
    }
    if (!isSynchronousCall(parent, span)) {
      delta.set(span.spanId, 0);
      continue;
    }
    const parentStartUs = parent.startUs + parentDelta;
    if (fitsWithin(span, parentStartUs, parent.durationUs, startGranularityUs(span, parent))) {
      delta.set(span.spanId, 0);
      continue;
    }
    let d = skewAgainst(span, parentStartUs, parent.durationUs);
    if (Math.abs(d) > maxDeltaUs) {
      tooLarge++;
      largestRefusedUs = Math.max(largestRefusedUs, Math.abs(d));
      d = 0;
    }
    delta.set(span.spanId, d);
  }

  const flags = new Map<string, SkewFlag>();
  for (const id of tree.byId.keys()) flags.set(id, { skewCorrectedByUs: delta.get(id) ?? 0 });
  let correctedCount = 0;
  for (const f of flags.values()) if (f.skewCorrectedByUs !== 0) correctedCount++;

  const out = spans.map((s) => {
    const d = delta.get(s.spanId) ?? 0;
    return d === 0 ? s : shift(s, d);
  });

  const warnings: string[] = [];
  if (correctedCount) warnings.push(`${correctedCount} ${correctedCount === 1 ? 'span' : 'spans'} corrected for clock skew`);
  if (tooLarge) {
    warnings.push(
      `${tooLarge} clock skew ${tooLarge === 1 ? 'correction' : 'corrections'} larger than the maximum of ${maxDeltaUs} µs not applied (largest ${largestRefusedUs} µs)`,
    );
  }
  return { spans: out, flags, correctedCount, warnings };
}

/** The delta that fits `child` (raw times) into a parent at [parentStartUs, parentStartUs + parentDurationUs]. */
export function skewAgainst(child: Span, parentStartUs: number, parentDurationUs: number): number {
  const parentDuration = Math.max(0, parentDurationUs);
  const childDuration = Math.max(0, child.durationUs);
  const parentEndUs = parentStartUs + parentDuration;
  if (parentDuration < childDuration) {
    return child.startUs < parentStartUs || child.startUs >= parentEndUs ? parentStartUs - child.startUs : 0;
  }
  if (child.startUs >= parentStartUs && endUs(child) <= parentEndUs) return 0;
  const latency = Math.floor((parentDuration - childDuration) / 2);
  return parentStartUs + latency - child.startUs;
}

function isSynchronousCall(parent: Span, child: Span): boolean {
  if (parent.kind === 'client') return true;
  return child.kind === 'server' && parent.kind !== 'producer' && parent.kind !== 'consumer';
}

/** Whether `child` (raw times) lies inside [parentStartUs, parentStartUs + parentDurationUs] give or take `toleranceUs`. */
function fitsWithin(child: Span, parentStartUs: number, parentDurationUs: number, toleranceUs: number): boolean {
  return child.startUs >= parentStartUs - toleranceUs && endUs(child) <= parentStartUs + Math.max(0, parentDurationUs) + toleranceUs;
}

/** Whether two spans may carry different clocks: the first identity both resources carry decides. */
function onDifferentClocks(a: Span, b: Span): boolean {
  for (const key of CLOCK_IDENTITY_KEYS) {
    const idA = firstScalar(a.resource?.[key]);
    const idB = firstScalar(b.resource?.[key]);
    if (idA !== '' && idB !== '') return idA !== idB;
  }
  return a.service !== b.service;
}

/** Host identities first (one host, one clock), then the process: one process cannot run on two hosts. */
const CLOCK_IDENTITY_KEYS = ['host.id', 'host.name', 'host.ip', 'ip', 'service.instance.id'];

function firstScalar(v: AttributeValue | undefined): string {
  if (Array.isArray(v)) return v.length ? firstScalar(v[0]) : '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return '';
}

function shift(span: Span, d: number): Span {
  return {
    ...span,
    startUs: span.startUs + d,
    events: span.events.map((e) => ({ ...e, timeUs: e.timeUs + d })),
  };
}
