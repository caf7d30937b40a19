import type { SpanEvent } from '../../../core/wire';
import type { TreeNode } from '../traceTree';

/**
 * Pure geometry of the trace view's zoom (no DOM, no D3): the visible time
 * window and its bounds, the scale of a zoomed track, where event markers sit
 * on a bar, the minimap's rectangles, and the conversion between a brush in
 * pixels and a time window. waterfall.ts and traceMinimap.ts draw it; the
 * row geometry is waterfallLayout.ts's.
 */

/** Offsets in µs from the trace start. */
export interface TimeWindow {
  startUs: number;
  endUs: number;
}

/**
 * A window kept inside [0, duration] and at least `minWidthUs` wide (a brush
 * smaller than that would divide by almost nothing); the whole trace when
 * the window is not usable.
 */
export function clampWindow(w: TimeWindow, durationUs: number, minWidthUs = minWindowUs(durationUs)): TimeWindow {
  const whole = { startUs: 0, endUs: durationUs };
  if (!Number.isFinite(w.startUs) || !Number.isFinite(w.endUs)) return whole;
  let startUs = Math.max(0, Math.min(w.startUs, w.endUs));
  let endUs = Math.min(durationUs, Math.max(w.startUs, w.endUs));
  if (endUs - startUs < minWidthUs) {
    const mid = (startUs + endUs) / 2;
    startUs = Math.max(0, mid - minWidthUs / 2);
    endUs = Math.min(durationUs, startUs + minWidthUs);
    startUs = Math.max(0, endUs - minWidthUs);
  }
  return { startUs, endUs };
}

/** The narrowest window: 1 µs, or a 100,000th of the trace. */
export const minWindowUs = (durationUs: number) => Math.min(durationUs, Math.max(1, durationUs / 100_000));

export const isWholeTrace = (w: TimeWindow, durationUs: number) => w.startUs <= 0 && w.endUs >= durationUs;

/** Pixels of a time offset in a track `width` px wide showing `w`. */
export function xOf(offsetUs: number, w: TimeWindow, width: number): number {
  const span = Math.max(1e-9, w.endUs - w.startUs);
  return ((offsetUs - w.startUs) / span) * width;
}

/** Bars and strips reaching this far past a track's edge are cut there (overflow hides the rest); a 100,000× zoom must not make 10⁸-px bars. */
const EDGE_SLACK_PX = 8;

/** µs from the trace start → px on a track `width` px wide showing `w`, clamped just outside the track's edges. */
export function trackScale(w: TimeWindow, width: number): (offsetUs: number) => number {
  return (offsetUs) => Math.min(width + EDGE_SLACK_PX, Math.max(-EDGE_SLACK_PX, xOf(offsetUs, w, width)));
}

export type EventKind = 'exception' | 'event';

export interface EventMarker {
  /** Index of the event in the span's event list (as the server sent it). */
  index: number;
  x: number;
  kind: EventKind;
  name: string;
}

/** Markers drawn on one bar at most; a span with more events lists them all in its panel. */
export const MAX_EVENT_MARKERS = 50;

/** OTel's semantic convention names exceptions `exception`; an event carrying exception.* attributes counts too. */
export function eventKind(e: SpanEvent): EventKind {
  if (e.name === 'exception') return 'exception';
  for (const key of Object.keys(e.attributes ?? {})) if (key.startsWith('exception.')) return 'exception';
  return 'event';
}

/** Where a span's events sit on its row, those inside the window only, exceptions kept first when over MAX_EVENT_MARKERS. */
export function eventMarkers(events: readonly SpanEvent[] | undefined, traceStartUs: number, w: TimeWindow, width: number): EventMarker[] {
  if (!events?.length) return [];
  const all: EventMarker[] = [];
  events.forEach((e, index) => {
    const x = xOf(e.timeUs - traceStartUs, w, width);
    if (x >= 0 && x <= width) all.push({ index, x, kind: eventKind(e), name: e.name });
  });
  if (all.length <= MAX_EVENT_MARKERS) return all;
  const exceptions = all.filter((m) => m.kind === 'exception');
  const others = all.filter((m) => m.kind !== 'exception');
  return [...exceptions, ...others].slice(0, MAX_EVENT_MARKERS).sort((a, b) => a.index - b.index);
}

export interface MinimapRect {
  x: number;
  y: number;
  width: number;
  error: boolean;
  service: string;
}

/**
 * The whole trace in `width` × `height` px: one thin rectangle per span at
 * its row's height (rows squeezed to fit), so a 100,000-span trace is
 * 100,000 fillRects on a canvas. `rowHeight` is the height of one row in the map.
 */
export function minimapRects(order: readonly TreeNode[], traceStartUs: number, durationUs: number, width: number, height: number): { rects: MinimapRect[]; rowHeight: number } {
  const n = order.length;
  const rowHeight = n ? height / n : 0;
  const whole = { startUs: 0, endUs: Math.max(1, durationUs) };
  const rects: MinimapRect[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = order[i].span;
    const x = Math.max(0, xOf(s.startUs - traceStartUs, whole, width));
    const w = Math.max(1, xOf(s.startUs - traceStartUs + Math.max(0, s.durationUs), whole, width) - x);
    rects[i] = { x, y: i * rowHeight, width: w, error: s.status?.code === 'error', service: s.service };
  }
  return { rects, rowHeight };
}

/** A brush selection [x0, x1] in px over a map `width` px wide as a window of the trace. */
export function brushToWindow(selection: readonly [number, number], width: number, durationUs: number): TimeWindow {
  const scale = durationUs / Math.max(1, width);
  return clampWindow({ startUs: selection[0] * scale, endUs: selection[1] * scale }, durationUs);
}

/** The brush over a map `width` px wide that shows `w`; null for the whole trace (no brush). */
export function windowToBrush(w: TimeWindow, width: number, durationUs: number): [number, number] | null {
  if (isWholeTrace(w, durationUs)) return null;
  const scale = width / Math.max(1, durationUs);
  return [w.startUs * scale, w.endUs * scale];
}
