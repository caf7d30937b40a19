import { shadeOf } from './heatmapLayout';

/**
 * Which cells of a heatmap column a push must set (screenHeatmap.ts draws
 * them). A push changes the current minute's counts and, when its fullest
 * cell grows, the scale; the other minutes' cells stay as drawn. Shades are
 * steps of 1/SHADE_STEPS, so a small rescale leaves most cells' colour as it
 * is. Pure: tested in test/unit/ui/heatmap-columns.test.ts.
 */

/** How many shades between one call (0) and the fullest cell (SHADE_STEPS). */
export const SHADE_STEPS = 64;

/** A column as drawn: its counts by band, each cell's shade step (-1: no cell), and the scale it was drawn on. */
export interface DrawnColumn {
  counts: readonly number[];
  steps: readonly number[];
  maxCount: number;
}

export const shadeStep = (count: number, maxCount: number) => (count > 0 ? Math.round(shadeOf(count, maxCount) * SHADE_STEPS) : -1);

/** A column's cells on a scale. */
export function drawnColumn(counts: readonly number[], maxCount: number): DrawnColumn {
  return { counts: [...counts], steps: counts.map((count) => shadeStep(count, maxCount)), maxCount };
}

/** Whether `drawn` shows these counts on this scale already (every column of a push but the current minute's, unless it rescales). */
export function drawnAlready(drawn: DrawnColumn | undefined, counts: readonly number[], maxCount: number): boolean {
  if (!drawn || drawn.maxCount !== maxCount || drawn.counts.length !== counts.length) return false;
  for (let band = 0; band < counts.length; band++) if (drawn.counts[band] !== counts[band]) return false;
  return true;
}

/**
 * The bands whose cell differs between two drawings of a column on the same
 * bands: count or shade (nothing drawn before: every band with a cell).
 */
export function changedBands(before: DrawnColumn | undefined, after: DrawnColumn): number[] {
  const changed: number[] = [];
  for (let band = 0; band < after.counts.length; band++) {
    if (before ? before.counts[band] !== after.counts[band] || before.steps[band] !== after.steps[band] : after.steps[band] >= 0) changed.push(band);
  }
  return changed;
}
