import { latencyHeatmap } from '../../../core/analysis/latency-heatmap';
import { MINUTE_US } from '../../../core/topology';
import { box, sampleHeatmap as sample, T0 } from '../../helpers/heatmap-sample';
import { bandY, columnX, heatmapScene, latencyLabel, latencyY, shadeOf } from '../../../ui/src/screens/heatmapLayout';

describe('heatmap layout', () => {
  it('one column per minute across the plot, the fastest band at the bottom', () => {
    const h = sample();
    const { grid } = heatmapScene(h, box);
    expect(grid.columnWidth).toBe(100);
    expect([0, 1, 3].map((i) => columnX(grid, i))).toEqual([64, 164, 364]);
    expect(bandY(grid, 0) + grid.rowHeight).toBeCloseTo(200);
    expect(bandY(grid, h.bands.length - 1)).toBeCloseTo(0);
    expect(bandY(grid, 1)).toBeLessThan(bandY(grid, 0));
  });

  it('shades by a log scale: one call still shows, the fullest is 1', () => {
    expect(shadeOf(100, 100)).toBe(1);
    expect(shadeOf(10, 100)).toBeCloseTo(0.5);
    expect(shadeOf(1, 100)).toBe(0);
    expect(shadeOf(0, 100)).toBe(0);
    expect(shadeOf(1, 1)).toBe(1);
  });

  it('thresholds inside the bands are marked, others not', () => {
    const h = sample();
    const scene = heatmapScene(h, box, { warn: 50, critical: 5000 });
    expect(scene.marks.map((m) => m.level)).toEqual(['warn']);
    const y50 = latencyY(50, h, box)!;
    expect(scene.marks[0].y).toBe(y50);
    expect(y50).toBeGreaterThan(latencyY(500, h, box)!);
    expect(latencyY(null, h, box)).toBeNull();
    expect(latencyY(1e9, h, box)).toBe(0);
  });

  it('labels at most 6 band edges and the first, middle and last minute', () => {
    const scene = heatmapScene(sample(), box);
    expect(scene.bandLabels.length).toBeLessThanOrEqual(6);
    expect(scene.bandLabels[0].y).toBe(200);
    expect(scene.timeLabels.map((t) => [t.tUs, t.anchor])).toEqual([
      [T0, 'start'],
      [T0 + 2 * MINUTE_US, 'middle'],
      [T0 + 3 * MINUTE_US, 'end'],
    ]);
    expect(scene.timeLabels[2].x).toBe(box.width);
  });

  it('a top margin moves the plot down and keeps the bottom where it was', () => {
    const h = sample();
    const withTop = heatmapScene(h, { ...box, top: 20 });
    const without = heatmapScene(h, box);
    expect(withTop.bandLabels[0].y).toBe(without.bandLabels[0].y);
    expect(withTop.bandLabels[withTop.bandLabels.length - 1].y).toBeGreaterThanOrEqual(20);
    expect(bandY(withTop.grid, h.bands.length - 1)).toBeCloseTo(20);
    expect(withTop.grid.bottomY).toBe(without.grid.bottomY);
  });

  it('an empty heatmap has nothing to draw', () => {
    const scene = heatmapScene(latencyHeatmap([], { startUs: T0, endUs: T0 }), box, { warn: 1, critical: 2 });
    expect(scene).toMatchObject({ marks: [], bandLabels: [] });
  });

  it('band labels read as durations', () => {
    expect(latencyLabel(0.25)).toBe('250 µs');
    expect(latencyLabel(3.14)).toBe('3.1 ms');
    expect(latencyLabel(250)).toBe('250 ms');
    expect(latencyLabel(2500)).toBe('2.5 s');
    expect(latencyLabel(0)).toBe('0');
  });
});
