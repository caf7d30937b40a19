import type { LatencyHeatmap, Thresholds } from '../../../core/wire';
import { wholeText } from '../numberText';

/**
 * Geometry of a latency heatmap panel (screenHeatmap.ts draws it): one column
 * per minute left to right, one row per latency band from the fastest at the
 * bottom, a cell's shade by its count on a log scale (a few slow calls stay
 * visible beside thousands of fast ones), the p95 of each minute as a line
 * and the p95 thresholds as marks. The cells and the line are painted on a
 * canvas (heatmapPaint.ts), the marks and labels are SVG text over it.
 * Pure: tested in test/unit/ui/heatmap-layout.test.ts.
 */

export interface HeatmapBox {
  width: number;
  height: number;
  /** Room left of the plot for band labels, below it for times, above it for the top label (default 0). */
  left: number;
  bottom: number;
  top?: number;
}

/**
 * Where the cells stand: column i's left edge at `left + i * columnWidth`,
 * band b's cell from `bottomY - (b + 1) * rowHeight` down to `bottomY - b * rowHeight`
 * (the fastest band at the bottom); heatmapPaint.ts paints them.
 */
export interface HeatmapGrid {
  left: number;
  bottomY: number;
  columnWidth: number;
  rowHeight: number;
}

export const columnX = (grid: HeatmapGrid, column: number) => grid.left + column * grid.columnWidth;
export const bandY = (grid: HeatmapGrid, band: number) => grid.bottomY - (band + 1) * grid.rowHeight;

export interface HeatmapMark {
  level: 'warn' | 'critical';
  ms: number;
  y: number;
}

export interface HeatmapScene {
  grid: HeatmapGrid;
  marks: HeatmapMark[];
  /** Band edges to label on the left axis, at most MAX_BAND_LABELS. */
  bandLabels: { y: number; ms: number }[];
  /** Minutes to label under the plot: first, middle and last (anchored so none leaves the plot). */
  timeLabels: { x: number; tUs: number; anchor: 'start' | 'middle' | 'end' }[];
}

const MAX_BAND_LABELS = 6;

/** A screen panel's room around the plot, in CSS pixels: band labels on the left, times below, the top band's label above. */
export const PLOT_MARGINS = { left: 64, bottom: 22, top: 10 } as const;

/** A count's shade: log scale from 1 to the fullest cell. */
export function shadeOf(count: number, maxCount: number): number {
  if (count <= 0 || maxCount <= 0) return 0;
  if (maxCount === 1) return 1;
  return Math.log(count) / Math.log(maxCount);
}

/**
 * Where a latency (ms) stands on the band axis: y of the plot (top = slowest),
 * log-interpolated inside its band; clamped to the plot; null when there are
 * no bands or no value.
 */
export function latencyY(ms: number | null, heatmap: Pick<LatencyHeatmap, 'bands'>, box: HeatmapBox): number | null {
  const bands = heatmap.bands;
  if (ms === null || !Number.isFinite(ms) || bands.length === 0) return null;
  const top = box.top ?? 0;
  const plotHeight = box.height - box.bottom - top;
  const rowHeight = plotHeight / bands.length;
  const logOf = (v: number) => Math.log(Math.max(v, 1e-6));
  let position: number;
  if (ms <= bands[0].lowMs) position = 0;
  else if (ms > bands[bands.length - 1].highMs) position = bands.length;
  else {
    let i = 0;
    while (ms > bands[i].highMs) i++;
    const b = bands[i];
    const within = b.lowMs > 0 ? (logOf(ms) - logOf(b.lowMs)) / (logOf(b.highMs) - logOf(b.lowMs)) : ms / b.highMs;
    position = i + Math.min(1, Math.max(0, within));
  }
  return top + plotHeight - position * rowHeight;
}

/** Where the cells stand in `box` (what a push needs to paint them; heatmapScene adds the marks and labels). */
export function heatmapGrid(heatmap: Pick<LatencyHeatmap, 'columns' | 'bands'>, box: HeatmapBox): HeatmapGrid {
  const plotHeight = Math.max(0, box.height - box.bottom - (box.top ?? 0));
  return {
    left: box.left,
    bottomY: (box.top ?? 0) + plotHeight,
    columnWidth: heatmap.columns.length ? Math.max(0, box.width - box.left) / heatmap.columns.length : 0,
    rowHeight: heatmap.bands.length ? plotHeight / heatmap.bands.length : 0,
  };
}

export function heatmapScene(heatmap: LatencyHeatmap, box: HeatmapBox, p95Thresholds?: Thresholds): HeatmapScene {
  const columns = heatmap.columns;
  const plotWidth = Math.max(0, box.width - box.left);
  const top = box.top ?? 0;
  const plotHeight = Math.max(0, box.height - box.bottom - top);
  const grid = heatmapGrid(heatmap, box);
  const { columnWidth, rowHeight } = grid;
  const marks: HeatmapMark[] = [];
  if (p95Thresholds && heatmap.bands.length) {
    const top = heatmap.bands[heatmap.bands.length - 1].highMs;
    const bottom = heatmap.bands[0].lowMs;
    for (const level of ['warn', 'critical'] as const) {
      const ms = p95Thresholds[level];
      // a mark outside the bands seen would sit on the plot's edge and say nothing
      if (ms > bottom && ms <= top) marks.push({ level, ms, y: latencyY(ms, heatmap, box)! });
    }
  }
  const every = Math.max(1, Math.ceil((heatmap.bands.length + 1) / MAX_BAND_LABELS));
  const bandLabels: { y: number; ms: number }[] = [];
  for (let edge = 0; edge <= heatmap.bands.length; edge += every) {
    bandLabels.push({ y: top + plotHeight - edge * rowHeight, ms: edge === 0 ? heatmap.bands[0]?.lowMs ?? 0 : heatmap.bands[edge - 1].highMs });
  }
  const last = columns.length - 1;
  const timeLabels = columns.length
    ? [...new Set([0, Math.floor(columns.length / 2), last])].map((i) => ({
        x: i === 0 && last > 0 ? box.left : i === last && last > 0 ? box.left + plotWidth : box.left + (i + 0.5) * columnWidth,
        tUs: columns[i].tUs,
        anchor: i === 0 && last > 0 ? ('start' as const) : i === last && last > 0 ? ('end' as const) : ('middle' as const),
      }))
    : [];
  return { grid, marks, bandLabels: heatmap.bands.length ? bandLabels : [], timeLabels };
}

/** A band edge as a label: microseconds below 1 ms, one decimal below 10 ms, then as every panel shows ms. */
export function latencyLabel(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  if (ms < 1) return `${wholeText(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${wholeText(ms)} ms`;
}
