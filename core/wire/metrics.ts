import type { ComputedSeries, SeriesFunction } from '../analysis/metric-series';
import type { MetricLabel, MetricNameInfo } from '../contracts/metric-store';
import type { MetricKind } from '../metric-point';

export type { ComputedSeries, MetricKind, MetricLabel, MetricNameInfo, SeriesFunction };

/** GET /api/metrics */
export interface MetricNamesAnswer {
  metrics: MetricNameInfo[];
}

/** GET /api/metrics?name= */
export interface MetricLabelsAnswer {
  name: string;
  labels: MetricLabel[];
}

/** GET /api/metrics/series: one computed series per group, one point per step. */
export interface MetricSeriesAnswer {
  name: string;
  /** null: no point of the metric in the window. */
  kind: MetricKind | null;
  fn: SeriesFunction;
  stepUs: number;
  series: ComputedSeries[];
  /** The store stopped at its point budget, or groups were cut at 200. */
  truncated: boolean;
}
