import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { Writer } from 'protobufjs/minimal';
import zlib from 'node:zlib';
import { Annotation, BatchRecorder, ExplicitContext, InetAddress, jsonEncoder, option, TraceId, Tracer } from 'zipkin';
import { HttpLogger } from 'zipkin-transport-http';
import { MemoryBus } from '../../../../bus/memory/memory-bus';
import { OtlpPublisher } from '../../../../collector/publisher';
import { ZipkinReceiver } from '../../../../collector/zipkin/receiver';
import { Counters } from '../../../../core/metrics';
import { decodeTraceRequestProto } from '../../../../core/otlp';
import { waitFor } from '../../../helpers/wait';

const MiB = 1024 * 1024;
const topics = { spans: 'otlp_spans', logs: 'otlp_logs' };

describe('Zipkin v2 receiver', () => {
  let bus: MemoryBus;
  let receiver: ZipkinReceiver;
  let counters: Counters;
  let url: string;
  const published: Buffer[] = [];
  const spans = () => published.flatMap((b) => decodeTraceRequestProto(b).spans);

  beforeAll(async () => {
    bus = new MemoryBus({ capacityBytes: 64 * MiB, log: () => {} });
    await bus.subscribe(topics.spans, 'test', async (batch) => void published.push(...batch.map((m) => m.value)));
    counters = new Counters();
    receiver = new ZipkinReceiver({
      host: '127.0.0.1',
      port: 0,
      maxRequestBytes: 256 * 1024,
      maxInflightBytes: 16 * MiB,
      publisher: new OtlpPublisher(bus, topics, 1 * MiB),
      counters,
      log: () => {},
    });
    url = `http://127.0.0.1:${await receiver.start()}/api/v2/spans`;
  });
  afterAll(async () => {
    await receiver.shutdown();
    await bus.shutdown();
  });

  function zipkinTracer(service: string) {
    const logger = new HttpLogger({ endpoint: url, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 20 });
    const errors: unknown[] = [];
    logger.on('error', (err: unknown) => errors.push(err));
    return { tracer: new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: service }), errors };
  }

  it('takes a client and a shared server span from the zipkin-js tracer (JSON_V2 over zipkin-transport-http)', async () => {
    const front = zipkinTracer('zk-frontend');
    const back = zipkinTracer('zk-backend');
    const t0 = Date.now() * 1000;
    const clientId = front.tracer.createRootId();
    front.tracer.letId(clientId, () => {
      front.tracer.recordServiceName('zk-frontend');
      front.tracer.recordRpc('get /inventory');
      front.tracer.recordAnnotation(new Annotation.ClientSend(), t0);
      front.tracer.recordAnnotation(new Annotation.ServerAddr({ serviceName: 'zk-backend', host: new InetAddress('10.1.2.3'), port: 9000 }), t0);
    });
    // the server joins the caller's ids (B3 headers) and reports a span sharing the client's span id
    const incoming = new TraceId({ traceId: clientId.traceId, parentId: clientId.parentSpanId, spanId: clientId.spanId, sampled: new option.Some(true) });
    const serverId = back.tracer.join(incoming);
    back.tracer.letId(serverId, () => {
      back.tracer.recordServiceName('zk-backend');
      back.tracer.recordRpc('get /inventory');
      back.tracer.recordAnnotation(new Annotation.ServerRecv(), t0 + 1_000);
      back.tracer.recordMessage('stock checked');
      back.tracer.recordBinary('error', 'out of stock');
      back.tracer.recordAnnotation(new Annotation.ServerSend(), t0 + 4_000);
    });
    front.tracer.letId(clientId, () => front.tracer.recordAnnotation(new Annotation.ClientRecv(), t0 + 5_000));

    await waitFor(() => spans().filter((s) => s.traceId.endsWith(clientId.traceId)).length >= 2, 'both zipkin-js spans on the bus');
    expect(front.errors.concat(back.errors)).toEqual([]);
    const trace = spans().filter((s) => s.traceId.endsWith(clientId.traceId));
    const client = trace.find((s) => s.kind === 'client')!;
    const server = trace.find((s) => s.kind === 'server')!;
    expect(client).toMatchObject({ service: 'zk-frontend', name: 'get /inventory', spanId: clientId.spanId, startUs: t0, durationUs: 5_000 });
    expect(client.attributes).toMatchObject({ 'peer.service': 'zk-backend', 'net.peer.ip': '10.1.2.3', 'net.peer.port': 9000 });
    expect(server).toMatchObject({ service: 'zk-backend', parentSpanId: clientId.spanId, startUs: t0 + 1_000, durationUs: 3_000, status: { code: 'error', message: 'out of stock' } });
    expect(server.spanId).not.toBe(client.spanId);
    expect(server.events.map((e) => e.name)).toContain('stock checked');
  });

  it('takes spans from @opentelemetry/exporter-zipkin with kind, status, events and attributes', async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'otel-zipkin-svc', 'host.name': 'otel-host' }),
      spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url }))],
    });
    const tracer = provider.getTracer('zipkin-test', '3.1.0');
    const parent = tracer.startSpan('place order', { kind: SpanKind.SERVER, attributes: { 'order.id': 'ORD-9' } });
    const child = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments' } }, trace.setSpan(context.active(), parent));
    child.addEvent('retry');
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    child.end();
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();

    await waitFor(() => spans().filter((s) => s.traceId === parent.spanContext().traceId).length >= 2, 'both exporter spans on the bus');
    const got = spans().filter((s) => s.traceId === parent.spanContext().traceId);
    const p = got.find((s) => s.name === 'place order')!;
    const c = got.find((s) => s.name === 'charge card')!;
    expect(p).toMatchObject({ service: 'otel-zipkin-svc', kind: 'server', spanId: parent.spanContext().spanId, parentSpanId: '' });
    expect(p.attributes['order.id']).toBe('ORD-9');
    expect(c).toMatchObject({ kind: 'client', parentSpanId: parent.spanContext().spanId, status: { code: 'error', message: 'card declined' } });
    expect(c.attributes['peer.service']).toBe('payments');
    expect(c.events.map((e) => e.name)).toEqual(['retry']);
    // the exporter sends its resource as tags: they go back to the resource, not to the span
    expect(p.resource).toMatchObject({ 'service.name': 'otel-zipkin-svc', 'host.name': 'otel-host' });
    expect(Object.keys(p.attributes).filter((k) => k.startsWith('service.') || k.startsWith('host.'))).toEqual([]);
  });

  const post = (body: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'application/json' }, to = url) =>
    fetch(to, { method: 'POST', body, headers });
  const validSpan = (id: string) => ({ traceId: '5af7183fb1d4cf5f', id, name: 'gz', timestamp: Date.now() * 1000, duration: 10, localEndpoint: { serviceName: 'gzip-svc' } });

  it('takes a gzip body and answers 202', async () => {
    const res = await post(zlib.gzipSync(JSON.stringify([validSpan('00000000000000a1')])), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(202);
    await waitFor(() => spans().some((s) => s.service === 'gzip-svc'), 'the gzip span on the bus');
  });

  it('takes a proto3 ListOfSpans (application/x-protobuf) and answers 202', async () => {
    const w = Writer.create();
    w.uint32(10).fork();
    w.uint32(10).bytes(Buffer.from('5af7183fb1d4cf5f', 'hex'));
    w.uint32(26).bytes(Buffer.from('00000000000000d1', 'hex'));
    w.uint32(42).string('proto op');
    w.uint32(49).fixed64(Date.now() * 1000);
    w.uint32(66).fork().uint32(10).string('proto-svc').ldelim();
    w.ldelim();
    const res = await post(Buffer.from(w.finish()), { 'Content-Type': 'application/x-protobuf' });
    expect(res.status).toBe(202);
    await waitFor(() => spans().some((s) => s.service === 'proto-svc' && s.name === 'proto op'), 'the proto3 span on the bus');
  });

  it('refuses bad input with a plain-text message naming what is wrong, and keeps none of that request', async () => {
    const before = spans().length;
    const bad = await post(JSON.stringify([validSpan('00000000000000b1'), { ...validSpan('zz'), name: 'bad' }]));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/span\[1\]\.id must be 1 to 16 hex characters/);
    const notJson = await post('[{');
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toMatch(/not valid JSON/);
    const proto = await post(Buffer.from([0x0a, 0xff, 0xff, 0x01]), { 'Content-Type': 'application/x-protobuf' });
    expect(proto.status).toBe(400);
    expect(await proto.text()).toMatch(/not a Zipkin proto3 ListOfSpans/);
    const text = await post('[]', { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await text.text()).toMatch(/application\/json or application\/x-protobuf/);
    const big = await post(JSON.stringify([{ ...validSpan('00000000000000c1'), tags: { blob: 'x'.repeat(300 * 1024) } }]));
    expect(big.status).toBe(413);
    const v1 = await post('[]', undefined, url.replace('/v2/', '/v1/'));
    expect(v1.status).toBe(404);
    expect(await v1.text()).toMatch(/Zipkin v1 is not accepted/);
    expect((await fetch(url)).status).toBe(405);
    await new Promise((r) => setTimeout(r, 100));
    expect(spans().length).toBe(before);
    expect(counters.get('chainscope_receiver_zipkin_requests_refused_total')).toBeGreaterThanOrEqual(4);
  });
});

describe('Zipkin v2 receiver when the bus is full', () => {
  it('answers 503 with Retry-After', async () => {
    const bus = new MemoryBus({ capacityBytes: 4096, log: () => {} });
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    await bus.subscribe(topics.spans, 'test', () => blocked);
    const receiver = new ZipkinReceiver({
      host: '127.0.0.1',
      port: 0,
      maxRequestBytes: MiB,
      maxInflightBytes: MiB,
      publisher: new OtlpPublisher(bus, topics, MiB),
      counters: new Counters(),
      log: () => {},
    });
    const port = await receiver.start();
    try {
      const body = JSON.stringify(
        Array.from({ length: 20 }, (_, i) => ({ traceId: '5af7183fb1d4cf5f', id: (i + 1).toString(16), timestamp: 1_700_000_000_000_000, tags: { pad: 'p'.repeat(100) } })),
      );
      let res: Response | undefined;
      for (let i = 0; i < 10; i++) {
        res = await fetch(`http://127.0.0.1:${port}/api/v2/spans`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
        if (res.status !== 202) break;
      }
      expect(res?.status).toBe(503);
      expect(Number(res?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res?.text()).toMatch(/full/);
    } finally {
      release();
      await receiver.shutdown();
      await bus.shutdown();
    }
  });
});
