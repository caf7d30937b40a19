import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';

/**
 * Conformance with the real OpenTelemetry JS exporters: what they send over
 * http/protobuf and http/json must come out of the query API unchanged.
 */
describe.each([
  ['http/protobuf', ProtoTraceExporter, ProtoLogExporter],
  ['http/json', JsonTraceExporter, JsonLogExporter],
])('OpenTelemetry JS exporters over %s', (protocol, TraceExporter, LogExporter) => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne();
  });
  afterAll(() => app.dispose());

  it('delivers spans and logs that the API returns with their attributes, events, links and trace context', async () => {
    const service = `conformance-${protocol.replace('/', '-')}`;
    const resource = resourceFromAttributes({ 'service.name': service, 'host.name': 'test-host' });
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(new TraceExporter({ url: `${app.otlpUrl}/v1/traces` }))],
    });
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor(new LogExporter({ url: `${app.otlpUrl}/v1/logs` }))],
    });
    const tracer = tracerProvider.getTracer('conformance', '1.0.0');
    const logger = loggerProvider.getLogger('conformance');

    const linked = tracer.startSpan('earlier work');
    linked.end();
    const root = tracer.startSpan('POST /orders', {
      kind: SpanKind.SERVER,
      attributes: { 'order.id': 'ORD-CONF-1', 'http.response.status_code': 500, retry: true, ratio: 0.25, tags: ['a', 'b'] },
      links: [{ context: linked.spanContext(), attributes: { reason: 'follows' } }],
    });
    const ctx = trace.setSpan(context.active(), root);
    const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, ctx);
    child.addEvent('row fetched', { rows: 3 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
    child.end();
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'order ORD-CONF-1 failed: deadlock detected',
      attributes: { 'order.id': 'ORD-CONF-1' },
      context: trace.setSpan(context.active(), child),
    });
    root.end();
    await tracerProvider.forceFlush();
    await loggerProvider.forceFlush();

    const traceId = root.spanContext().traceId;
    const { body } = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/traces/${traceId.toUpperCase()}`);
      return r.status === 200 && r.body.spans.length === 2 ? r : undefined;
    }, 'the trace to be queryable');
    expect(body.traceId).toBe(traceId);
    const rootView = body.spans.find((s: any) => s.name === 'POST /orders');
    const childView = body.spans.find((s: any) => s.name === 'SELECT orders');
    expect(rootView).toMatchObject({
      spanId: root.spanContext().spanId,
      parentSpanId: '',
      service,
      kind: 'server',
      attributes: { 'order.id': 'ORD-CONF-1', 'http.response.status_code': 500, retry: true, ratio: 0.25, tags: ['a', 'b'] },
      resource: expect.objectContaining({ 'service.name': service, 'host.name': 'test-host' }),
      links: [{ traceId: linked.spanContext().traceId, spanId: linked.spanContext().spanId, attributes: { reason: 'follows' } }],
    });
    expect(childView).toMatchObject({
      parentSpanId: root.spanContext().spanId,
      kind: 'client',
      status: { code: 'error', message: 'deadlock detected' },
      events: [{ name: 'row fetched', attributes: { rows: 3 } }],
    });
    expect(childView.startUs).toBeGreaterThanOrEqual(rootView.startUs);
    expect(rootView.durationUs).toBeGreaterThanOrEqual(childView.durationUs);

    const logs = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/logs?traceId=${traceId}`);
      return r.body.logs.length === 1 ? r.body.logs : undefined;
    }, 'the log record to be queryable');
    expect(logs[0]).toMatchObject({
      service,
      severity: 'ERROR',
      body: 'order ORD-CONF-1 failed: deadlock detected',
      traceId,
      spanId: child.spanContext().spanId,
      attributes: { 'order.id': 'ORD-CONF-1' },
    });

    const search = await getJson(`${app.apiUrl}/api/traces?service=${service}&attr=order.id:ORD-CONF-1`);
    expect(search.body.traces.map((t: any) => t.traceId)).toContain(traceId);
    const summary = search.body.traces.find((t: any) => t.traceId === traceId);
    expect(summary).toMatchObject({ rootService: service, rootName: 'POST /orders', spanCount: 2, errorCount: 1, services: [service] });

    await tracerProvider.shutdown();
    await loggerProvider.shutdown();
  });
});
