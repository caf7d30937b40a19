import { context, SpanKind, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describeWithEngines } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';
import { Harness, roleEnv, runNames, sharedEngines } from './helpers';

const getJson = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as any };
};

describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: OTLP/gRPC and Zipkin into the collector role', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 60_000);

  it('stores what the OTel gRPC exporters and the Zipkin exporter send to the collector, read back through /api and /jaeger/api', harness.withOutputs(async () => {
    const engines = sharedEngines();
    const names = runNames('protocols');
    harness.cleanUpNames(names, engines);
    const env = roleEnv(names, engines);
    const [collector] = await Promise.all([harness.start('collector', env), harness.start('ingest', env)]);
    const grpcUrl = (await collector.proc.waitForOutput(/OTLP\/gRPC receiver listening on (http:\/\/[\d.]+:\d+)/, 30_000))[1];
    const zipkinUrl = (await collector.proc.waitForOutput(/Zipkin receiver listening on (http:\/\/[\d.]+:\d+)/, 30_000))[1];
    const query = await harness.start('query', env);

    const service = names.service;
    const resource = resourceFromAttributes({ 'service.name': service });
    const grpcTracing = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }))] });
    const grpcLogging = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }))] });
    const zipkinTracing = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': `${service}-zk` }), spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url: `${zipkinUrl}/api/v2/spans` }))] });

    const root = grpcTracing.getTracer('dist').startSpan('GET /grpc', { kind: SpanKind.SERVER, attributes: { 'order.id': `ORD-${names.tag}` } });
    grpcLogging.getLogger('dist').emit({ severityNumber: SeverityNumber.INFO, body: `grpc log ${names.tag}`, context: trace.setSpan(context.active(), root) });
    root.end();
    const zk = zipkinTracing.getTracer('dist').startSpan('GET /zipkin', { kind: SpanKind.SERVER });
    zk.end();
    await Promise.all([grpcTracing.forceFlush(), grpcLogging.forceFlush(), zipkinTracing.forceFlush()]);

    for (const [span, name] of [[root, 'GET /grpc'], [zk, 'GET /zipkin']] as const) {
      const traceId = span.spanContext().traceId;
      const ours = await waitFor(async () => {
        const r = await getJson(`${query.url}/api/traces/${traceId}`);
        return r.status === 200 ? r.body : undefined;
      }, `${name} in ClickHouse`, 60_000);
      expect(ours.spans[0]).toMatchObject({ name, kind: 'server', spanId: span.spanContext().spanId });
      const jaeger = await getJson(`${query.url}/jaeger/api/traces/${traceId}`);
      expect(jaeger.body.data[0].spans[0]).toMatchObject({ operationName: name, spanID: span.spanContext().spanId });
    }
    const logs = await waitFor(async () => {
      const r = await getJson(`${query.url}/api/logs?traceId=${root.spanContext().traceId}`);
      return r.body.logs?.length === 1 ? r.body.logs : undefined;
    }, 'the gRPC log record in OpenSearch', 60_000);
    expect(logs[0]).toMatchObject({ service, body: `grpc log ${names.tag}` });
    await Promise.all([grpcTracing.shutdown(), grpcLogging.shutdown(), zipkinTracing.shutdown()]);
  }), 180_000);
});
