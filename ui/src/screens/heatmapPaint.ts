import type { LatencyHeatmap } from '../../../core/wire';
import { bandY, columnX, latencyY, shadeOf, type HeatmapBox, type HeatmapGrid } from './heatmapLayout';

/**
 * What a latency heatmap paints on its canvas each push (screenHeatmap.ts):
 * a filled rectangle per minute and band with calls, shaded by its count,
 * and the p95 line through the minutes' centres. A plain loop of canvas
 * calls, no element or text per cell: a wall screen runs it once a push for
 * days, and what V8 compiles of it stays in the page's heap
 * (docs/benchmarks.md). Pure (the painter is a canvas's 2D context or a
 * test's recorder): tested in test/unit/ui/heatmap-paint.test.ts.
 */

/** How many shades between one call (0) and the fullest cell (SHADE_STEPS). */
export const SHADE_STEPS = 64;

/** A cell's shade step on the log scale (-1: no calls, no cell). */
export const shadeStep = (count: number, maxCount: number) => (count > 0 ? Math.round(shadeOf(count, maxCount) * SHADE_STEPS) : -1);

/** The part of a canvas's 2D context the heatmap paints with. */
export interface HeatmapPainter {
  fillStyle: unknown;
  fillRect(x: number, y: number, width: number, height: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

/** The cells: column i's at `columnX`, band b's at `bandY`, a pixel of gap between them, `shades[step]` as the colour. */
export function paintCells(painter: HeatmapPainter, heatmap: Pick<LatencyHeatmap, 'columns' | 'maxCount'>, grid: HeatmapGrid, shades: readonly string[]): void {
  const width = Math.max(1, grid.columnWidth - 1);
  const height = Math.max(1, grid.rowHeight - 1);
  const columns = heatmap.columns;
  for (let i = 0; i < columns.length; i++) {
    const counts = columns[i].counts;
    const x = columnX(grid, i);
    for (let band = 0; band < counts.length; band++) {
      const step = shadeStep(counts[band], heatmap.maxCount);
      if (step < 0) continue;
      painter.fillStyle = shades[step];
      painter.fillRect(x, bandY(grid, band), width, height);
    }
  }
}

/** The p95 line through the minutes' centres, broken over minutes without one (the caller sets its colour and dashes). */
export function paintP95Line(painter: HeatmapPainter, heatmap: Pick<LatencyHeatmap, 'columns' | 'bands'>, box: HeatmapBox, grid: HeatmapGrid): void {
  painter.beginPath();
  let drawing = false;
  const columns = heatmap.columns;
  for (let i = 0; i < columns.length; i++) {
    const y = latencyY(columns[i].p95Ms, heatmap, box);
    if (y === null) {
      drawing = false;
      continue;
    }
    const x = grid.left + (i + 0.5) * grid.columnWidth;
    if (drawing) painter.lineTo(x, y);
    else painter.moveTo(x, y);
    drawing = true;
  }
  painter.stroke();
}
