import * as fc from 'fast-check';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { ValidationError } from '../../../../core/errors';
import type { MetricPoint } from '../../../../core/metric-point';
import { mutated } from './mutated-bytes';
import { decodeMetricsRequestJson, decodeMetricsRequestProto, encodeMetricsRequestProto, encodeExportResponse } from '../../../../core/otlp';

/** Metrics recorded through the real SDK: a counter, an up-down counter, a gauge, an explicit and an exponential histogram. */
async function sdkMetrics(temporality: AggregationTemporality): Promise<ResourceMetrics> {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'h1' }),
    readers: [reader],
    views: [{ instrumentName: 'latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('shop');
  const orders = meter.createCounter('orders', { unit: '{order}' });
  orders.add(3, { region: 'eu' });
  orders.add(4, { region: 'us' });
  meter.createUpDownCounter('queue.depth').add(-2);
  meter.createGauge('cpu.temp').record(61.5, { core: 0 });
  const latency = meter.createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
  for (const v of [5, 50, 50, 500, 5000]) latency.record(v, { route: '/pay' });
  meter.createHistogram('latency.exp').record(42);
  await reader.forceFlush();
  const collected = exporter.getMetrics();
  await provider.shutdown();
  return collected[collected.length - 1];
}

function byName(points: MetricPoint[], name: string): MetricPoint[] {
  return points.filter((p) => p.name === name);
}

describe.each(['proto', 'json'] as const)('OTLP metrics decoding of SDK-made %s requests', (format) => {
  const decode = (rm: ResourceMetrics) =>
    format === 'proto'
      ? decodeMetricsRequestProto(ProtobufMetricsSerializer.serializeRequest(rm)!)
      : decodeMetricsRequestJson(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm)!));

  it('gives one point per data point, with kind, temporality, resource and attributes', async () => {
    const decoded = decode(await sdkMetrics(AggregationTemporality.CUMULATIVE));
    expect(decoded.rejected).toBe(0);
    const orders = byName(decoded.points, 'orders');
    expect(orders.map((p) => [p.attributes.region, p.value]).sort()).toEqual([
      ['eu', 3],
      ['us', 4],
    ]);
    expect(orders[0]).toMatchObject({ kind: 'sum', temporality: 'cumulative', monotonic: true, unit: '{order}', service: 'checkout' });
    expect(orders[0].resource['host.name']).toBe('h1');
    expect(orders[0].timeUs).toBeGreaterThan(1.6e15);
    expect(byName(decoded.points, 'queue.depth')[0]).toMatchObject({ kind: 'sum', monotonic: false, value: -2 });
    expect(byName(decoded.points, 'cpu.temp')[0]).toMatchObject({ kind: 'gauge', value: 61.5, attributes: { core: 0 } });
    const latency = byName(decoded.points, 'latency')[0];
    expect(latency).toMatchObject({ kind: 'histogram', count: 5, value: 5605, bounds: [10, 100, 1000], bucketCounts: [1, 2, 1, 1], attributes: { route: '/pay' } });
    expect(byName(decoded.points, 'latency.exp')[0]).toMatchObject({ kind: 'exponential_histogram', count: 1, value: 42 });
  });

  it('reads delta temporality', async () => {
    const decoded = decode(await sdkMetrics(AggregationTemporality.DELTA));
    expect(byName(decoded.points, 'orders')[0].temporality).toBe('delta');
    expect(byName(decoded.points, 'latency')[0].temporality).toBe('delta');
  });
});

describe('OTLP metrics validation', () => {
  const point = { timeUnixNano: '1700000000000000000', asDouble: 1 };
  const request = (metric: unknown) => JSON.stringify({ resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: [metric] }] }] });

  it.each([
    ['no name', { gauge: { dataPoints: [point] } }, 'metric name must not be empty'],
    ['a summary', { name: 's', summary: { dataPoints: [{ timeUnixNano: '1' }] } }, 'Summary points are not accepted'],
    ['no temporality', { name: 'c', sum: { dataPoints: [point], isMonotonic: true } }, 'aggregationTemporality must be delta (1) or cumulative (2)'],
    ['no time', { name: 'g', gauge: { dataPoints: [{ asDouble: 1 }] } }, 'timeUnixNano must be set'],
    ['no value', { name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1000' }] } }, 'value must be a finite number'],
    // 2^53 µs and beyond: the µs would not be exact (the proto fuzz below found 10875926879456918 stored as …916)
    ['a time past the year 2255', { name: 'g', gauge: { dataPoints: [{ timeUnixNano: '10875926879456918000', asDouble: 1 }] } }, 'before the year 2255'],
    ['a start time past the year 2255', { name: 'g', gauge: { dataPoints: [{ startTimeUnixNano: '9007199254740992000', timeUnixNano: '1000', asDouble: 1 }] } }, 'before the year 2255'],
    ['a text value', { name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1000', asDouble: 'x' }] } }, 'asDouble must be a number'],
    [
      'buckets not bounds + 1',
      { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: '1000', count: '2', bucketCounts: ['2'], explicitBounds: [1] }] } },
      'bucketCounts must have explicitBounds.length + 1 entries',
    ],
    [
      'descending bounds',
      { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: '1000', count: '0', bucketCounts: [0, 0, 0], explicitBounds: [2, 1] }] } },
      'strictly ascending',
    ],
    [
      'a count that is not the buckets total',
      { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '1000', count: '9', bucketCounts: [1, 1], explicitBounds: [1] }] } },
      'count 9 is not the total of bucketCounts (2)',
    ],
  ])('rejects a point with %s, saying why', (_what, metric, reason) => {
    const decoded = decodeMetricsRequestJson(request(metric));
    expect(decoded.points).toHaveLength(0);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReasons.join(' ')).toContain(reason);
  });

  it('keeps the good points of a request with bad ones', () => {
    const body = JSON.stringify({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [point, { asDouble: 2 }] } }] }] }],
    });
    const decoded = decodeMetricsRequestJson(body);
    expect(decoded.points.map((p) => p.value)).toEqual([1]);
    expect(decoded.rejected).toBe(1);
  });

  it('refuses a body that is not a request', () => {
    expect(() => decodeMetricsRequestJson('[1]')).toThrow(ValidationError);
    expect(() => decodeMetricsRequestJson('{"resourceMetrics": 3}')).toThrow(/resourceMetrics must be an array/);
    expect(() => decodeMetricsRequestProto(Buffer.from([0x0a, 0x50, 0x01]))).toThrow(/malformed protobuf ExportMetricsServiceRequest/);
  });

  it('answers partial success in rejected_data_points', () => {
    expect(JSON.parse(encodeExportResponse('metrics', 2, 'why', 'json'))).toEqual({ partialSuccess: { rejectedDataPoints: '2', errorMessage: 'why' } });
  });
});

describe('encodeMetricsRequestProto', () => {
  it('round-trips points through the decoder (the bus payload)', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'rt' }), readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createCounter('c').add(7, { k: 'v' });
    meter.createHistogram('h', { advice: { explicitBucketBoundaries: [1, 2] } }).record(1.5);
    meter.createGauge('g').record(-3);
    await reader.forceFlush();
    const rm = exporter.getMetrics().at(-1)!;
    await provider.shutdown();
    const original = decodeMetricsRequestProto(ProtobufMetricsSerializer.serializeRequest(rm)!).points;
    const again = decodeMetricsRequestProto(encodeMetricsRequestProto(original)).points;
    expect(again).toEqual(original);
  });
});

describe('OTLP metrics decoding of hostile bytes', () => {
  it('noise and mutated valid requests decode into valid points or are refused with a ValidationError; what decodes re-encodes to the same points', async () => {
    const valid = ProtobufMetricsSerializer.serializeRequest(await sdkMetrics(AggregationTemporality.CUMULATIVE))!;
    const noise = fc.uint8Array({ maxLength: 512 });
    fc.assert(
      fc.property(fc.oneof(noise, mutated(valid)), (bytes) => {
        let points: MetricPoint[];
        try {
          points = decodeMetricsRequestProto(bytes).points;
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          return;
        }
        for (const p of points) {
          expect(p.timeUs).toBeGreaterThan(0);
          if (p.kind === 'gauge' || p.kind === 'sum') expect(Number.isFinite(p.value)).toBe(true);
          if (p.kind === 'histogram' && p.bucketCounts!.length > 0) expect(p.bucketCounts!.reduce((a, b) => a + b, 0)).toBe(p.count);
        }
        expect(decodeMetricsRequestProto(encodeMetricsRequestProto(points)).points).toEqual(points);
      }),
      { numRuns: 300 },
    );
  });
});
