import type { Span } from '../model';
import { criticalPathOfTree } from './critical-path';
import { buildSpanTree, endUs, type SpanTree } from './span-tree';
import type { WaitKind } from './chain-waits';

/** A stretch of the chain's critical path during which a span itself (not one of its children) held the chain up. */
export interface ChainSpanStep {
  traceId: string;
  spanId: string;
  startUs: number;
  endUs: number;
}

/** A stretch of the chain's critical path during which no span held it up: the chain waited. */
export interface ChainWaitStep {
  wait: true;
  kind: WaitKind;
  startUs: number;
  endUs: number;
  /** The span the chain waited after (the producer, or the last span running before a gap). */
  fromTraceId: string;
  fromSpanId: string;
  /** The span that waited (the consumer, or the first span after a gap). */
  toTraceId: string;
  toSpanId: string;
  /** The messaging destination of a queue or intended wait, when the spans name one. */
  destination?: string;
}

export type ChainPathStep = ChainSpanStep | ChainWaitStep;

/** A join between traces, oriented cause → effect (producer → consumer, linked → linking span). */
export interface OrientedJoin {
  fromTraceId: string;
  fromSpanId: string;
  toTraceId: string;
  toSpanId: string;
}

/** The kind of the wait across a join (and the destination it names). */
export type JoinWaitClassifier = (join: OrientedJoin) => { kind: 'queue' | 'intended'; destination?: string };

interface Placed {
  traceId: string;
  span: Span;
  tree: SpanTree;
  /** The root of the span's tree (orphan subtrees are trees of their own). */
  top: Span;
  depth: number;
}

/** Placed spans by trace id, then span id (no joined string keys: a chain may hold 50,000 spans), and all of them. */
interface Placement {
  byTrace: Map<string, Map<string, Placed>>;
  all: Placed[];
}

const lookup = (placed: Placement, traceId: string, spanId: string) => placed.byTrace.get(traceId)?.get(spanId);

/**
 * The critical path of a whole business chain: from the chain's first start
 * to its last end, across every trace it depends on, each wait once.
 *
 * 1. Start at the span that ends last (the shallowest on a tie), at its end.
 * 2. Within its trace, take the critical path from the start of its tree to
 *    that span and point (critical-path.ts's walk on a copy of the tree whose
 *    ancestors of the span are held open to the point and whose other spans
 *    still running then are left out: they ran beside it).
 * 3. At the start of that tree, cross to what it depended on: the incoming
 *    join whose consuming span starts first (with a producer that began
 *    before): the time from the producer's end to here is a queue (or
 *    intended) wait, and the walk goes on from the producer. Without such a
 *    join, the span of another tree running then — or, failing that, the one
 *    that ended last before — continues the path; the time between is a gap.
 *    When the same message was delivered earlier (a consumer that crashed
 *    or failed, then a redelivery), the path goes to that earlier delivery
 *    instead: the time between is a queue (redelivery) wait, never an
 *    intended one, and the earlier delivery's own join carries the wait
 *    from the producer.
 * 4. Repeat until nothing started earlier. Each tree is walked once.
 *
 * Steps are in time order and contiguous: span steps plus waits add up to the
 * chain's end-to-end time. The per-trace walk is critical-path.ts's (clock
 * granularity rules included); crossing a trace costs O(its spans).
 */
export function chainCriticalPath(
  traces: ReadonlyMap<string, readonly Span[]>,
  joins: readonly OrientedJoin[],
  classify: JoinWaitClassifier = () => ({ kind: 'queue' }),
): ChainPathStep[] {
  const placed = placeSpans(traces);
  if (placed.all.length === 0) return [];
  const joinsInto = new Map<string, OrientedJoin[]>();
  const joinsFrom = new Map<string, OrientedJoin[]>();
  for (const j of joins) {
    let list = joinsInto.get(j.toTraceId);
    if (!list) joinsInto.set(j.toTraceId, (list = []));
    list.push(j);
    const from = `${j.fromTraceId}/${j.fromSpanId}`;
    let out = joinsFrom.get(from);
    if (!out) joinsFrom.set(from, (out = []));
    out.push(j);
  }

  const walked = new Set<Span>();
  let entry: Placed | undefined = latestEnding(placed, Infinity, walked);
  let point = entry ? endUs(entry.span) : 0;
  const backwards: ChainPathStep[] = [];
  for (let guard = 0; entry && guard <= placed.all.length; guard++) {
    const segments = pathTo(entry, point);
    for (let i = segments.length - 1; i >= 0; i--) backwards.push({ traceId: entry.traceId, ...segments[i] });
    walked.add(entry.top);
    const treeStart = segments.length ? segments[0].startUs : Math.min(point, entry.span.startUs);
    const waited: Placed = entry;

    const join = startingJoin(joinsInto.get(entry.traceId) ?? [], entry, treeStart, placed, walked);
    if (join) {
      const earlier = earlierDelivery(joinsFrom.get(`${join.join.fromTraceId}/${join.join.fromSpanId}`) ?? [], join, treeStart, placed, walked);
      if (earlier) {
        // The same message was delivered before and that delivery did not finish the job (a crash, a
        // failure): the time since is a redelivery wait, never the intended one; the earlier delivery's
        // own join to the producer carries the intended (or queue) wait.
        const end = Math.min(endUs(earlier.span), treeStart);
        if (end < treeStart) backwards.push(waitStep('queue', end, treeStart, earlier, join.effect, classify(join.join).destination));
        entry = earlier;
        point = end;
        continue;
      }
      const causeEnd = endUs(join.cause.span);
      if (causeEnd < treeStart) {
        const { kind, destination } = classify(join.join);
        backwards.push(waitStep(kind, causeEnd, treeStart, join.cause, join.effect, destination));
      }
      entry = join.cause;
      point = Math.min(causeEnd, treeStart);
      continue;
    }
    entry = latestEnding(placed, treeStart, walked);
    if (!entry) break;
    const end = endUs(entry.span);
    if (end < treeStart) backwards.push(waitStep('gap', end, treeStart, entry, topOf(waited, placed), undefined));
    point = Math.min(end, treeStart);
  }
  return contiguous(backwards.reverse());
}

function waitStep(kind: WaitKind, startUs: number, end: number, from: Placed, to: Placed, destination: string | undefined): ChainWaitStep {
  const step: ChainWaitStep = {
    wait: true,
    kind,
    startUs,
    endUs: end,
    fromTraceId: from.traceId,
    fromSpanId: from.span.spanId,
    toTraceId: to.traceId,
    toSpanId: to.span.spanId,
  };
  if (destination !== undefined) step.destination = destination;
  return step;
}

const topOf = (p: Placed, placed: Placement): Placed => lookup(placed, p.traceId, p.top.spanId) ?? p;

/** Every span reachable from a root of its trace, with its tree, root and depth. */
function placeSpans(traces: ReadonlyMap<string, readonly Span[]>): Placement {
  const placed: Placement = { byTrace: new Map(), all: [] };
  for (const [traceId, spans] of traces) {
    if (spans.length === 0) continue;
    const tree = buildSpanTree(spans);
    const roots = new Set(tree.roots);
    const inTrace = new Map<string, Placed>();
    placed.byTrace.set(traceId, inTrace);
    let top: Span | undefined;
    for (const span of tree.preorder) {
      if (roots.has(span)) top = span;
      const parent = roots.has(span) ? undefined : inTrace.get(span.parentSpanId);
      const p: Placed = { traceId, span, tree, top: top!, depth: parent ? parent.depth + 1 : 0 };
      inTrace.set(span.spanId, p);
      placed.all.push(p);
    }
  }
  return placed;
}

/**
 * The span (of a tree not walked yet, starting before `before`) whose end,
 * cut at `before`, is latest; then the shallowest, the earliest start, the smallest ids.
 */
function latestEnding(placed: Placement, before: number, walked: Set<Span>): Placed | undefined {
  let best: Placed | undefined;
  let bestEnd = -Infinity;
  for (const p of placed.all) {
    if ((p.span.startUs >= before && before !== Infinity) || walked.has(p.top)) continue;
    const end = Math.min(endUs(p.span), before);
    if (
      !best ||
      end > bestEnd ||
      (end === bestEnd &&
        (p.depth < best.depth ||
          (p.depth === best.depth &&
            (p.span.startUs < best.span.startUs ||
              (p.span.startUs === best.span.startUs &&
                (p.traceId < best.traceId || (p.traceId === best.traceId && p.span.spanId < best.span.spanId)))))))
    ) {
      best = p;
      bestEnd = end;
    }
  }
  return best;
}

/**
 * The join that started the tree just walked: of the joins into a span of
 * that tree whose producer is in a tree not walked yet and began before the
 * tree's start, the one whose consumer starts first (then the latest producer end).
 */
function startingJoin(
  candidates: readonly OrientedJoin[],
  walkedEntry: Placed,
  treeStart: number,
  placed: Placement,
  walked: Set<Span>,
): { join: OrientedJoin; cause: Placed; effect: Placed } | undefined {
  let best: { join: OrientedJoin; cause: Placed; effect: Placed } | undefined;
  for (const join of candidates) {
    const effect = lookup(placed, join.toTraceId, join.toSpanId);
    if (!effect || effect.top !== walkedEntry.top) continue;
    const cause = lookup(placed, join.fromTraceId, join.fromSpanId);
    if (!cause || cause.span.startUs >= treeStart || walked.has(cause.top)) continue;
    if (
      !best ||
      effect.span.startUs < best.effect.span.startUs ||
      (effect.span.startUs === best.effect.span.startUs && endUs(cause.span) > endUs(best.cause.span))
    ) {
      best = { join, cause, effect };
    }
  }
  return best;
}

/**
 * An earlier delivery of the message that started the tree just walked: the
 * consuming span, in a tree not walked yet, of another join from the same
 * producer span, starting after the producer began and before this tree; the
 * latest ending of them.
 */
function earlierDelivery(
  sameProducer: readonly OrientedJoin[],
  current: { effect: Placed; cause: Placed },
  treeStart: number,
  placed: Placement,
  walked: Set<Span>,
): Placed | undefined {
  let best: Placed | undefined;
  for (const j of sameProducer) {
    const effect = lookup(placed, j.toTraceId, j.toSpanId);
    if (!effect || effect.top === current.effect.top || walked.has(effect.top)) continue;
    if (effect.span.startUs >= treeStart || effect.span.startUs < current.cause.span.startUs) continue;
    if (!best || endUs(effect.span) > endUs(best.span)) best = effect;
  }
  return best;
}

/**
 * The critical path of `entry`'s tree from its start to `entry` at `point`
 * (≤ its end), in time order: critical-path.ts's walk over a copy of the
 * tree in which `entry` ends at `point`, its ancestors are held open until
 * then (they waited for it) and start no later than it, and their other
 * children still running at `point` are left out (they ran beside it).
 */
function pathTo(entry: Placed, point: number): Array<{ spanId: string; startUs: number; endUs: number }> {
  const onPath = new Map<string, { startUs: number; endUs: number }>();
  let start = Math.min(entry.span.startUs, point);
  onPath.set(entry.span.spanId, { startUs: start, endUs: point });
  for (let id = entry.span.parentSpanId; entry.span !== entry.top && id; ) {
    const ancestor = entry.tree.byId.get(id);
    if (!ancestor || onPath.has(id)) break;
    start = Math.min(ancestor.startUs, start);
    onPath.set(id, { startUs: start, endUs: point });
    if (ancestor === entry.top) break;
    id = ancestor.parentSpanId;
  }
  const copy: Span[] = [];
  const stack: Span[] = [entry.top];
  while (stack.length) {
    const span = stack.pop()!;
    const forced = onPath.get(span.spanId);
    if (forced) copy.push({ ...span, startUs: forced.startUs, durationUs: forced.endUs - forced.startUs });
    else if (onPath.has(span.parentSpanId) && span.parentSpanId !== entry.span.spanId && endUs(span) >= point) continue;
    else copy.push(span);
    for (const child of entry.tree.children.get(span.spanId) ?? []) stack.push(child);
  }
  const tree = buildSpanTree(copy);
  const root = tree.byId.get(entry.top.spanId)!;
  return criticalPathOfTree(tree, root);
}

/** Steps in time order made contiguous: an overlap is cut from the later step, a hole becomes a gap, empty steps go. */
function contiguous(steps: ChainPathStep[]): ChainPathStep[] {
  const out: ChainPathStep[] = [];
  let at = -Infinity;
  for (const step of steps) {
    const startUs = Math.max(step.startUs, at);
    if (step.endUs <= startUs) continue;
    const prev = out[out.length - 1];
    if (prev && startUs > at) {
      const after = 'wait' in step ? { traceId: step.toTraceId, spanId: step.toSpanId } : step;
      const before = 'wait' in prev ? { traceId: prev.toTraceId, spanId: prev.toSpanId } : prev;
      out.push({ wait: true, kind: 'gap', startUs: at, endUs: startUs, fromTraceId: before.traceId, fromSpanId: before.spanId, toTraceId: after.traceId, toSpanId: after.spanId });
    }
    if (prev && !('wait' in prev) && !('wait' in step) && prev.traceId === step.traceId && prev.spanId === step.spanId && prev.endUs === startUs) {
      prev.endUs = step.endUs;
    } else out.push({ ...step, startUs });
    at = step.endUs;
  }
  return out;
}
