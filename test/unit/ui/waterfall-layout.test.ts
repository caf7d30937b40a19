import {
  barPlacement,
  labelIndent,
  LABEL_WIDTH,
  MAX_INDENT_LEVELS,
  MIN_TRACK_WIDTH,
  OVERSCAN,
  ROW_HEIGHT,
  rowWindow,
  scrollTopFor,
  stripPlacement,
  TRACK_PADDING_RIGHT,
  trackWidthOf,
} from '../../../ui/src/views/waterfallLayout';

// 1 µs = 1 px, like a 1000 µs trace on a 1000 px track
const x = (us: number) => us;

describe('waterfall layout', () => {
  it('keeps only the rows in view plus the overscan in the DOM', () => {
    expect(rowWindow(0, 40, 480, 10_000)).toEqual({ first: 0, last: 480 / ROW_HEIGHT + OVERSCAN });
    // scrolled 100 rows below the header
    expect(rowWindow(40 + 100 * ROW_HEIGHT, 40, 480, 10_000)).toEqual({ first: 100 - OVERSCAN, last: 100 + 20 + OVERSCAN });
    expect(rowWindow(40 + 9_990 * ROW_HEIGHT, 40, 480, 10_000)).toEqual({ first: 9_990 - OVERSCAN, last: 10_000 });
    expect(rowWindow(0, 40, 480, 0)).toEqual({ first: 0, last: 0 });
  });

  it('sizes the track and indents labels up to a limit', () => {
    expect(trackWidthOf(1200)).toBe(1200 - LABEL_WIDTH - TRACK_PADDING_RIGHT);
    expect(trackWidthOf(100)).toBe(MIN_TRACK_WIDTH);
    expect(labelIndent(0)).toBe(6);
    expect(labelIndent(3)).toBe(6 + 3 * 14);
    expect(labelIndent(500)).toBe(labelIndent(MAX_INDENT_LEVELS));
  });

  it('places a bar from the trace start, at least 1 px wide, its duration right of it or, near the end, left of it', () => {
    expect(barPlacement(x, { startUs: 1_100, durationUs: 200 }, 1_000, 1_000)).toEqual({ left: 100, width: 200, duration: { onLeft: false, left: 304, right: null } });
    expect(barPlacement(x, { startUs: 1_000, durationUs: -5 }, 1_000, 1_000).width).toBe(1);
    expect(barPlacement(x, { startUs: 1_700, durationUs: 200 }, 1_000, 1_000)).toEqual({
      left: 700,
      width: 200,
      duration: { onLeft: true, left: null, right: 1_000 + TRACK_PADDING_RIGHT - 700 + 4 },
    });
  });

  it('places critical-path strips and scrolls a row to a third of the view', () => {
    expect(stripPlacement(x, { startUs: 1_050, endUs: 1_050 }, 1_000)).toEqual({ left: 50, width: 1 });
    expect(stripPlacement(x, { startUs: 1_050, endUs: 1_090 }, 1_000)).toEqual({ left: 50, width: 40 });
    expect(scrollTopFor(100, 600)).toBe(100 * ROW_HEIGHT - 200);
    expect(scrollTopFor(2, 600)).toBe(0);
  });
});
