import type { Span } from '../model';

/**
 * How coarse span timestamps can be, and which apparent overlaps that explains.
 *
 * Many tracers stamp a span's start in whole milliseconds and measure its
 * duration with a finer clock: OTel JS takes the start from Date.now() and the
 * end from performance.now(), many Java and proxy tracers do the same. Each
 * start is then up to 1 ms earlier than the real one, independently per span,
 * so a call made right after another seems to start up to 1 ms before the
 * first one ended, and a callee can seem to end up to 1 ms after its caller.
 * Treating such stamps as exact makes sequential work look parallel; the
 * rules here say how much of a violation is stamping noise.
 *
 * The granularity is read from the stamps themselves: a start that is a whole
 * millisecond is taken as millisecond-stamped (a µs-precise clock lands on a
 * whole millisecond once in a thousand spans, and then the tolerance is only
 * 1 ms), any other start as exact.
 */

export const MILLISECOND_US = 1000;

/**
 * Coarser clocks than 1 ms exist (old Windows timers tick every 15.6 ms); an
 * overlap this small a share of the shorter span is taken as noise too.
 */
export const SEQUENTIAL_OVERLAP_FRACTION = 0.02;

/** The start-stamp granularity shared by two spans: 1 ms when both starts are whole milliseconds, else 0 (exact). */
export function startGranularityUs(a: Span, b: Span): number {
  return isWholeMillisecond(a.startUs) && isWholeMillisecond(b.startUs) ? MILLISECOND_US : 0;
}

/**
 * How far `earlier` (a span of `earlierUs`) may run past the start of
 * `later` (a span of `laterUs`) and still count as finished before `later`
 * started: the stamps' granularity, or a small fraction of the shorter span,
 * whichever is larger. Durations are passed separately so callers can use
 * times already clipped to a parent.
 */
export function sequentialOverlapToleranceUs(earlier: Span, earlierUs: number, later: Span, laterUs: number): number {
  return Math.max(startGranularityUs(earlier, later), SEQUENTIAL_OVERLAP_FRACTION * Math.max(0, Math.min(earlierUs, laterUs)));
}

/** An upper bound of sequentialOverlapToleranceUs(span, spanUs, any other span, any duration). */
export function widestOverlapToleranceUs(spanUs: number): number {
  return Math.max(MILLISECOND_US, SEQUENTIAL_OVERLAP_FRACTION * Math.max(0, spanUs));
}

function isWholeMillisecond(us: number): boolean {
  return us % MILLISECOND_US === 0;
}
