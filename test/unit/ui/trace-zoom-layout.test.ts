import type { Span } from '../../../ui/src/api';
import { buildTree } from '../../../ui/src/traceTree';
import {
  brushToWindow,
  clampWindow,
  eventKind,
  eventMarkers,
  isWholeTrace,
  MAX_EVENT_MARKERS,
  minimapRects,
  trackScale,
  windowToBrush,
  xOf,
} from '../../../ui/src/views/traceZoomLayout';
import { barPlacement } from '../../../ui/src/views/waterfallLayout';

const span = (spanId: string, parentSpanId: string, startUs: number, durationUs: number, error = false): Span => ({
  traceId: 't'.repeat(32),
  spanId,
  parentSpanId,
  service: `svc-${spanId}`,
  name: spanId,
  kind: 'internal',
  startUs,
  durationUs,
  status: { code: error ? 'error' : 'unset', message: '' },
  attributes: {},
  resource: {},
  events: [],
  links: [],
  scope: { name: '', version: '' },
  criticalPath: false,
  skewAdjustedUs: 0,
});

describe('trace zoom layout', () => {
  it('maps offsets into a zoomed track and clamps just outside its edges', () => {
    const w = { startUs: 250, endUs: 500 };
    expect(xOf(250, w, 1000)).toBe(0);
    expect(xOf(375, w, 1000)).toBe(500);
    const x = trackScale(w, 1000);
    expect(x(300)).toBe(200);
    expect(x(0)).toBe(-8);
    expect(x(1_000_000)).toBe(1008);
    // a bar running across the window is cut to the track; one before it is a sliver off the left edge
    expect(barPlacement(x, { startUs: 1_000, durationUs: 1_000 }, 1_000, 1000)).toMatchObject({ left: -8, width: 1016 });
    expect(barPlacement(x, { startUs: 1_010, durationUs: 100 }, 1_000, 1000)).toMatchObject({ left: -8, width: 1 });
    expect(barPlacement(x, { startUs: 1_300, durationUs: 25 }, 1_000, 1000)).toMatchObject({ left: 200, width: 100 });
  });

  it('keeps a window inside the trace and at least the narrowest width; junk gives the whole trace', () => {
    expect(clampWindow({ startUs: -50, endUs: 2_000 }, 1_000)).toEqual({ startUs: 0, endUs: 1_000 });
    expect(clampWindow({ startUs: 600, endUs: 200 }, 1_000)).toEqual({ startUs: 200, endUs: 600 });
    expect(clampWindow({ startUs: 500, endUs: 500 }, 10_000_000)).toEqual({ startUs: 450, endUs: 550 });
    expect(clampWindow({ startUs: 0, endUs: 0 }, 10_000_000)).toEqual({ startUs: 0, endUs: 100 });
    expect(clampWindow({ startUs: NaN, endUs: 5 }, 1_000)).toEqual({ startUs: 0, endUs: 1_000 });
    expect(isWholeTrace({ startUs: 0, endUs: 1_000 }, 1_000)).toBe(true);
    expect(isWholeTrace({ startUs: 1, endUs: 1_000 }, 1_000)).toBe(false);
  });

  it('converts a brush to a window and back', () => {
    expect(brushToWindow([100, 300], 400, 8_000)).toEqual({ startUs: 2_000, endUs: 6_000 });
    expect(windowToBrush({ startUs: 2_000, endUs: 6_000 }, 400, 8_000)).toEqual([100, 300]);
    expect(windowToBrush({ startUs: 0, endUs: 8_000 }, 400, 8_000)).toBeNull();
  });

  it('places event markers inside the window, tells exceptions apart, keeps exceptions when over the cap', () => {
    const events = [
      { timeUs: 1_100, name: 'cache miss', attributes: {} },
      { timeUs: 1_500, name: 'exception', attributes: { 'exception.type': 'E' } },
      { timeUs: 1_900, name: 'retry', attributes: { 'exception.message': 'boom' } },
      { timeUs: 5_000, name: 'late', attributes: {} },
    ];
    expect(eventMarkers(events, 1_000, { startUs: 0, endUs: 1_000 }, 500)).toEqual([
      { index: 0, x: 50, kind: 'event', name: 'cache miss' },
      { index: 1, x: 250, kind: 'exception', name: 'exception' },
      { index: 2, x: 450, kind: 'exception', name: 'retry' },
    ]);
    expect(eventMarkers(events, 1_000, { startUs: 400, endUs: 600 }, 500).map((m) => m.index)).toEqual([1]);
    expect(eventMarkers(undefined, 0, { startUs: 0, endUs: 1 }, 10)).toEqual([]);
    expect(eventKind({ timeUs: 0, name: 'log', attributes: {} })).toBe('event');
    const many = Array.from({ length: 200 }, (_, i) => ({ timeUs: i, name: i % 40 === 39 ? 'exception' : 'tick', attributes: {} }));
    const placed = eventMarkers(many, 0, { startUs: 0, endUs: 200 }, 200);
    expect(placed).toHaveLength(MAX_EVENT_MARKERS);
    expect(placed.filter((m) => m.kind === 'exception').map((m) => m.index)).toEqual([39, 79, 119, 159, 199]);
    expect(placed.map((m) => m.index)).toEqual([...placed.map((m) => m.index)].sort((a, b) => a - b));
  });

  it('draws every span of the trace into the minimap, one squeezed row each, errors flagged', () => {
    const tree = buildTree([span('r', '', 1_000, 1_000), span('a', 'r', 1_000, 500), span('b', 'r', 1_500, 500, true), span('c', 'r', 1_999, 0)]);
    const { rects, rowHeight } = minimapRects(tree.order, tree.startUs, 1_000, 200, 40);
    expect(rowHeight).toBe(10);
    expect(rects.map((r) => [r.service, r.x, r.y, r.width, r.error])).toEqual([
      ['svc-r', 0, 0, 200, false],
      ['svc-a', 0, 10, 100, false],
      ['svc-b', 100, 20, 100, true],
      ['svc-c', 199.8, 30, 1, false],
    ]);
  });
});
