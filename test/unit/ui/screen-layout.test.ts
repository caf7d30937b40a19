import { chartPath, deltaText, formatMeasure, funnelWidths, gridArea, niceTop, spanBands, thresholdLevel } from '../../../ui/src/screens/screenLayout';
import { flowSeconds, forgetGone, MAX_GONE_PLACES } from '../../../ui/src/screens/screenTopology';

describe('wall-screen panel layout', () => {
  it('places incidents on a chart of evenly spaced points, clipped to it', () => {
    // points from minute 0 to minute 10 across 300 units
    const m = (minutes: number) => minutes * 60_000;
    expect(spanBands([{ startMs: m(2), endMs: m(4) }], 0, m(10) * 1000, 300)).toEqual([{ x: 60, width: 60 }]);
    expect(spanBands([{ startMs: -m(5), endMs: m(1) }, { startMs: m(9), endMs: m(30) }], 0, m(10) * 1000, 300)).toEqual([
      { x: 0, width: 30 },
      { x: 270, width: 30 },
    ]);
    // outside the chart, or a chart of one point: nothing; a moment: 1 wide
    expect(spanBands([{ startMs: m(11), endMs: m(12) }], 0, m(10) * 1000, 300)).toEqual([]);
    expect(spanBands([{ startMs: m(2), endMs: m(4) }], m(3) * 1000, m(3) * 1000, 300)).toEqual([]);
    expect(spanBands([{ startMs: m(5), endMs: m(5) }], 0, m(10) * 1000, 300)).toEqual([{ x: 150, width: 1 }]);
  });

  it.each<[number | null, object | undefined, string]>([
    [0.001, { warn: 0.01, critical: 0.05 }, 'ok'],
    [0.01, { warn: 0.01, critical: 0.05 }, 'warn'],
    [0.2, { warn: 0.01, critical: 0.05 }, 'critical'],
    [0.999, { warn: 0.99, critical: 0.95, direction: 'below' }, 'ok'],
    [0.97, { warn: 0.99, critical: 0.95, direction: 'below' }, 'warn'],
    [0.9, { warn: 0.99, critical: 0.95, direction: 'below' }, 'critical'],
    [null, { warn: 1, critical: 2 }, 'none'],
    [5, undefined, 'none'],
  ])('%s against %j is %s', (value, t, level) => {
    expect(thresholdLevel(value, t as never)).toBe(level);
  });

  it.each<[number | null, Parameters<typeof formatMeasure>[1], string]>([
    [2510.4, 'ms', '2.51 s'],
    [12_345, 'ms', '12.3 s'],
    [40.4, 'ms', '40 ms'],
    [0.8, 'ratio', '80.0 %'],
    [1, 'ratio', '100 %'],
    [0.9996, 'ratio', '99.9 %'],
    [0.0001, 'ratio', '0.01 %'],
    [0.0167, 'rate', '0.02/s'],
    [250.4, 'rate', '250/s'],
    [1, 'perMinute', '1.0'],
    [12_500, 'count', '13k'],
    [null, 'ms', '–'],
  ])('%s as %s reads %s', (value, unit, text) => {
    expect(formatMeasure(value, unit)).toBe(text);
  });

  it('places a panel on the grid, scales funnel bars to the first stage and lines to a shared round top', () => {
    expect(gridArea({ x: 0, y: 2, w: 7, h: 4 })).toBe('3 / 1 / span 4 / span 7');
    expect(funnelWidths([40, 30, 0])).toEqual([1, 0.75, 0]);
    expect(funnelWidths([])).toEqual([]);
    expect([0, 3, 10, 11, 4200].map((v) => niceTop([v, null]))).toEqual([1, 5, 10, 20, 5000]);
    expect(chartPath([0, 10, null, 5], 30, 11, 10)).toBe('M0.0,10.0L10.0,1.0M30.0,5.5');
  });

  it('moves the flow on an edge faster with more calls per second, within 0.6 s .. 8 s a trip, none without calls', () => {
    expect([0, 0.01, 1, 4, 100, 10_000].map(flowSeconds)).toEqual([null, 8, 4, 2, 0.6, 0.6]);
  });

  it('writes a stat delta as a signed share of the value before', () => {
    expect([deltaText(1.12, 1), deltaText(0.965, 1), deltaText(5, 5), deltaText(3, 0), deltaText(null, 1), deltaText(200, 100)]).toEqual(['▲ 12 %', '▼ 3.5 %', '= 0.0 %', null, null, '▲ 100 %']);
  });

  it('forgets the places of nodes gone from the topology beyond MAX_GONE_PLACES, oldest first, never a present one', () => {
    const place = { x: 1, y: 2, pinned: true };
    const places = new Map(Array.from({ length: MAX_GONE_PLACES + 10 }, (_, i) => [`n${i}`, place] as const));
    const present = new Set(['n0', 'n5', `n${MAX_GONE_PLACES + 9}`]);
    forgetGone(places, present);
    expect(places.size).toBe(MAX_GONE_PLACES + present.size);
    for (const id of present) expect(places.has(id)).toBe(true);
    // the oldest gone ones (n1 .. n4, n6 ..) went first
    expect(places.has('n1')).toBe(false);
    expect(places.has(`n${MAX_GONE_PLACES + 8}`)).toBe(true);
    const few = new Map([['a', place], ['b', place]]);
    forgetGone(few, new Set(['a']));
    expect([...few.keys()]).toEqual(['a', 'b']);
  });
});
