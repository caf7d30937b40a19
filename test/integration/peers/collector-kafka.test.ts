import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describeWithEngines } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';
import { counter, Harness, roleEnv, runNames, sharedEngines } from '../distributed/helpers';
import { describeWithJaeger, startJaeger, type RunningJaeger } from './jaeger-peer';

const getJson = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as any };
};

/**
 * A real OpenTelemetry Collector (Jaeger v2) writes `otlp_proto` with its
 * `kafka` exporter straight into the topics Chainscope's ingest role reads,
 * skipping Chainscope's collector: the spans and logs are found through the
 * query role, and ingest's /metrics counts them as span metrics.
 */
describeWithJaeger('a real OpenTelemetry Collector (Jaeger v2) writing otlp_proto to Kafka for Chainscope ingest', (jaegerBinary) => {
  describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: collector kafka exporter → ingest role → query role', () => {
    const harness = new Harness();
    let jaeger: RunningJaeger | undefined;
    afterAll(async () => {
      await jaeger?.stop();
      await harness.dispose();
    }, 60_000);

    it('stores the traces and logs the collector wrote to Kafka, read back through /api and /jaeger/api', harness.withOutputs(async () => {
      const engines = sharedEngines();
      const names = runNames('otelkafka');
      harness.cleanUpNames(names, engines);
      const env = roleEnv(names, engines);
      const [ingest, query] = await Promise.all([harness.start('ingest', env), harness.start('query', env)]);
      jaeger = await startJaeger(jaegerBinary, undefined, { brokers: engines.kafka, tracesTopic: names.spansTopic, logsTopic: names.logsTopic });

      const service = names.service;
      const resource = resourceFromAttributes({ 'service.name': service, 'host.name': 'edge-kafka' });
      const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${jaeger.otlpHttpUrl}/v1/traces` }))] });
      const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor(new OTLPLogExporter({ url: `${jaeger.otlpHttpUrl}/v1/logs` }))] });
      const tracer = tracerProvider.getTracer('kafka-export-test', '1.0.0');
      const root = tracer.startSpan('POST /pay', { kind: SpanKind.SERVER, attributes: { 'order.id': `ORD-${names.tag}` } });
      const child = tracer.startSpan('psp charge', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'psp' } }, trace.setSpan(context.active(), root));
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
      child.end();
      loggerProvider.getLogger('kafka-export-test').emit({ severityNumber: SeverityNumber.ERROR, body: `payment declined ${names.tag}`, context: trace.setSpan(context.active(), child) });
      root.end();
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
      const traceId = root.spanContext().traceId;

      const ours = await waitFor(async () => {
        const r = await getJson(`${query.url}/api/traces/${traceId}`);
        return r.status === 200 && r.body.spans.length === 2 ? r.body : undefined;
      }, 'the trace the collector wrote to Kafka, in ClickHouse', 60_000);
      expect(ours.spans.find((s: any) => s.name === 'psp charge')).toMatchObject({
        service,
        kind: 'client',
        spanId: child.spanContext().spanId,
        parentSpanId: root.spanContext().spanId,
        status: { code: 'error', message: 'declined' },
      });
      expect(ours.spans.find((s: any) => s.name === 'POST /pay')).toMatchObject({ kind: 'server', spanId: root.spanContext().spanId, attributes: { 'order.id': `ORD-${names.tag}` } });
      const jaegerApi = await getJson(`${query.url}/jaeger/api/traces/${traceId}`);
      expect(jaegerApi.body.data[0].spans.map((s: any) => s.operationName).sort()).toEqual(['POST /pay', 'psp charge']);

      const logs = await waitFor(async () => {
        const r = await getJson(`${query.url}/api/logs?traceId=${traceId}`);
        return r.body.logs?.length === 1 ? r.body.logs : undefined;
      }, 'the log record the collector wrote to Kafka, in OpenSearch', 60_000);
      expect(logs[0]).toMatchObject({ service, body: `payment declined ${names.tag}`, spanId: child.spanContext().spanId });

      // The ingest threads pass their counter growth to the main thread after the write, so
      // the trace can be readable a moment before /metrics counts it.
      const clientCalls = `traces_span_metrics_calls_total{service_name="${service}",span_name="psp charge",span_kind="SPAN_KIND_CLIENT",status_code="STATUS_CODE_ERROR"} 1`;
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${ingest.url}/metrics`)).text();
        return text.includes(clientCalls) ? text : undefined;
      }, 'the span metrics of the two spans on the ingest /metrics', 30_000);
      expect(metrics).toContain(`traces_span_metrics_calls_total{service_name="${service}",span_name="POST /pay",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"} 1`);
      expect(await counter(`${ingest.url}/metrics`, 'chainscope_ingest_dead_lettered_total')).toBe(0);
      await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
    }), 240_000);
  });
});
