import type { StatsPoint } from '../api';

/** Pure layout of the RED charts (no DOM, no D3): time extent, value top, tick format, points drawn as dots. redCharts.ts draws them. */

export type PointValue = (p: StatsPoint) => number | null;

const measured = (v: number | null): v is number => v !== null && Number.isFinite(v);

/** First and last step start (epoch ms); a single step is widened by 30 s either side so it has an axis. */
export function timeExtent(points: readonly StatsPoint[]): [number, number] {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const p of points) {
    t0 = Math.min(t0, p.tUs / 1000);
    t1 = Math.max(t1, p.tUs / 1000);
  }
  return t0 === t1 ? [t0 - 30_000, t1 + 30_000] : [t0, t1];
}

/** Top of the value axis: 10 % above the largest measured value (at least `minMax`), 1 when nothing is above 0. */
export function valueTop(values: readonly PointValue[], points: readonly StatsPoint[], minMax = 0): number {
  let top = minMax;
  for (const value of values) for (const p of points) top = Math.max(top, measured(value(p)) ? (value(p) as number) : 0);
  return top > 0 ? top * 1.1 : 1;
}

/** d3 time format of the x ticks: times of day within a day, dates beyond. */
export function tickPattern(spanMs: number): string {
  return spanMs < 86_400_000 ? '%H:%M' : '%b %d';
}

/** Measured points whose neighbours are not: a line leaves them out, so they get a dot. */
export function lonelyPoints(points: readonly StatsPoint[], value: PointValue): StatsPoint[] {
  const has = (i: number) => i >= 0 && i < points.length && measured(value(points[i]));
  return points.filter((_p, i) => has(i) && !has(i - 1) && !has(i + 1));
}
