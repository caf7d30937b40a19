import type { Page } from 'playwright-core';
import type { LatencyHeatmap } from '../../core/wire';
import { bandY, columnX, heatmapScene, PLOT_MARGINS } from '../../ui/src/screens/heatmapLayout';
import { shadeStep } from '../../ui/src/screens/heatmapPaint';

/** A cell of a heatmap as its panel's canvas shows it: the colour of most of it. */
export interface PaintedCell {
  column: number;
  band: number;
  count: number;
  /** The shade step the data gives it (-1: no calls). */
  step: number;
  rgba: [number, number, number, number];
}

/** Where a cell is sampled, as fractions of its width and height: nine points, the colour seen most wins (the p95 line crosses some cells). */
const SAMPLES = [0.2, 0.5, 0.8].flatMap((fx) => [0.2, 0.5, 0.8].map((fy) => [fx, fy]));

/**
 * Every minute × band cell of `heatmap` (the panel's data from the API) with
 * the colour the panel's canvas shows over most of it, the grid worked out
 * from the canvas's size the way the panel does (heatmapScene, PLOT_MARGINS).
 */
export async function paintedCells(page: Page, panel: string, heatmap: LatencyHeatmap): Promise<PaintedCell[]> {
  const canvas = page.locator(`[data-panel="${panel}"] canvas.heatmap-canvas`);
  const size = await canvas.evaluate((el) => ({ width: Math.round(el.clientWidth), height: Math.round(el.clientHeight) }));
  const { grid } = heatmapScene(heatmap, { ...size, ...PLOT_MARGINS });
  // the painted part of a cell: a pixel of gap right of and below it
  const [w, h] = [Math.max(1, grid.columnWidth - 1), Math.max(1, grid.rowHeight - 1)];
  const cells = heatmap.columns.flatMap((column, i) =>
    column.counts.map((count, band) => ({ column: i, band, count, step: shadeStep(count, heatmap.maxCount), points: SAMPLES.map(([fx, fy]) => [columnX(grid, i) + fx * w, bandY(grid, band) + fy * h]) })),
  );
  const pixels = await canvas.evaluate((el, at) => {
    const c = el as HTMLCanvasElement;
    const ratio = c.width / c.clientWidth;
    const image = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return at.map((points) => {
      const seen = new Map<string, number>();
      for (const [x, y] of points) {
        const i = (Math.floor(y * ratio) * c.width + Math.floor(x * ratio)) * 4;
        const rgba = [image.data[i], image.data[i + 1], image.data[i + 2], image.data[i + 3]].join(',');
        seen.set(rgba, (seen.get(rgba) ?? 0) + 1);
      }
      return [...seen].reduce((a, b) => (b[1] > a[1] ? b : a))[0].split(',').map(Number) as [number, number, number, number];
    });
  }, cells.map((c) => c.points));
  return cells.map(({ column, band, count, step }, i) => ({ column, band, count, step, rgba: pixels[i] }));
}

/**
 * What does not match the data among painted cells: a cell with calls must be
 * opaque, one without empty; one shade step is one colour, and a higher step
 * is lighter (Inferno's luminance rises along the scale). Empty: all match.
 */
export function paintMismatches(cells: readonly PaintedCell[]): string[] {
  const wrong: string[] = [];
  const colourOfStep = new Map<number, string>();
  const luminance = ([r, g, b]: readonly number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  for (const cell of cells) {
    const where = `minute ${cell.column} band ${cell.band} (${cell.count} calls, step ${cell.step}): ${cell.rgba.join(',')}`;
    if (cell.step < 0) {
      if (cell.rgba[3] !== 0) wrong.push(`painted without calls: ${where}`);
      continue;
    }
    if (cell.rgba[3] !== 255) {
      wrong.push(`not painted: ${where}`);
      continue;
    }
    const colour = cell.rgba.slice(0, 3).join(',');
    const seen = colourOfStep.get(cell.step);
    if (seen !== undefined && seen !== colour) wrong.push(`step ${cell.step} in two colours, ${seen} and ${where}`);
    colourOfStep.set(cell.step, colour);
  }
  const steps = [...colourOfStep.keys()].sort((a, b) => a - b);
  for (let i = 1; i < steps.length; i++) {
    const [darker, lighter] = [colourOfStep.get(steps[i - 1])!, colourOfStep.get(steps[i])!].map((c) => luminance(c.split(',').map(Number)));
    if (!(lighter > darker)) wrong.push(`step ${steps[i]} not lighter than step ${steps[i - 1]}`);
  }
  return wrong;
}

/**
 * The panel's data (`read`, from the API) and its canvas's cells once they
 * agree and `accept` the data (a push or a minute turning over between the
 * two reads is waited out), or the last try after 15 s.
 */
export async function paintedAsData<H extends LatencyHeatmap>(page: Page, panel: string, read: () => Promise<H>, accept: (data: H) => boolean = () => true) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const data = await read();
    const cells = await paintedCells(page, panel, data);
    const wrong = paintMismatches(cells);
    if ((!wrong.length && accept(data)) || Date.now() > deadline) return { data, cells, wrong };
    await page.waitForTimeout(250);
  }
}
