import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';

type Protocol = 'http/protobuf' | 'http/json' | 'grpc';

function exporterFor(app: TestAllInOne, protocol: Protocol, temporality: AggregationTemporality): PushMetricExporter {
  const temporalityPreference = temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
  if (protocol === 'grpc') return new GrpcMetricExporter({ url: app.otlpGrpcUrl, temporalityPreference } as never);
  const Exporter = protocol === 'http/json' ? JsonMetricExporter : ProtoMetricExporter;
  return new Exporter({ url: `${app.otlpUrl}/v1/metrics`, temporalityPreference } as never);
}

/**
 * The real OTel JS metrics SDK exporting to the all-in-one over each OTLP
 * protocol; the series read back through GET /api/metrics/series.
 */
describe.each([
  ['spans ingested on the main thread', false],
  ['spans ingested on threads (metric points still on the main thread)', true],
])('OTLP metrics from the OpenTelemetry JS SDK into the all-in-one, %s', (_label, ingestThread) => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne({ ingestThread });
  });
  afterAll(() => app.dispose());

  describe.each([
    ['http/protobuf', AggregationTemporality.CUMULATIVE],
    ['http/json', AggregationTemporality.DELTA],
    ['grpc', AggregationTemporality.CUMULATIVE],
  ] as const)('over %s (temporality %s)', (protocol, temporality) => {
    const service = `metrics-${protocol.replace('/', '-')}`;

    it('stores counter, gauge and histogram points; names, labels, counter rate and histogram quantile come back through the API', async () => {
      const startMs = Date.now() - 1000;
      const reader = new PeriodicExportingMetricReader({ exporter: exporterFor(app, protocol, temporality), exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service, 'host.name': 'm-host' }), readers: [reader] });
      const meter = provider.getMeter('it');
      const orders = meter.createCounter('shop.orders');
      const latency = meter.createHistogram('shop.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
      const temp = meter.createGauge('shop.temp');
      orders.add(30, { region: 'eu' });
      orders.add(90, { region: 'us' });
      for (let i = 0; i < 90; i++) latency.record(50, { route: '/pay' });
      for (let i = 0; i < 10; i++) latency.record(500, { route: '/pay' });
      temp.record(21.5);
      await reader.forceFlush();
      await provider.shutdown();
      const endMs = Date.now() + 1000;

      const names = await waitFor(async () => {
        const r = await getJson(`${app.apiUrl}/api/metrics`);
        const mine = r.body.metrics?.filter((m: any) => m.name.startsWith('shop.'));
        return mine?.length >= 3 ? mine : undefined;
      }, 'the metric names');
      expect(names.find((m: any) => m.name === 'shop.orders')).toMatchObject({ kind: 'sum', monotonic: true });
      expect(names.find((m: any) => m.name === 'shop.latency')).toMatchObject({ kind: 'histogram', unit: 'ms' });

      const window = `start=${startMs}&end=${endMs}&step=${Math.ceil((endMs - startMs) / 1000) + 1}s`;
      const stepSeconds = Math.ceil((endMs - startMs) / 1000) + 1;
      // the counters started in the window, so the whole count is the step's increase
      const rate = await waitFor(async () => {
        const r = await getJson(`${app.apiUrl}/api/metrics/series?name=shop.orders&${window}&groupBy=region,service&fn=rate`);
        const mine = r.body.series?.filter((s: any) => s.labels.service === service);
        return mine?.length === 2 ? mine : undefined;
      }, 'the counter series');
      const byRegion = Object.fromEntries(rate.map((s: any) => [s.labels.region, s.points[0].value * stepSeconds]));
      expect(byRegion.eu).toBeCloseTo(30, 6);
      expect(byRegion.us).toBeCloseTo(90, 6);

      const labels = await getJson(`${app.apiUrl}/api/metrics?name=shop.orders`);
      expect(labels.body.labels).toEqual(expect.arrayContaining([{ key: 'region', values: ['eu', 'us'] }]));

      const p50 = await getJson(`${app.apiUrl}/api/metrics/series?name=shop.latency&${window}&groupBy=service&fn=quantile&quantile=0.5`);
      const mine = p50.body.series.find((s: any) => s.labels.service === service);
      // 90 of 100 in (10, 100]: the median is 10 + 90 * (50 / 90)
      expect(mine.points[0].value).toBeCloseTo(60, 6);
      const p99 = await getJson(`${app.apiUrl}/api/metrics/series?name=shop.latency&${window}&groupBy=service&fn=quantile&quantile=0.99`);
      expect(p99.body.series.find((s: any) => s.labels.service === service).points[0].value).toBeCloseTo(100 + 900 * 0.9, 6);
    });
  });

  it('answers bad metric input with clear errors, and bad queries with a 400 naming the parameter', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${app.otlpUrl}/v1/metrics`, { method: 'POST', body, headers: { 'Content-Type': contentType } });
    const notJson = await post('{"resourceMetrics": 7}');
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toMatch(/resourceMetrics must be an array/);
    const summary = await post(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 's', summary: { dataPoints: [{ timeUnixNano: '1' }] } }] }] }] }));
    expect(summary.status).toBe(200);
    expect(await summary.json()).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringMatching(/Summary points are not accepted/) } });
    const garbage = await post('\u0001\u0002', 'application/x-protobuf');
    expect(garbage.status).toBe(400);

    for (const [query, parameter] of [
      ['', 'name'],
      ['name=x&fn=median', 'fn'],
      ['name=x&quantile=2', 'quantile'],
      ['name=x&step=0', 'step'],
      ['name=x&start=1000&end=2000000000&step=1s', 'step'],
      ['name=x&start=2000&end=1000', 'start'],
    ]) {
      const r = await getJson(`${app.apiUrl}/api/metrics/series?${query}`);
      expect({ query, status: r.status, parameter: r.body.parameter }).toEqual({ query, status: 400, parameter });
    }
    // a gauge has no quantile
    await post(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'bad.gauge', gauge: { dataPoints: [{ timeUnixNano: String(Date.now() * 1e6), asDouble: 1 }] } }] }] }] }));
    const gaugeQuantile = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/metrics/series?name=bad.gauge&fn=quantile`);
      return r.status === 400 ? r : undefined;
    }, 'the gauge to be stored');
    expect(gaugeQuantile.body).toMatchObject({ parameter: 'fn', error: expect.stringMatching(/needs an explicit-bucket histogram/) });
    expect((await getJson(`${app.apiUrl}/api/health`)).status).toBe(200);
  });
});
