import type { StatusReporter } from './store-status';
import type { MetricKind, MetricPoint, MetricTemporality } from '../metric-point';

/** A metric name as stored, with what its points are. One name may appear with several kinds (different senders). */
export interface MetricNameInfo {
  name: string;
  kind: MetricKind;
  unit: string;
  temporality: MetricTemporality;
  monotonic: boolean;
  /** Distinct series (label sets) of this name and kind. */
  series: number;
}

/** A label key of a metric with its most common values (point attributes, plus `service` for resource service.name). */
export interface MetricLabel {
  key: string;
  values: string[];
}

/** One stored point of a series: the parts of MetricPoint that change from point to point. */
export interface StoredMetricPoint {
  startUs: number;
  timeUs: number;
  value: number;
  count: number;
  bounds?: number[];
  bucketCounts?: number[];
}

/** One series: a metric name, kind and label set, with its points in time order. */
export interface StoredSeries {
  name: string;
  kind: MetricKind;
  temporality: MetricTemporality;
  monotonic: boolean;
  /** Point attributes, with `service` added (the resource's service.name). */
  labels: Record<string, string>;
  points: StoredMetricPoint[];
}

/** Series one seriesPoints read takes at most, whatever its point budget (more: the answer is truncated). */
export const MAX_SERIES_READ = 10_000;

/**
 * Where OTLP metric points are kept. "No match" is an empty list, never an
 * error. Reads are bounded by the caller's limits; a read that hits
 * `maxPoints` says so (`truncated`) rather than answering part silently.
 */
export interface MetricStore extends StatusReporter {
  start(): Promise<void>;
  shutdown(): Promise<void>;
  writeMetricPoints(points: readonly MetricPoint[]): Promise<void>;
  /** Stored metric names (and kinds), at most `limit`, by name. */
  metricNames(limit: number): Promise<MetricNameInfo[]>;
  /** Label keys of `name` and up to `maxValues` values each, from at most `maxSeries` series. */
  metricLabels(name: string, maxSeries: number, maxValues: number): Promise<MetricLabel[]>;
  /**
   * The series of `name` that have points with startUs <= timeUs < endUs, with those points in time
   * order, the series in label order (core/metric-labels.ts inLabelOrder), at most `maxPoints` points
   * in all. Which points or series a truncated answer keeps is the backend's choice.
   */
  seriesPoints(name: string, startUs: number, endUs: number, maxPoints: number): Promise<{ series: StoredSeries[]; truncated: boolean }>;
}
