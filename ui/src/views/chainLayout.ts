import type { Chain, ChainSpan, ChainTrace } from '../api';

/** Pure layout of a chain's timeline: one lane per trace, spans packed into sub-rows inside it. */

export interface PlacedSpan {
  span: ChainSpan;
  lane: number;
  /** Sub-row inside the lane; a child always sits below its parent when there is room. */
  row: number;
}

export interface Lane {
  index: number;
  trace: ChainTrace;
  spans: PlacedSpan[];
  rows: number;
  /** Top of the lane, relative to the first lane. */
  y: number;
  height: number;
}

export interface ChainLayout {
  lanes: Lane[];
  byKey: Map<string, PlacedSpan>;
  laneByTrace: Map<string, Lane>;
  height: number;
}

export interface LayoutOptions {
  rowPitch: number;
  lanePadding: number;
  minLaneHeight: number;
  /** Deeper nesting shares the last row rather than making a lane arbitrarily tall. */
  maxRows: number;
}

export const spanKey = (traceId: string, spanId: string): string => `${traceId}:${spanId}`;

/** A summary for spans whose trace is not in `chain.traces` (the API should not send those, but a lane is better than a lost span). */
function summarise(traceId: string, spans: ChainSpan[]): ChainTrace {
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) ?? spans[0];
  const start = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  return {
    traceId,
    rootService: root?.service ?? '',
    rootName: root?.name ?? '',
    startUs: start,
    durationUs: end - start,
    spanCount: spans.length,
    errorCount: spans.filter((s) => s.status?.code === 'error').length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    stage: '',
  };
}

export function layoutChain(chain: Pick<Chain, 'traces' | 'spans'>, opts: LayoutOptions): ChainLayout {
  const spansByTrace = new Map<string, ChainSpan[]>();
  for (const s of chain.spans) {
    const list = spansByTrace.get(s.traceId);
    if (list) list.push(s);
    else spansByTrace.set(s.traceId, [s]);
  }
  const traces = [...chain.traces];
  const known = new Set(traces.map((t) => t.traceId));
  for (const [traceId, spans] of spansByTrace) if (!known.has(traceId)) traces.push(summarise(traceId, spans));
  traces.sort((a, b) => a.startUs - b.startUs || a.traceId.localeCompare(b.traceId));

  const byKey = new Map<string, PlacedSpan>();
  const laneByTrace = new Map<string, Lane>();
  const lanes: Lane[] = [];
  let y = 0;
  traces.forEach((trace, index) => {
    const placed = packLane(spansByTrace.get(trace.traceId) ?? [], index, opts.maxRows);
    const rows = placed.reduce((m, p) => Math.max(m, p.row + 1), 1);
    const height = Math.max(opts.minLaneHeight, rows * opts.rowPitch + 2 * opts.lanePadding);
    const lane: Lane = { index, trace, spans: placed, rows, y, height };
    y += height;
    lanes.push(lane);
    laneByTrace.set(trace.traceId, lane);
    for (const p of placed) byKey.set(spanKey(p.span.traceId, p.span.spanId), p);
  });
  return { lanes, byKey, laneByTrace, height: y };
}

/**
 * Greedy interval packing in start order: a span takes the first row below its
 * parent's whose last span has ended. O(spans × rows).
 */
function packLane(spans: ChainSpan[], lane: number, maxRows: number): PlacedSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const depth = new Map<string, number>();
  const parentOf = new Map(spans.map((s) => [s.spanId, s.parentSpanId] as const));
  const depthOf = (id: string): number => {
    const path: string[] = [];
    const onPath = new Set<string>();
    let cur: string | undefined = id;
    let base = -1;
    // Walk up until a root, a span of known depth, or a cycle (bad data), then fill in downwards.
    while (cur !== undefined) {
      const known = depth.get(cur);
      if (known !== undefined) {
        base = known;
        break;
      }
      if (onPath.has(cur)) break;
      path.push(cur);
      onPath.add(cur);
      const p = parentOf.get(cur);
      cur = p && ids.has(p) ? p : undefined;
    }
    for (let i = path.length - 1; i >= 0; i--) depth.set(path[i], ++base);
    return depth.get(id)!;
  };
  const ordered = [...spans].sort((a, b) => a.startUs - b.startUs || depthOf(a.spanId) - depthOf(b.spanId) || b.durationUs - a.durationUs);
  const rowEnds: number[] = [];
  const rowOf = new Map<string, number>();
  const out: PlacedSpan[] = [];
  for (const span of ordered) {
    const parentRow = span.parentSpanId && ids.has(span.parentSpanId) ? rowOf.get(span.parentSpanId) : undefined;
    const minRow = parentRow === undefined ? 0 : Math.min(parentRow + 1, maxRows - 1);
    let row = -1;
    for (let r = minRow; r < maxRows; r++) {
      if (r >= rowEnds.length || rowEnds[r] <= span.startUs) {
        row = r;
        break;
      }
    }
    if (row < 0) {
      // Lane is full: overlap in the row that frees up first.
      row = minRow;
      for (let r = minRow; r < rowEnds.length; r++) if (rowEnds[r] < rowEnds[row]) row = r;
    }
    const end = span.startUs + Math.max(0, span.durationUs);
    rowEnds[row] = Math.max(rowEnds[row] ?? -Infinity, end);
    rowOf.set(span.spanId, row);
    out.push({ span, lane, row });
  }
  return out;
}
