import type { Attributes } from './model';

/** The OTLP metric data types Chainscope stores (Summary is refused: it carries no bucket counts to aggregate). */
export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram';

/** OTLP AggregationTemporality: a delta point covers [start, time); a cumulative one counts since start. */
export type MetricTemporality = 'delta' | 'cumulative' | 'unspecified';

/**
 * One OTLP metric data point with its metric's identity, resource and
 * attributes, flattened: what the receivers validate, the bus carries (as an
 * OTLP request) and the metric store keeps one row of.
 */
export interface MetricPoint {
  name: string;
  unit: string;
  kind: MetricKind;
  temporality: MetricTemporality;
  /** Sum only: a counter (only grows) rather than an up-down counter. */
  monotonic: boolean;
  /** Resource `service.name` (or 'unknown_service'). */
  service: string;
  resource: Attributes;
  attributes: Attributes;
  /** µs since the epoch; 0 when the sender gave none. */
  startUs: number;
  timeUs: number;
  /** Gauge and sum: the value. Histograms: the sum of the observations (NaN when the sender left it out). */
  value: number;
  /** Histograms: how many observations; 0 otherwise. */
  count: number;
  /** Explicit-bucket histograms: the upper bounds (ascending) and the count in each of bounds.length + 1 buckets. */
  bounds?: number[];
  bucketCounts?: number[];
}
