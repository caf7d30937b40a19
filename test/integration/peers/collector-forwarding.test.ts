import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';
import { describeWithJaeger, startJaeger, type RunningJaeger } from './jaeger-peer';

const title = 'a real OpenTelemetry Collector (Jaeger v2) forwarding OTLP over gRPC to Chainscope';

/**
 * Jaeger v2 is an OpenTelemetry Collector distribution: its `otlp` exporter
 * forwards what it receives to Chainscope's OTLP/gRPC port (gzip), the way a
 * user's collector would. Needs `scripts/peers/install jaeger` (skipped otherwise).
 */
describeWithJaeger(title, (jaegerBinary) => {
  let app: TestAllInOne;
  let jaeger: RunningJaeger;
  beforeAll(async () => {
    app = await startTestAllInOne();
    jaeger = await startJaeger(jaegerBinary, app.otlpGrpcUrl);
  }, 90_000);
  afterAll(async () => {
    await jaeger?.stop();
    await app?.dispose();
  });

  it('delivers the spans and logs an SDK sent to the collector, queryable in Chainscope as in Jaeger', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'via-collector', 'host.name': 'edge-1' });
    const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${jaeger.otlpHttpUrl}/v1/traces` }))] });
    const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor(new OTLPLogExporter({ url: `${jaeger.otlpHttpUrl}/v1/logs` }))] });
    const tracer = tracerProvider.getTracer('forwarding-test', '2.0.0');
    const root = tracer.startSpan('GET /basket', { kind: SpanKind.SERVER, attributes: { 'order.id': 'ORD-FWD-1', 'http.response.status_code': 200 } });
    const child = tracer.startSpan('redis GET', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'redis' } }, trace.setSpan(context.active(), root));
    child.addEvent('cache miss', { key: 'basket:42' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
    child.end();
    loggerProvider.getLogger('forwarding-test').emit({ severityNumber: SeverityNumber.WARN, body: 'basket ORD-FWD-1 slow', context: trace.setSpan(context.active(), child) });
    root.end();
    await tracerProvider.forceFlush();
    await loggerProvider.forceFlush();
    const traceId = root.spanContext().traceId;

    const ours = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/traces/${traceId}`);
      return r.status === 200 && r.body.spans.length === 2 ? r.body : undefined;
    }, 'the forwarded trace in Chainscope', 30_000);
    const theirs = await waitFor(async () => {
      const r = await getJson(`${jaeger.queryUrl}/api/traces/${traceId}`);
      return r.status === 200 && r.body.data?.[0]?.spans.length === 2 ? r.body.data[0] : undefined;
    }, 'the trace in Jaeger', 30_000);
    expect(theirs.spans.map((s: any) => s.spanID).sort()).toEqual(ours.spans.map((s: any) => s.spanId).sort());
    expect(ours.spans.find((s: any) => s.name === 'redis GET')).toMatchObject({
      service: 'via-collector',
      kind: 'client',
      parentSpanId: root.spanContext().spanId,
      status: { code: 'error', message: 'timeout' },
      events: [{ name: 'cache miss', attributes: { key: 'basket:42' } }],
      scope: { name: 'forwarding-test', version: '2.0.0' },
    });
    expect(ours.spans.find((s: any) => s.name === 'GET /basket').resource).toMatchObject({ 'host.name': 'edge-1' });

    const logs = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/logs?traceId=${traceId}`);
      return r.body.logs?.length === 1 ? r.body.logs : undefined;
    }, 'the forwarded log record in Chainscope', 30_000);
    expect(logs[0]).toMatchObject({ service: 'via-collector', body: 'basket ORD-FWD-1 slow', spanId: child.spanContext().spanId });
    await tracerProvider.shutdown();
    await loggerProvider.shutdown();
  });
});
