import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Annotation, BatchRecorder, ExplicitContext, jsonEncoder, Tracer } from 'zipkin';
import { HttpLogger } from 'zipkin-transport-http';
import { Client, credentials, Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { otlpMethodPath } from '../../../collector/otlp-grpc/services';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';

/** The all-in-one's OTLP/gRPC and Zipkin ports, fed by the real exporters and tracers, answered through the query API. */
describe('all-in-one OTLP/gRPC and Zipkin receivers', () => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne();
  });
  afterAll(() => app.dispose());

  const traceOf = (traceId: string, spans: number) =>
    waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/traces/${traceId}`);
      return r.status === 200 && r.body.spans.length === spans ? r.body : undefined;
    }, `trace ${traceId} with ${spans} spans to be queryable`);

  it('listens on its own free ports when OTLP_HTTP_PORT is 0', () => {
    expect(app.otlpGrpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.zipkinUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.otlpGrpcUrl).not.toBe('http://127.0.0.1:4317');
  });

  it('answers bad input on each new port with its protocol\'s clear error, and keeps serving', async () => {
    const client = new Client(app.otlpGrpcUrl.replace(/^http:\/\//, ''), credentials.createInsecure());
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.makeUnaryRequest(otlpMethodPath('logs'), (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x05, 0x01]), new Metadata(), (err) => resolve(err)),
    );
    client.close();
    expect(error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/\S/);
    const zipkin = await fetch(`${app.zipkinUrl}/api/v2/spans`, { method: 'POST', body: '[{"traceId":"abc"}]', headers: { 'Content-Type': 'application/json' } });
    expect(zipkin.status).toBe(400);
    expect(await zipkin.text()).toMatch(/span\[0\]\.id is required/);
    const jaeger = await getJson(`${app.apiUrl}/jaeger/api/traces?minDuration=soon`);
    expect(jaeger).toMatchObject({ status: 400, body: { data: null, errors: [{ code: 400, msg: expect.stringMatching(/service/) }] } });
    const jaegerDuration = await getJson(`${app.apiUrl}/jaeger/api/traces?service=x&minDuration=soon`);
    expect(jaegerDuration.body.errors[0].msg).toMatch(/minDuration must be a duration like 1\.5ms/);
    expect((await getJson(`${app.apiUrl}/api/health`)).status).toBe(200);
  });

  it('stores what the OTel JS gRPC trace and log exporters send (gzip), found through the query API', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'grpc-checkout', 'host.name': 'grpc-host' });
    const url = app.otlpGrpcUrl;
    const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url, compression: CompressionAlgorithm.GZIP }))] });
    const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url, compression: CompressionAlgorithm.GZIP }))] });
    const tracer = tracerProvider.getTracer('grpc-it', '1.0.0');
    const root = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER, attributes: { 'order.id': 'ORD-GRPC-1' } });
    const child = tracer.startSpan('reserve stock', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'stock' } }, trace.setSpan(context.active(), root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'no stock' });
    child.end();
    loggerProvider.getLogger('grpc-it').emit({
      severityNumber: SeverityNumber.ERROR,
      body: 'order ORD-GRPC-1 failed: no stock',
      context: trace.setSpan(context.active(), child),
    });
    root.end();
    await tracerProvider.forceFlush();
    await loggerProvider.forceFlush();

    const traceId = root.spanContext().traceId;
    const body = await traceOf(traceId, 2);
    expect(body.spans.find((s: any) => s.name === 'POST /checkout')).toMatchObject({ service: 'grpc-checkout', kind: 'server', attributes: { 'order.id': 'ORD-GRPC-1' } });
    expect(body.spans.find((s: any) => s.name === 'reserve stock')).toMatchObject({ parentSpanId: root.spanContext().spanId, status: { code: 'error', message: 'no stock' } });
    const logs = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/logs?traceId=${traceId}`);
      return r.body.logs.length === 1 ? r.body.logs : undefined;
    }, 'the gRPC log record to be queryable');
    expect(logs[0]).toMatchObject({ service: 'grpc-checkout', body: 'order ORD-GRPC-1 failed: no stock', spanId: child.spanContext().spanId });
    const search = await getJson(`${app.apiUrl}/api/traces?service=grpc-checkout&attr=order.id:ORD-GRPC-1`);
    expect(search.body.traces.map((t: any) => t.traceId)).toContain(traceId);
    await tracerProvider.shutdown();
    await loggerProvider.shutdown();
  });

  it('stores what @opentelemetry/exporter-zipkin sends', async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'zipkin-otel-svc' }),
      spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url: `${app.zipkinUrl}/api/v2/spans` }))],
    });
    const tracer = provider.getTracer('zipkin-it');
    const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(context.active(), root));
    child.end();
    root.end();
    await provider.forceFlush();
    const body = await traceOf(root.spanContext().traceId, 2);
    expect(body.spans.find((s: any) => s.name === 'SELECT orders')).toMatchObject({ service: 'zipkin-otel-svc', kind: 'client', parentSpanId: root.spanContext().spanId, attributes: { 'db.system': 'postgresql' } });
    await provider.shutdown();
  });

  it('stores a zipkin-js client/server pair (shared span) as parent and child across two services, on the topology', async () => {
    const tracerFor = (service: string) =>
      new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger: new HttpLogger({ endpoint: `${app.zipkinUrl}/api/v2/spans`, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 20 }) }), localServiceName: service });
    const web = tracerFor('zk-web');
    const api = tracerFor('zk-api');
    const t0 = Date.now() * 1000;
    const id = web.createRootId();
    web.letId(id, () => {
      web.recordServiceName('zk-web');
      web.recordRpc('get /price');
      web.recordAnnotation(new Annotation.ClientSend(), t0);
    });
    const joined = api.join(id);
    api.letId(joined, () => {
      api.recordServiceName('zk-api');
      api.recordRpc('get /price');
      api.recordAnnotation(new Annotation.ServerRecv(), t0 + 500);
      api.recordAnnotation(new Annotation.ServerSend(), t0 + 1500);
    });
    web.letId(id, () => web.recordAnnotation(new Annotation.ClientRecv(), t0 + 2000));

    const traceId = id.traceId.padStart(32, '0');
    const body = await traceOf(traceId, 2);
    const client = body.spans.find((s: any) => s.service === 'zk-web');
    const server = body.spans.find((s: any) => s.service === 'zk-api');
    expect(client).toMatchObject({ kind: 'client', spanId: id.spanId });
    expect(server).toMatchObject({ kind: 'server', parentSpanId: id.spanId });
    const topology = await waitFor(async () => {
      const r = await getJson(`${app.apiUrl}/api/topology`);
      return r.body.edges?.some((e: any) => e.source === 'zk-web' && e.target === 'zk-api') ? r.body : undefined;
    }, 'the zk-web → zk-api edge');
    expect(topology.edges.length).toBeGreaterThan(0);
  });
});
