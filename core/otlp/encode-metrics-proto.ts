import type { MetricPoint } from '../metric-point';
import { ProtoSink, writeAttributes, writeMicrosAsNanos, writeResourceBody, writeString } from './proto-writer';

const TEMPORALITY_NUMBER = { unspecified: 0, delta: 1, cumulative: 2 } as const;
const DATA_TAG = { gauge: 42, sum: 58, histogram: 74, exponential_histogram: 82 } as const;

/**
 * Encodes metric points as an OTLP ExportMetricsServiceRequest (the bus
 * payload when a request was JSON or had points refused): consecutive points
 * of one resource share a ResourceMetrics, each point is its own Metric with
 * one data point. Values go as doubles; an exponential histogram keeps only its
 * count and sum (what the store keeps of it).
 */
export function encodeMetricsRequestProto(points: readonly MetricPoint[]): Uint8Array {
  const w = new ProtoSink(64 * 1024);
  let i = 0;
  while (i < points.length) {
    const resource = points[i].resource;
    const resourceGroup = w.varint(10).begin();
    const resourceMark = w.varint(10).begin();
    writeResourceBody(w, resource);
    w.end(resourceMark);
    const scope = w.varint(18).begin();
    for (; i < points.length && points[i].resource === resource; i++) writeMetric(w, points[i]);
    w.end(scope);
    w.end(resourceGroup);
  }
  return w.finish();
}

function writeMetric(w: ProtoSink, p: MetricPoint): void {
  const metric = w.varint(18).begin();
  writeString(w, 10, p.name);
  writeString(w, 26, p.unit);
  const data = w.varint(DATA_TAG[p.kind]).begin();
  const point = w.varint(10).begin();
  writeMicrosAsNanos(w, 17, p.startUs);
  writeMicrosAsNanos(w, 25, p.timeUs);
  if (p.kind === 'gauge' || p.kind === 'sum') {
    w.varint(33).double(p.value);
    writeAttributes(w, 7, p.attributes);
  } else {
    writeFixed64(w.varint(33), p.count);
    if (!Number.isNaN(p.value)) w.varint(41).double(p.value);
    writeAttributes(w, p.kind === 'histogram' ? 9 : 1, p.attributes);
    if (p.kind === 'histogram') {
      for (const c of p.bucketCounts ?? []) writeFixed64(w.varint(49), c);
      for (const b of p.bounds ?? []) w.varint(57).double(b);
    }
  }
  w.end(point);
  if (p.kind !== 'gauge') w.varint(16).varint(TEMPORALITY_NUMBER[p.temporality]);
  if (p.kind === 'sum' && p.monotonic) w.varint(24).varint(1);
  w.end(data);
  w.end(metric);
}

function writeFixed64(w: ProtoSink, n: number): void {
  w.fixed32(n % 4294967296).fixed32(Math.floor(n / 4294967296));
}
