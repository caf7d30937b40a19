import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { Kafka, logLevel } from 'kafkajs';
import { describeWithEngines } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';
import { clickhouseQuery, Harness, roleEnv, runNames, sharedEngines } from './helpers';

const getJson = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as any };
};

/** One SDK export of a counter and a histogram from `service` (cumulative, the SDK default). */
async function exportOnce(exporter: PushMetricExporter, service: string): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service }), readers: [reader] });
  const meter = provider.getMeter('dist');
  const orders = meter.createCounter('dist.orders');
  const latency = meter.createHistogram('dist.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
  orders.add(40, { region: 'eu' });
  orders.add(60, { region: 'us' });
  for (let i = 0; i < 80; i++) latency.record(50);
  for (let i = 0; i < 20; i++) latency.record(500);
  await reader.forceFlush();
  await provider.shutdown();
}

/**
 * The distributed roles with real Kafka and ClickHouse: the collector
 * publishes OTLP metrics (HTTP and gRPC) on the run's metrics topic, the
 * ingest role writes them to ClickHouse's metric tables, the query role
 * answers /api/metrics from them; the same request put on the topic twice
 * (a redelivery) is stored once.
 */
describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: OTLP metrics through Kafka into ClickHouse', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 60_000);

  it('stores SDK metrics sent over HTTP and gRPC and answers names, labels, rates and quantiles from ClickHouse', harness.withOutputs(async () => {
    const engines = sharedEngines();
    const names = runNames('metrics');
    harness.cleanUpNames(names, engines);
    const env = roleEnv(names, engines);
    const [collector, ingest] = await Promise.all([harness.start('collector', env), harness.start('ingest', env)]);
    const grpcUrl = (await collector.proc.waitForOutput(/OTLP\/gRPC receiver listening on (http:\/\/[\d.]+:\d+)/, 30_000))[1];
    const query = await harness.start('query', env);

    const startMs = Date.now() - 1000;
    await exportOnce(new ProtoMetricExporter({ url: `${collector.otlpUrl}/v1/metrics` }), `${names.service}-http`);
    await exportOnce(new GrpcMetricExporter({ url: grpcUrl }), `${names.service}-grpc`);
    const endMs = Date.now() + 1000;
    const stepSeconds = Math.ceil((endMs - startMs) / 1000) + 1;
    const window = `start=${startMs}&end=${endMs}&step=${stepSeconds}s`;

    const rates = await waitFor(async () => {
      const r = await getJson(`${query.url}/api/metrics/series?name=dist.orders&${window}&groupBy=service,region&fn=rate`);
      return r.body.series?.length === 4 ? r.body.series : undefined;
    }, 'four counter series (2 services x 2 regions) from ClickHouse', 60_000);
    const increases = (series: any[]) =>
      Object.fromEntries(series.map((s: any) => [`${s.labels.service.replace(names.service, '')}/${s.labels.region}`, Math.round(s.points[0].value * stepSeconds)]));
    expect(increases(rates)).toEqual({ '-grpc/eu': 40, '-grpc/us': 60, '-http/eu': 40, '-http/us': 60 });

    const listed = await getJson(`${query.url}/api/metrics`);
    expect(listed.body.metrics).toEqual([
      { name: 'dist.latency', kind: 'histogram', unit: 'ms', temporality: 'cumulative', monotonic: false, series: 2 },
      { name: 'dist.orders', kind: 'sum', unit: '', temporality: 'cumulative', monotonic: true, series: 4 },
    ]);
    const labels = await getJson(`${query.url}/api/metrics?name=dist.orders`);
    expect(labels.body.labels).toEqual([
      { key: 'region', values: ['eu', 'us'] },
      { key: 'service', values: [`${names.service}-grpc`, `${names.service}-http`] },
    ]);
    const p50 = await getJson(`${query.url}/api/metrics/series?name=dist.latency&${window}&fn=quantile&quantile=0.5`);
    // 160 of 200 observations in (10, 100]: the median is 10 + 90 * (100 / 160)
    expect(p50.body.series[0].points[0].value).toBeCloseTo(10 + 90 * (100 / 160), 6);

    // what the ingest role wrote, read from ClickHouse itself: per service 2 counter series + 1 histogram, one point
    // each per SDK export (forceFlush, then shutdown's last collection)
    const stored = async () => Number((await clickhouseQuery(engines.clickhouse, `SELECT count() FROM ${names.database}.metric_points FINAL`)).trim());
    const points = await stored();
    expect([6, 12]).toContain(points);
    expect(await ingest.counter('chainscope_ingest_metric_points_written_total')).toBe(points);

    // the collector's messages again on the topic, as a redelivery brings them: nothing new shows
    const kafka = new Kafka({ clientId: 'dist-metrics-test', brokers: engines.kafka.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${names.group}_copy` });
    const producer = kafka.producer();
    await Promise.all([consumer.connect(), producer.connect()]);
    try {
      const copied: Buffer[] = [];
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(names.metricsTopic).finally(() => admin.disconnect());
      const onTopic = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      await consumer.subscribe({ topic: names.metricsTopic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void (message.value && copied.push(message.value)) });
      await waitFor(async () => (copied.length === onTopic ? true : undefined), 'the metric requests on the topic', 30_000);
      await producer.send({ topic: names.metricsTopic, messages: copied.map((value) => ({ value })) });
    } finally {
      await Promise.all([consumer.disconnect(), producer.disconnect()]);
    }
    await waitFor(async () => ((await ingest.counter('chainscope_ingest_metric_points_written_total')) === 2 * points ? true : undefined), 'the redelivered points written again', 60_000);
    expect(await stored()).toBe(points);
    const again = await getJson(`${query.url}/api/metrics/series?name=dist.orders&${window}&groupBy=service,region&fn=rate`);
    expect(increases(again.body.series)).toEqual(increases(rates));
  }), 180_000);
});
