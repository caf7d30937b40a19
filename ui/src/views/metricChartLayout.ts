import type { ComputedSeries, MetricSeriesAnswer } from '../api';

/** Pure parts of the metric chart (no DOM, no D3): a series' name, the value unit, the y top. metricChart.ts and the wall-screen panel draw with them. */

/** `region=eu, service=checkout`; one ungrouped series is the metric's name. */
export function seriesName(series: Pick<ComputedSeries, 'labels'>, metric: string): string {
  const pairs = Object.entries(series.labels).map(([k, v]) => `${k}=${v === '' ? '∅' : v}`);
  return pairs.length ? pairs.join(', ') : metric;
}

/** What the values are: per second for a rate, the quantile or average of the histogram, the value otherwise. */
export function valueCaption(answer: Pick<MetricSeriesAnswer, 'fn' | 'name'>, quantile: number): string {
  switch (answer.fn) {
    case 'rate':
      return `rate of ${answer.name} (per second)`;
    case 'quantile':
      return `p${trim(quantile * 100)} of ${answer.name}`;
    case 'avg':
      return `average of ${answer.name}`;
    default:
      return answer.name;
  }
}

/** A value as a short number: 3 significant digits, k/M/G past a thousand. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Top of the y axis: 10 % above the largest value, 1 when nothing is above 0. */
export function yTop(series: readonly Pick<ComputedSeries, 'points'>[]): number {
  let top = 0;
  for (const s of series) for (const p of s.points) if (p.value !== null && Number.isFinite(p.value)) top = Math.max(top, p.value);
  return top > 0 ? top * 1.1 : 1;
}
