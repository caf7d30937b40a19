import type { MetricPoint } from '../metric-point';
import { InputLimits, resolveInputLimits } from '../limits';
import { DecodeReport, ItemRejection } from './decode-report';
import { envelopeList, envelopeObject, field, isObject, itemList, itemString, jsonAttributes, jsonResource, parseJsonBody, rejectOnItemError, type JsonObject } from './json-common';
import { buildPoint, finishResourcePoints, metricRefusal, TEMPORALITY_BY_NUMBER, type MetricHeader, type RawPoint } from './metric-point-builder';
import { jsonNanosToMicros } from './time';
import type { DecodedMetrics } from './types';

/**
 * Decodes an OTLP/JSON ExportMetricsServiceRequest (a JSON string or an
 * already-parsed object) into metric points, with the same rules as the
 * protobuf decoder (metric-point-builder.ts).
 */
export function decodeMetricsRequestJson(body: string | unknown, limits?: Partial<InputLimits>): DecodedMetrics {
  const report = new DecodeReport(resolveInputLimits(limits));
  const root = parseJsonBody(body, 'ExportMetricsServiceRequest');
  const points: MetricPoint[] = [];
  const resourceMetrics = envelopeList(root, 'resourceMetrics', 'resource_metrics', 'request');
  for (let i = 0; i < resourceMetrics.length; i++) {
    const path = `resourceMetrics[${i}]`;
    const rm = envelopeObject(resourceMetrics[i], path);
    const resource = jsonResource(rm.resource, report, path);
    const first = points.length;
    const scopeMetrics = envelopeList(rm, 'scopeMetrics', 'scope_metrics', path);
    for (let j = 0; j < scopeMetrics.length; j++) {
      const spath = `${path}.scopeMetrics[${j}]`;
      const metrics = envelopeList(envelopeObject(scopeMetrics[j], spath), 'metrics', 'metrics', spath);
      for (let k = 0; k < metrics.length; k++) jsonMetric(envelopeObject(metrics[k], `${spath}.metrics[${k}]`), points, report);
    }
    finishResourcePoints(points, first, resource);
  }
  return { points, ...report.outcome() };
}

const KINDS: Array<[string, string, MetricHeader['kind']]> = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram', 'exponential_histogram'],
  ['summary', 'summary', 'summary'],
];

function jsonMetric(m: JsonObject, points: MetricPoint[], report: DecodeReport): void {
  const header: MetricHeader = { name: '', unit: '', kind: 'none', temporality: 'unspecified', monotonic: false };
  let data: unknown;
  for (const [camel, snake, kind] of KINDS) {
    const v = field(m, camel, snake);
    if (v !== undefined && v !== null) {
      header.kind = kind;
      data = v;
      break;
    }
  }
  const dataPoints = isObject(data) ? field(data, 'dataPoints', 'data_points') : undefined;
  const list = Array.isArray(dataPoints) ? dataPoints : [];
  let refusal: string | null;
  try {
    header.name = itemString(m.name, 'metric name');
    header.unit = itemString(m.unit, 'metric unit');
    if (isObject(data)) {
      header.temporality = jsonTemporality(field(data, 'aggregationTemporality', 'aggregation_temporality'));
      header.monotonic = field(data, 'isMonotonic', 'is_monotonic') === true;
    }
    if (dataPoints !== undefined && dataPoints !== null && !Array.isArray(dataPoints)) throw new ItemRejection(`metric ${header.name}: dataPoints must be an array`);
    refusal = metricRefusal(header);
  } catch (err) {
    if (!(err instanceof ItemRejection)) throw err;
    refusal = err.message;
  }
  if (refusal !== null) {
    for (let i = 0; i < Math.max(1, list.length); i++) report.reject(refusal);
    return;
  }
  for (const p of list) {
    const point = rejectOnItemError(report, () => buildPoint(header, jsonPoint(p, header, report), report));
    if (point) points.push(point);
  }
}

function jsonTemporality(v: unknown): MetricHeader['temporality'] {
  if (typeof v === 'number') return TEMPORALITY_BY_NUMBER[v] ?? 'unspecified';
  if (v === 'AGGREGATION_TEMPORALITY_DELTA') return 'delta';
  if (v === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 'cumulative';
  return 'unspecified';
}

function jsonPoint(v: unknown, header: MetricHeader, report: DecodeReport): RawPoint {
  if (!isObject(v)) throw new ItemRejection(`metric ${header.name}: data point must be an object`);
  const startUs = jsonNanosToMicros(field(v, 'startTimeUnixNano', 'start_time_unix_nano'));
  const timeUs = jsonNanosToMicros(field(v, 'timeUnixNano', 'time_unix_nano'));
  if (startUs < 0 || timeUs < 0) throw new ItemRejection(`metric ${header.name}: timeUnixNano and startTimeUnixNano must be uint64 (decimal string or number)`);
  const attributes = jsonAttributes(v.attributes, report);
  if (header.kind === 'gauge' || header.kind === 'sum') {
    const asDouble = field(v, 'asDouble', 'as_double');
    const asInt = field(v, 'asInt', 'as_int');
    const value = asDouble !== undefined && asDouble !== null ? jsonNumber(asDouble, 'asDouble') : jsonNumber(asInt, 'asInt');
    return { startUs, timeUs, value, count: 0, attributes };
  }
  const sum = v.sum;
  const point: RawPoint = { startUs, timeUs, value: sum === undefined || sum === null ? NaN : jsonNumber(sum, 'sum'), count: jsonNumber(v.count ?? 0, 'count'), attributes };
  if (header.kind === 'histogram') {
    point.bounds = itemList(field(v, 'explicitBounds', 'explicit_bounds'), 'explicitBounds').map((b) => jsonNumber(b, 'explicitBounds'));
    point.bucketCounts = itemList(field(v, 'bucketCounts', 'bucket_counts'), 'bucketCounts').map((c) => jsonNumber(c, 'bucketCounts'));
  }
  return point;
}

/** A proto3 JSON number: a number, a decimal string (int64), or "NaN"/"Infinity". Absent is NaN (caught by the point rules). */
function jsonNumber(v: unknown, what: string): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (!Number.isNaN(n) || v === 'NaN') return n;
  }
  throw new ItemRejection(`${what} must be a number or a decimal string`);
}
