import { Client, connectivityState, credentials, Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Reader } from 'protobufjs/minimal';
import zlib from 'node:zlib';
import { MemoryBus } from '../../../../bus/memory/memory-bus';
import { OtlpGrpcReceiver } from '../../../../collector/otlp-grpc/receiver';
import { otlpMethodPath, type OtlpGrpcService } from '../../../../collector/otlp-grpc/services';
import { OtlpPublisher } from '../../../../collector/publisher';
import { Counters } from '../../../../core/metrics';
import type { Span } from '../../../../core/model';
import { decodeLogsRequestProto, decodeTraceRequestProto, encodeMetricsRequestProto, encodeTraceRequestProto } from '../../../../core/otlp';
import { retryDelaySeconds } from '../../../helpers/grpc-retry-info';
import { waitFor } from '../../../helpers/wait';

const MiB = 1024 * 1024;
const topics = { spans: 'otlp_spans', logs: 'otlp_logs' };

/** A receiver on a free port over an in-process bus, with what reached the bus. */
async function startReceiver(options: { busCapacityBytes?: number; maxRequestBytes?: number; consume?: boolean; maxConnectionIdleMs?: number } = {}) {
  const bus = new MemoryBus({ capacityBytes: options.busCapacityBytes ?? 64 * MiB, log: () => {} });
  const published = { spans: [] as Buffer[], logs: [] as Buffer[] };
  let release: () => void = () => {};
  const blocked = new Promise<void>((resolve) => (release = resolve));
  await bus.subscribe(topics.spans, 'test', async (batch) => {
    if (options.consume === false) await blocked;
    published.spans.push(...batch.map((m) => m.value));
  });
  await bus.subscribe(topics.logs, 'test', async (batch) => void published.logs.push(...batch.map((m) => m.value)));
  const counters = new Counters();
  const receiver = new OtlpGrpcReceiver({
    host: '127.0.0.1',
    port: 0,
    maxRequestBytes: options.maxRequestBytes ?? 4 * MiB,
    maxInflightBytes: 16 * MiB,
    maxConnectionIdleMs: options.maxConnectionIdleMs,
    publisher: new OtlpPublisher(bus, topics, 1 * MiB),
    counters,
    log: () => {},
  });
  const port = await receiver.start();
  return {
    port,
    counters,
    receiver,
    published,
    /** Lets a consumer started with consume: false go on. */
    unblock: () => release(),
    spans: () => published.spans.flatMap((b) => decodeTraceRequestProto(b).spans),
    logs: () => published.logs.flatMap((b) => decodeLogsRequestProto(b).logs),
    async stop() {
      release();
      await receiver.shutdown();
      await bus.shutdown();
    },
  };
}

/** One raw unary Export call with the given request bytes: the answer's bytes, or the error with its trailers. */
function rawExport(port: number, service: OtlpGrpcService, request: Buffer, options: { gzip?: boolean } = {}) {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  return new Promise<{ response?: Buffer; error?: ServiceError }>((resolve) => {
    client.makeUnaryRequest(
      otlpMethodPath(service),
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      new Metadata(),
      (error, response) => {
        client.close();
        resolve(error ? { error } : { response });
      },
    );
  });
}

const TRACE_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
function modelSpan(i: number, overrides: Partial<Span> = {}): Span {
  return {
    traceId: TRACE_ID,
    spanId: (0x1000 + i).toString(16).padStart(16, '0'),
    parentSpanId: '',
    service: 'grpc-svc',
    name: `op-${i}`,
    kind: 'server',
    startUs: 1_700_000_000_000_000 + i,
    durationUs: 1000,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { 'service.name': 'grpc-svc' },
    events: [],
    links: [],
    scope: { name: 'test', version: '' },
    ...overrides,
  };
}

/** Reads ExportTraceServiceResponse.partial_success { rejected (1), error_message (2) }. */
function partialSuccess(response: Buffer): { rejected: number; message: string } {
  const out = { rejected: 0, message: '' };
  const r = Reader.create(response);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) {
      r.skipType(tag & 7);
      continue;
    }
    const inner = Reader.create(r.bytes());
    while (inner.pos < inner.len) {
      const t = inner.uint32();
      if (t >>> 3 === 1) out.rejected = Number(inner.int64());
      else if (t >>> 3 === 2) out.message = inner.string();
      else inner.skipType(t & 7);
    }
  }
  return out;
}

describe('OTLP/gRPC receiver with the OpenTelemetry JS gRPC exporters', () => {
  let r: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => (r = await startReceiver()));
  afterAll(() => r.stop());

  it.each([['none'], ['gzip']] as const)('takes the trace exporter’s spans (%s compression) onto the bus', async (compression) => {
    const exporter = new OTLPTraceExporter({
      url: `http://127.0.0.1:${r.port}`,
      compression: compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `grpc-exporter-${compression}` }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('receiver-test');
    const parent = tracer.startSpan('checkout');
    parent.setAttribute('order.id', `ORD-${compression}`);
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();
    await waitFor(() => r.spans().some((s) => s.service === `grpc-exporter-${compression}`), 'the exported span on the bus');
    const span = r.spans().find((s) => s.service === `grpc-exporter-${compression}`)!;
    expect(span.name).toBe('checkout');
    expect(span.traceId).toBe(parent.spanContext().traceId);
    expect(span.spanId).toBe(parent.spanContext().spanId);
    expect(span.attributes['order.id']).toBe(`ORD-${compression}`);
  });

  it('takes the log exporter’s records onto the bus', async () => {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'grpc-logger' }),
      processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: `http://127.0.0.1:${r.port}`, compression: CompressionAlgorithm.GZIP }))],
    });
    provider.getLogger('receiver-test').emit({ body: 'payment captured for ORD-7', severityNumber: SeverityNumber.WARN, attributes: { 'order.id': 'ORD-7' } });
    await provider.forceFlush();
    await provider.shutdown();
    await waitFor(() => r.logs().some((l) => l.service === 'grpc-logger'), 'the exported log record on the bus');
    const record = r.logs().find((l) => l.service === 'grpc-logger')!;
    expect(record.body).toBe('payment captured for ORD-7');
    expect(record.severityNumber).toBe(SeverityNumber.WARN);
    expect(record.attributes['order.id']).toBe('ORD-7');
  });
});

describe('OTLP/gRPC receiver status rules', () => {
  let r: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => (r = await startReceiver({ maxRequestBytes: 64 * 1024 })));
  afterAll(() => r.stop());

  it('answers an undecodable request INVALID_ARGUMENT naming the problem, and keeps serving', async () => {
    const { error } = await rawExport(r.port, 'traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/ExportTraceServiceRequest|protobuf|truncated|invalid/i);
    expect(retryDelaySeconds(error!)).toBeUndefined();
    const ok = await rawExport(r.port, 'traces', Buffer.from(encodeTraceRequestProto([modelSpan(1)])));
    expect(ok.error).toBeUndefined();
  });

  it('answers partial success with the count and reason of rejected spans, publishing the valid ones', async () => {
    const request = Buffer.from(encodeTraceRequestProto([modelSpan(2, { name: 'kept' }), modelSpan(3, { spanId: '0000000000000000' })]));
    const { response, error } = await rawExport(r.port, 'traces', request, { gzip: true });
    expect(error).toBeUndefined();
    expect(partialSuccess(response!)).toEqual({ rejected: 1, message: expect.stringMatching(/span id/) });
    await waitFor(() => r.spans().some((s) => s.name === 'kept'), 'the valid span on the bus');
  });

  it('refuses a message over MAX_REQUEST_BYTES, and a gzip message that inflates past it', async () => {
    const big = Buffer.from(encodeTraceRequestProto([modelSpan(4, { attributes: { blob: 'x'.repeat(100 * 1024) } })]));
    expect((await rawExport(r.port, 'traces', big)).error?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
    expect(zlib.gzipSync(big).length).toBeLessThan(64 * 1024);
    expect((await rawExport(r.port, 'traces', big, { gzip: true })).error?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
  });

  it('takes MetricsService: undecodable bytes are INVALID_ARGUMENT, a point without time a partial success saying why', async () => {
    const malformed = await rawExport(r.port, 'metrics', Buffer.from([0x0a, 0x05, 0x01]));
    expect(malformed.error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(malformed.error?.details).toMatch(/ExportMetricsServiceRequest/);
    const point = { name: 'm', unit: '', kind: 'gauge', temporality: 'unspecified', monotonic: false, service: 's', resource: {}, attributes: {}, startUs: 0, timeUs: 0, value: 1, count: 0 } as const;
    const { error, response } = await rawExport(r.port, 'metrics', Buffer.from(encodeMetricsRequestProto([point])));
    expect(error).toBeUndefined();
    expect(partialSuccess(response!)).toEqual({ rejected: 1, message: expect.stringMatching(/timeUnixNano must be set/) });
  });
});

describe('OTLP/gRPC receiver when the bus is full', () => {
  it('answers RESOURCE_EXHAUSTED with a RetryInfo delay, and takes data again once the bus drains', async () => {
    const request = Buffer.from(encodeTraceRequestProto(Array.from({ length: 50 }, (_, i) => modelSpan(100 + i, { attributes: { pad: 'p'.repeat(200) } }))));
    const r = await startReceiver({ busCapacityBytes: request.length * 2 + 100, consume: false });
    try {
      let refused: ServiceError | undefined;
      for (let i = 0; i < 10 && !refused; i++) refused = (await rawExport(r.port, 'traces', request)).error;
      expect(refused?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      expect(refused?.details).toMatch(/full/);
      expect(retryDelaySeconds(refused!)).toBeGreaterThan(0);
      expect(r.counters.get('chainscope_receiver_grpc_calls_refused_total')).toBeGreaterThanOrEqual(1);
      r.unblock();
      await waitFor(async () => (await rawExport(r.port, 'traces', request)).error === undefined, 'an export to be taken after the bus drained');
    } finally {
      await r.stop();
    }
  });

  it('closes a connection that has had no call for maxConnectionIdleMs', async () => {
    const r = await startReceiver({ maxConnectionIdleMs: 300 });
    const client = new Client(`127.0.0.1:${r.port}`, credentials.createInsecure());
    try {
      await new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(otlpMethodPath('traces'), (b: Buffer) => b, (b: Buffer) => b, Buffer.from(encodeTraceRequestProto([modelSpan(600)])), new Metadata(), (err) => (err ? reject(err) : resolve())),
      );
      expect(client.getChannel().getConnectivityState(false)).toBe(connectivityState.READY);
      await waitFor(() => client.getChannel().getConnectivityState(false) === connectivityState.IDLE, 'the idle connection to be closed by the server', 5_000);
    } finally {
      client.close();
      await r.stop();
    }
  });

  it('shuts down gracefully: what was answered is on the bus, later calls are refused UNAVAILABLE', async () => {
    const r = await startReceiver();
    const answered = await rawExport(r.port, 'traces', Buffer.from(encodeTraceRequestProto([modelSpan(500, { name: 'before-shutdown' })])));
    expect(answered.error).toBeUndefined();
    await r.receiver.shutdown();
    expect((await rawExport(r.port, 'traces', Buffer.from(encodeTraceRequestProto([modelSpan(501)])))).error?.code).toBe(GrpcCode.UNAVAILABLE);
    await r.stop();
    expect(r.spans().map((s) => s.name)).toEqual(['before-shutdown']);
  });
});
