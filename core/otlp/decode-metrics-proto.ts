import type { Reader } from 'protobufjs/minimal';
import type { Attributes } from '../model';
import type { MetricPoint } from '../metric-point';
import { InputLimits, resolveInputLimits } from '../limits';
import { DecodeReport } from './decode-report';
import { buildPoint, finishResourcePoints, metricRefusal, TEMPORALITY_BY_NUMBER, type MetricHeader, type RawPoint } from './metric-point-builder';
import { readKeyValueInto, readResource } from './proto-any-value';
import { createReader, enterLengthDelimited, leaveMessage, readString, skipField, wrapDecodeError } from './proto-reader';
import { rejectOnItemError } from './json-common';
import { nanosBitsToMicros } from './time';
import type { DecodedMetrics } from './types';

/**
 * Decodes an OTLP ExportMetricsServiceRequest (protobuf) into metric points,
 * one per data point, by the rules of metric-point-builder.ts. Bytes that are
 * not a well-formed request throw ValidationError.
 */
export function decodeMetricsRequestProto(bytes: Uint8Array, limits?: Partial<InputLimits>): DecodedMetrics {
  const report = new DecodeReport(resolveInputLimits(limits));
  const points: MetricPoint[] = [];
  const r = createReader(bytes);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 10) readResourceMetrics(r, enterLengthDelimited(r), points, report);
      else skipField(r, tag);
    }
  } catch (err) {
    throw wrapDecodeError(err, 'ExportMetricsServiceRequest');
  }
  return { points, ...report.outcome() };
}

function readResourceMetrics(r: Reader, end: number, points: MetricPoint[], report: DecodeReport): void {
  const first = points.length;
  let resource: Attributes = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) resource = readResource(r, enterLengthDelimited(r), report);
    else if (tag === 18) readScopeMetrics(r, enterLengthDelimited(r), points, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  finishResourcePoints(points, first, resource);
}

function readScopeMetrics(r: Reader, end: number, points: MetricPoint[], report: DecodeReport): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) readMetric(r, enterLengthDelimited(r), points, report);
    else skipField(r, tag); // scope, schema_url
  }
  leaveMessage(r, end);
}

const KIND_BY_TAG: Record<number, MetricHeader['kind']> = { 42: 'gauge', 58: 'sum', 74: 'histogram', 82: 'exponential_histogram', 90: 'summary' };

function readMetric(r: Reader, end: number, points: MetricPoint[], report: DecodeReport): void {
  const header: MetricHeader = { name: '', unit: '', kind: 'none', temporality: 'unspecified', monotonic: false };
  // The data message is decoded after the whole metric: its name may come after it on the wire.
  let dataStart = -1;
  let dataEnd = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) header.name = readString(r);
    else if (tag === 26) header.unit = readString(r);
    else if (KIND_BY_TAG[tag] !== undefined) {
      header.kind = KIND_BY_TAG[tag];
      dataEnd = enterLengthDelimited(r);
      dataStart = r.pos;
      r.pos = dataEnd;
    } else skipField(r, tag);
  }
  leaveMessage(r, end);
  if (dataStart < 0) {
    report.reject(metricRefusal(header) ?? 'metric without data');
    return;
  }
  r.pos = dataStart;
  const pointRanges = readDataHeader(r, dataEnd, header);
  const refusal = metricRefusal(header);
  for (const [start, stop] of pointRanges) {
    if (refusal !== null) {
      report.reject(refusal);
      continue;
    }
    r.pos = start;
    const raw = header.kind === 'gauge' || header.kind === 'sum' ? readNumberPoint(r, stop, report) : readHistogramPoint(r, stop, report, header.kind === 'histogram');
    const point = rejectOnItemError(report, () => buildPoint(header, raw, report));
    if (point) points.push(point);
  }
  r.pos = end;
}

/** Reads temporality and monotonicity into `header`; returns the [start, end) of each data point. */
function readDataHeader(r: Reader, end: number, header: MetricHeader): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const stop = enterLengthDelimited(r);
      ranges.push([r.pos, stop]);
      r.pos = stop;
    } else if (tag === 16) header.temporality = TEMPORALITY_BY_NUMBER[r.int32()] ?? 'unspecified';
    else if (tag === 24) header.monotonic = r.bool();
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  return ranges;
}

function readFixed64(r: Reader): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return hi * 4294967296 + lo;
}

function readNumberPoint(r: Reader, end: number, report: DecodeReport): RawPoint {
  const point: RawPoint = { startUs: 0, timeUs: 0, value: NaN, count: 0, attributes: {} };
  let attrCount = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) point.startUs = nanosBitsToMicros(r.fixed32(), r.fixed32());
    else if (tag === 25) point.timeUs = nanosBitsToMicros(r.fixed32(), r.fixed32());
    else if (tag === 33) point.value = r.double();
    else if (tag === 49) {
      const lo = r.fixed32();
      point.value = r.sfixed32() * 4294967296 + lo;
    } else if (tag === 58) attrCount = readKeyValueInto(r, enterLengthDelimited(r), point.attributes, attrCount, 1, report);
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  return point;
}

/** HistogramDataPoint (explicit) or ExponentialHistogramDataPoint: count and sum for both, buckets for the explicit one. */
function readHistogramPoint(r: Reader, end: number, report: DecodeReport, explicit: boolean): RawPoint {
  const point: RawPoint = { startUs: 0, timeUs: 0, value: NaN, count: 0, attributes: {} };
  const bounds: number[] = [];
  const counts: number[] = [];
  const attributesTag = explicit ? 74 : 10;
  let attrCount = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) point.startUs = nanosBitsToMicros(r.fixed32(), r.fixed32());
    else if (tag === 25) point.timeUs = nanosBitsToMicros(r.fixed32(), r.fixed32());
    else if (tag === 33) point.count = readFixed64(r);
    else if (tag === 41) point.value = r.double();
    else if (tag === attributesTag) attrCount = readKeyValueInto(r, enterLengthDelimited(r), point.attributes, attrCount, 1, report);
    else if (explicit && tag === 50) {
      const stop = enterLengthDelimited(r);
      while (r.pos < stop) counts.push(readFixed64(r));
      leaveMessage(r, stop);
    } else if (explicit && tag === 49) counts.push(readFixed64(r));
    else if (explicit && tag === 58) {
      const stop = enterLengthDelimited(r);
      while (r.pos < stop) bounds.push(r.double());
      leaveMessage(r, stop);
    } else if (explicit && tag === 57) bounds.push(r.double());
    else skipField(r, tag);
  }
  leaveMessage(r, end);
  if (explicit) {
    point.bounds = bounds;
    point.bucketCounts = counts;
  }
  return point;
}
