import type { Chain, ChainJoin, ChainPathStep, ChainSpanStep, ChainWait, ChainWaitStep } from '../api';
import { spanKey, type ChainLayout, type Lane, type LayoutOptions, type PlacedSpan } from './chainLayout';

/**
 * Pure geometry of the chain timeline (no DOM, no D3): the frame, the vertical
 * position of every mark, and the horizontal extent of a mark for a given
 * time scale. chainTimelineLayers.ts draws what this computes.
 */

export const LABEL_W = 250;
export const STAGE_H = 22;
export const AXIS_H = 24;
export const CP_H = 16;
export const TOP = STAGE_H + AXIS_H + CP_H + 6;
export const ROW_PITCH = 12;
export const BAR_H = 9;
export const LANE_PAD = 6;
export const RIGHT = 24;
export const MIN_WIDTH = 640;
export const MAX_ZOOM = 50_000;

/** Chains with more lanes than this start compact (deep nesting shares the last sub-row); the toolbar expands them. */
export const COMPACT_ABOVE_LANES = 8;

export function startsExpanded(chain: Pick<Chain, 'spans'>): boolean {
  return new Set(chain.spans.map((s) => s.traceId)).size <= COMPACT_ABOVE_LANES;
}

/** Lane packing: expanded lanes give nesting up to 12 sub-rows, compact ones 4. */
export function laneOptions(expanded: boolean): LayoutOptions {
  return { rowPitch: ROW_PITCH, lanePadding: LANE_PAD, minLaneHeight: 40, maxRows: expanded ? 12 : 4 };
}

/** Microseconds → plot x (pixels from the left edge of the plot area). */
export type TimeScale = (us: number) => number;

export interface TimelineFrame {
  width: number;
  /** Width of the plot area right of the lane labels. */
  innerW: number;
  height: number;
  /** The time span shown unzoomed: the chain with 2 % of air either side. */
  domain: [number, number];
}

export function timelineFrame(chain: Pick<Chain, 'startUs' | 'endUs'>, layout: Pick<ChainLayout, 'height'>, containerWidth: number): TimelineFrame {
  const width = Math.max(MIN_WIDTH, containerWidth);
  const end = Math.max(chain.endUs, chain.startUs + 1);
  const pad = (end - chain.startUs) * 0.02;
  return { width, innerW: width - LABEL_W - RIGHT, height: TOP + layout.height + 8, domain: [chain.startUs - pad, end + pad] };
}

export const isWaitStep = (step: ChainPathStep): step is ChainWaitStep => 'wait' in step && step.wait === true;

/** Keys (spanKey) of the spans that own part of the chain's critical path. */
export function criticalSpanKeys(path: readonly ChainPathStep[] | undefined): Set<string> {
  const keys = new Set<string>();
  for (const step of path ?? []) if (!isWaitStep(step) && step.traceId && step.spanId) keys.add(spanKey(step.traceId, step.spanId));
  return keys;
}

/** Top of a placed span's bar, relative to the first lane. */
export function barTop(layout: Pick<ChainLayout, 'lanes'>, p: PlacedSpan): number {
  return layout.lanes[p.lane].y + LANE_PAD + p.row * ROW_PITCH;
}

/** A horizontal stretch [startUs, endUs] under `x`, never narrower than `minWidth` so short things stay visible. */
export function stretch(x: TimeScale, startUs: number, endUs: number, minWidth: number): { x: number; width: number } {
  const left = x(startUs);
  return { x: left, width: Math.max(minWidth, x(endUs) - left) };
}

export interface WaitBox {
  wait: ChainWait;
  /** Shaded in the lane of the trace that waited. */
  y: number;
  height: number;
  labelY: number;
}

/** Waits with a length whose waiting trace has a lane. */
export function waitBoxes(waits: readonly ChainWait[] | undefined, layout: Pick<ChainLayout, 'laneByTrace'>): WaitBox[] {
  const out: WaitBox[] = [];
  for (const wait of waits ?? []) {
    const lane = layout.laneByTrace.get(wait.toTraceId);
    if (!lane || !(wait.endUs > wait.startUs)) continue;
    out.push({ wait, y: lane.y + 3, height: lane.height - 6, labelY: lane.y + lane.height / 2 + 4 });
  }
  return out;
}

/** A wait's label is shown only where its box is wide enough to hold it. */
export const WAIT_LABEL_MIN_PX = 90;

export interface CriticalSegment {
  step: ChainSpanStep;
  /** Centre line through the bar of the span that owned the stretch. */
  y: number;
}

/** The critical path drawn over the bars: span stretches whose span is on the timeline. */
export function criticalSegments(path: readonly ChainPathStep[] | undefined, layout: Pick<ChainLayout, 'byKey' | 'lanes'>): CriticalSegment[] {
  const out: CriticalSegment[] = [];
  for (const step of path ?? []) {
    if (isWaitStep(step)) continue;
    const p = layout.byKey.get(spanKey(step.traceId, step.spanId));
    if (p) out.push({ step, y: barTop(layout, p) + BAR_H / 2 - 1.5 });
  }
  return out;
}

export interface JoinEnd {
  y: number;
  /** Time the arrow leaves (upstream: the span's end) or reaches (downstream: the span's start); the trace's start when the span is not on the timeline. */
  timeUs: number;
}

export interface JoinCurve {
  join: ChainJoin;
  from: JoinEnd;
  to: JoinEnd;
}

function joinEnd(layout: Pick<ChainLayout, 'byKey' | 'lanes'>, lane: Lane, traceId: string, spanId: string, side: 'from' | 'to'): JoinEnd {
  const p = layout.byKey.get(spanKey(traceId, spanId));
  if (!p) return { y: lane.y + LANE_PAD + BAR_H / 2, timeUs: lane.trace.startUs };
  return { y: barTop(layout, p) + BAR_H / 2, timeUs: side === 'from' ? p.span.startUs + p.span.durationUs : p.span.startUs };
}

/** Joins between two traces that both have a lane, with their ends. */
export function joinCurves(joins: readonly ChainJoin[] | undefined, layout: Pick<ChainLayout, 'byKey' | 'lanes' | 'laneByTrace'>): JoinCurve[] {
  const out: JoinCurve[] = [];
  for (const join of joins ?? []) {
    const fromLane = layout.laneByTrace.get(join.fromTraceId);
    const toLane = layout.laneByTrace.get(join.toTraceId);
    if (!fromLane || !toLane) continue;
    out.push({ join, from: joinEnd(layout, fromLane, join.fromTraceId, join.fromSpanId, 'from'), to: joinEnd(layout, toLane, join.toTraceId, join.toSpanId, 'to') });
  }
  return out;
}

/** SVG path of a join arrow: a horizontal S-curve from one end to the other. */
export function joinPath(x: TimeScale, curve: JoinCurve): string {
  const x1 = x(curve.from.timeUs);
  const x2 = x(curve.to.timeUs);
  const dx = Math.max(24, Math.abs(x2 - x1) / 2);
  return `M${x1},${curve.from.y} C${x1 + dx},${curve.from.y} ${x2 - dx},${curve.to.y} ${x2},${curve.to.y}`;
}

/**
 * The zoom (scale k, then translation tx, in SVG coordinates where the plot
 * starts at LABEL_W) that makes one trace fill the plot with 5 % of air either
 * side. `x0` is the unzoomed SVG-coordinate scale over `domain`.
 */
export function zoomToTrace(x0: (us: number) => number, domain: [number, number], trace: { startUs: number; durationUs: number }): { k: number; tx: number } {
  const margin = Math.max(trace.durationUs * 0.05, 1);
  const a = trace.startUs - margin;
  const b = trace.startUs + Math.max(trace.durationUs, 1) + margin;
  const k = Math.max(1, Math.min(MAX_ZOOM, (x0(domain[1]) - x0(domain[0])) / (x0(b) - x0(a))));
  // translate(tx).scale(k) maps x0(v) to k·x0(v) + tx; the trace's start must land on LABEL_W.
  return { k, tx: LABEL_W - k * x0(a) };
}

/** A trace's stage, unless it only repeats the root's service and name (the default stage naming). */
export function stageLabel(t: { stage?: string; rootService: string; rootName: string }): string {
  if (!t.stage) return '';
  return t.stage === `${t.rootService}: ${t.rootName}` || t.stage === t.rootName ? '' : t.stage;
}

/** Axis tick text: time since the chain's start. */
export function offsetText(us: number, formatDuration: (us: number) => string): string {
  return us < 0 ? `−${formatDuration(-us)}` : `+${formatDuration(us)}`;
}
