/**
 * Pure geometry of the trace waterfall (no DOM, no D3): row height and the
 * rows in view, the track's width, label indents, where a bar, its duration
 * label and its critical-path strips sit. waterfall.ts draws it.
 */

export const ROW_HEIGHT = 24;
/** Rows drawn above and below the viewport so fast scrolling does not show gaps. */
export const OVERSCAN = 20;
export const LABEL_WIDTH = 340;
const INDENT = 14;
export const MAX_INDENT_LEVELS = 24;
export const TRACK_PADDING_RIGHT = 16;
export const MIN_TRACK_WIDTH = 120;

/** Rows [first, last) to put in the DOM: those in the viewport below the header, plus `overscan` (OVERSCAN) each side. */
export function rowWindow(scrollTop: number, headerHeight: number, viewportHeight: number, rowCount: number, overscan = OVERSCAN): { first: number; last: number } {
  const viewTop = Math.max(0, scrollTop - headerHeight);
  const first = Math.max(0, Math.floor(viewTop / ROW_HEIGHT) - overscan);
  const last = Math.min(rowCount, Math.ceil((viewTop + viewportHeight) / ROW_HEIGHT) + overscan);
  return { first, last };
}

/** The track's width in a scroller `clientWidth` px wide. */
export function trackWidthOf(clientWidth: number): number {
  return Math.max(MIN_TRACK_WIDTH, clientWidth - LABEL_WIDTH - TRACK_PADDING_RIGHT);
}

/** Left padding of a label at `depth`; deeper than MAX_INDENT_LEVELS is drawn at that level. */
export function labelIndent(depth: number): number {
  return 6 + Math.min(depth, MAX_INDENT_LEVELS) * INDENT;
}

export interface BarPlacement {
  left: number;
  width: number;
  /** The duration label: right of the bar, or left of it when the bar ends in the last fifth of the track. */
  duration: { onLeft: boolean; left: number | null; right: number | null };
}

/** A span's bar on a track `trackWidth` px wide, `x` mapping µs from the trace start to px; at least 1 px wide. */
export function barPlacement(x: (us: number) => number, span: { startUs: number; durationUs: number }, traceStartUs: number, trackWidth: number): BarPlacement {
  const offset = span.startUs - traceStartUs;
  const left = x(offset);
  const width = Math.max(1, x(offset + Math.max(0, span.durationUs)) - left);
  const onLeft = left + width > trackWidth * 0.8;
  return {
    left,
    width,
    duration: { onLeft, left: onLeft ? null : left + width + 4, right: onLeft ? trackWidth + TRACK_PADDING_RIGHT - left + 4 : null },
  };
}

/** A critical-path strip of a bar; at least 1 px wide. */
export function stripPlacement(x: (us: number) => number, seg: { startUs: number; endUs: number }, traceStartUs: number): { left: number; width: number } {
  const left = x(seg.startUs - traceStartUs);
  return { left, width: Math.max(1, x(seg.endUs - traceStartUs) - left) };
}

/** The scrollTop that shows row `pos` a third of the way down the viewport. */
export function scrollTopFor(pos: number, viewportHeight: number): number {
  return Math.max(0, pos * ROW_HEIGHT - viewportHeight / 3);
}
