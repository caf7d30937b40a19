import type { Attributes } from '../model';
import type { MetricKind, MetricPoint, MetricTemporality } from '../metric-point';
import { type DecodeReport, ItemRejection, serviceOf } from './decode-report';
import { inexactTimeReason, isExactMicros } from './time';

/**
 * The validation rules shared by the protobuf and JSON metric decoders, so both
 * refuse the same points with the same reasons. A point is rejected (counted in
 * partial_success.rejected_data_points) when:
 * - its metric has no name, or is a Summary (not stored: no buckets to aggregate);
 * - a sum or histogram says neither delta nor cumulative temporality;
 * - it has no time, or its value / histogram sum is not finite;
 * - an explicit-bucket histogram's bounds are not ascending finite numbers, its
 *   bucket counts are not bounds + 1, or its count is not their total.
 */
export interface MetricHeader {
  name: string;
  unit: string;
  kind: MetricKind | 'summary' | 'none';
  temporality: MetricTemporality;
  monotonic: boolean;
}

export const TEMPORALITY_BY_NUMBER: Record<number, MetricTemporality> = { 0: 'unspecified', 1: 'delta', 2: 'cumulative' };

export interface RawPoint {
  startUs: number;
  timeUs: number;
  value: number;
  count: number;
  bounds?: number[];
  bucketCounts?: number[];
  attributes: Attributes;
}

/** The reason every point of this metric is refused, or null when its points can be checked one by one. */
export function metricRefusal(header: MetricHeader): string | null {
  if (header.name === '') return 'metric name must not be empty';
  if (header.kind === 'summary') return `metric ${header.name}: Summary points are not accepted (send a histogram)`;
  if (header.kind === 'none') return `metric ${header.name}: no gauge, sum, histogram or exponentialHistogram`;
  if (header.kind !== 'gauge' && header.temporality === 'unspecified') {
    return `metric ${header.name}: aggregationTemporality must be delta (1) or cumulative (2)`;
  }
  return null;
}

/** A validated point of a metric that passed metricRefusal; throws ItemRejection. Resource and service come later (finishResourcePoints). */
export function buildPoint(header: MetricHeader, raw: RawPoint, report: DecodeReport): MetricPoint {
  const name = header.name;
  if (!(raw.timeUs > 0)) throw new ItemRejection(`metric ${name}: data point timeUnixNano must be set`);
  if (!isExactMicros(raw.timeUs) || !isExactMicros(raw.startUs)) {
    throw new ItemRejection(`metric ${name}: ${inexactTimeReason('timeUnixNano and startTimeUnixNano')}`);
  }
  const histogram = header.kind === 'histogram' || header.kind === 'exponential_histogram';
  if (!histogram && !Number.isFinite(raw.value)) throw new ItemRejection(`metric ${name}: data point value must be a finite number`);
  if (histogram && !Number.isNaN(raw.value) && !Number.isFinite(raw.value)) throw new ItemRejection(`metric ${name}: histogram sum must be finite`);
  if (!(raw.count >= 0) || !Number.isSafeInteger(raw.count)) throw new ItemRejection(`metric ${name}: histogram count must be a non-negative integer`);
  if (header.kind === 'histogram') checkBuckets(name, raw);
  return {
    name: report.cut(name, report.limits.maxNameLength),
    unit: report.cut(header.unit, report.limits.maxNameLength),
    kind: header.kind as MetricKind,
    temporality: header.kind === 'gauge' ? 'unspecified' : header.temporality,
    monotonic: header.kind === 'sum' && header.monotonic,
    service: '',
    resource: {},
    attributes: raw.attributes,
    startUs: raw.startUs,
    timeUs: raw.timeUs,
    value: raw.value,
    count: histogram ? raw.count : 0,
    bounds: header.kind === 'histogram' ? (raw.bounds ?? []) : undefined,
    bucketCounts: header.kind === 'histogram' ? (raw.bucketCounts ?? []) : undefined,
  };
}

function checkBuckets(name: string, raw: RawPoint): void {
  const bounds = raw.bounds ?? [];
  const counts = raw.bucketCounts ?? [];
  if (counts.length === 0 && bounds.length === 0) return;
  if (counts.length !== bounds.length + 1) {
    throw new ItemRejection(`metric ${name}: bucketCounts must have explicitBounds.length + 1 entries (got ${counts.length} for ${bounds.length} bounds)`);
  }
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isFinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
      throw new ItemRejection(`metric ${name}: explicitBounds must be finite and strictly ascending`);
    }
  }
  let total = 0;
  for (const c of counts) {
    if (!(c >= 0) || !Number.isSafeInteger(c)) throw new ItemRejection(`metric ${name}: bucketCounts must be non-negative integers`);
    total += c;
  }
  if (total !== raw.count) throw new ItemRejection(`metric ${name}: count ${raw.count} is not the total of bucketCounts (${total})`);
}

/** Gives the points decoded since `first` their resource and service. */
export function finishResourcePoints(points: MetricPoint[], first: number, resource: Attributes): void {
  const service = serviceOf(resource);
  for (let i = first; i < points.length; i++) {
    points[i].resource = resource;
    points[i].service = service;
  }
}
