import { latencyHeatmap } from '../../../core/analysis/latency-heatmap';
import { box, sampleHeatmap as sample, T0 } from '../../helpers/heatmap-sample';
import { bandY, columnX, heatmapScene, latencyY } from '../../../ui/src/screens/heatmapLayout';
import { paintCells, paintP95Line, SHADE_STEPS, shadeStep, type HeatmapPainter } from '../../../ui/src/screens/heatmapPaint';

const SHADES = Array.from({ length: SHADE_STEPS + 1 }, (_, step) => `shade-${step}`);

/** A canvas context that writes down what was painted. */
function recorder() {
  const calls: string[] = [];
  const painter: HeatmapPainter = {
    fillStyle: '',
    fillRect: (x, y, w, h) => calls.push(`rect ${String(painter.fillStyle)} ${x} ${y.toFixed(2)} ${w} ${h.toFixed(2)}`),
    beginPath: () => calls.push('begin'),
    moveTo: (x, y) => calls.push(`M ${x} ${y.toFixed(2)}`),
    lineTo: (x, y) => calls.push(`L ${x} ${y.toFixed(2)}`),
    stroke: () => calls.push('stroke'),
  };
  return { painter, calls };
}

describe('heatmap painting', () => {
  it('a shade step per cell from one call (0) to the fullest (SHADE_STEPS), none for an empty band', () => {
    expect(shadeStep(100, 100)).toBe(SHADE_STEPS);
    expect(shadeStep(1, 100)).toBe(0);
    expect(shadeStep(10, 100)).toBe(SHADE_STEPS / 2);
    expect(shadeStep(0, 100)).toBe(-1);
  });

  it('one rectangle per minute and band with calls, where the grid puts it, in the shade of its count; nothing for empty cells', () => {
    const h = sample();
    const { grid } = heatmapScene(h, box);
    const { painter, calls } = recorder();
    paintCells(painter, h, grid, SHADES);
    const expected: string[] = [];
    h.columns.forEach((column, i) =>
      column.counts.forEach((count, band) => {
        if (count > 0) expected.push(`rect shade-${shadeStep(count, h.maxCount)} ${columnX(grid, i)} ${bandY(grid, band).toFixed(2)} ${grid.columnWidth - 1} ${(grid.rowHeight - 1).toFixed(2)}`);
      }),
    );
    expect(calls).toEqual(expected);
    // 4 cells with calls: the fullest the lightest shade, the single slow call the darkest
    expect(calls).toHaveLength(4);
    expect(calls[0]).toMatch(`shade-${SHADE_STEPS} 64 `);
    expect(calls.filter((c) => c.startsWith('rect shade-0 '))).toHaveLength(1);
  });

  it('the p95 line through the centres of the minutes, broken over a minute without calls', () => {
    const h = sample();
    const { grid } = heatmapScene(h, box);
    const { painter, calls } = recorder();
    paintP95Line(painter, h, box, grid);
    const y = (i: number) => latencyY(h.columns[i].p95Ms, h, box)!.toFixed(2);
    expect(calls).toEqual(['begin', `M 114 ${y(0)}`, `L 214 ${y(1)}`, `M 414 ${y(3)}`, 'stroke']);
  });

  it('an empty heatmap paints no cell and an empty line', () => {
    const h = latencyHeatmap([], { startUs: T0, endUs: T0 });
    const { painter, calls } = recorder();
    paintCells(painter, h, heatmapScene(h, box).grid, SHADES);
    paintP95Line(painter, h, box, heatmapScene(h, box).grid);
    expect(calls).toEqual(['begin', 'stroke']);
  });
});
