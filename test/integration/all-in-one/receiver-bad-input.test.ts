import zlib from 'node:zlib';
import { Reader } from 'protobufjs/minimal';
import { MemoryBus } from '../../../bus/memory/memory-bus';
import { OtlpHttpReceiver } from '../../../collector/otlp-http/receiver';
import { OtlpPublisher } from '../../../collector/publisher';
import { Counters } from '../../../core/metrics';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';

const LIMIT = 256 * 1024;

/** google.rpc.Status from protobuf: code (field 1) and message (field 2); other fields skipped. */
function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string } {
  const r = Reader.create(bytes);
  const status = { code: 0, message: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 8) status.code = r.int32();
    else if (tag === 18) status.message = r.string();
    else r.skipType(tag & 7);
  }
  return status;
}

function validBody(traceId = randomTraceId()) {
  return otlpJsonTraces([{ traceId, spanId: randomSpanId(), name: 'op', service: 'svc', startMs: Date.now(), durationMs: 5 }]);
}

describe('OTLP/HTTP receiver answers bad input per the spec and keeps serving', () => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne({ maxRequestBytes: LIMIT });
  });
  afterAll(() => app.dispose());

  const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
    fetch(`${app.otlpUrl}${path}`, { method: 'POST', body, headers });

  it('200 with an empty ExportTraceServiceResponse for a valid JSON request', async () => {
    const res = await post('/v1/traces', validBody(), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({});
  });

  it('200 with partialSuccess naming rejected spans (all-zero and wrong-length ids)', async () => {
    const traceId = randomTraceId();
    const body = JSON.parse(
      otlpJsonTraces([
        { traceId, spanId: randomSpanId(), name: 'good', service: 'svc', startMs: Date.now(), durationMs: 1 },
        { traceId: '0'.repeat(32), spanId: randomSpanId(), name: 'zero', service: 'svc', startMs: Date.now(), durationMs: 1 },
        { traceId, spanId: 'abcd', name: 'short', service: 'svc', startMs: Date.now(), durationMs: 1 },
      ]),
    );
    const res = await post('/v1/traces', JSON.stringify(body), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(Number(answer.partialSuccess.rejectedSpans)).toBe(2);
    expect(answer.partialSuccess.errorMessage).toMatch(/trace id|span id/i);
  });

  it('400 with a google.rpc.Status for an undecodable protobuf or JSON body', async () => {
    const proto = await post('/v1/traces', new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]), { 'Content-Type': 'application/x-protobuf' });
    expect(proto.status).toBe(400);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    const json = await post('/v1/logs', '{"resourceLogs": [', { 'Content-Type': 'application/json' });
    expect(json.status).toBe(400);
    const status = await json.json();
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/json/i);
  });

  it('400 for a body that claims gzip but is not', async () => {
    const res = await post('/v1/traces', 'not gzip at all', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(400);
  });

  it('413 over the size limit, before and after decompression (gzip bomb)', async () => {
    const big = await post('/v1/traces', 'x'.repeat(LIMIT + 1), { 'Content-Type': 'application/json' });
    expect(big.status).toBe(413);
    // 64 MiB of zeros compress to ~64 KiB: small on the wire, far over the limit inflated.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT);
    const rssBefore = process.memoryUsage().rss;
    const res = await post('/v1/traces', bomb, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(413);
    // OTLP/HTTP: a google.rpc.Status in the request's encoding (protobuf here) saying what was wrong.
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeRpcStatus(Buffer.from(await res.arrayBuffer()))).toEqual({ code: 3, message: expect.stringMatching(/exceeds the limit of 262144 bytes after decompression/) });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
  });

  it('415 for other content types and encodings', async () => {
    expect((await post('/v1/traces', validBody(), { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/traces', validBody(), { 'Content-Type': 'application/json', 'Content-Encoding': 'br' })).status).toBe(415);
  });

  it('404 and 405 for wrong routes and methods', async () => {
    expect((await post('/v1/profiles', validBody(), { 'Content-Type': 'application/json' })).status).toBe(404);
    const get = await fetch(`${app.otlpUrl}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('POST');
  });

  it('still serves valid requests after all of that', async () => {
    const traceId = randomTraceId();
    const res = await post('/v1/traces', validBody(traceId), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
  });
});

describe('OTLP/HTTP receiver back-pressure', () => {
  it('503 with Retry-After when the pipeline is full, 200 again once it drains', async () => {
    const bus = new MemoryBus({ capacityBytes: 2048, log: () => {} });
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    await bus.subscribe('otlp_spans', 'ingest', () => blocked);
    const receiver = new OtlpHttpReceiver({
      host: '127.0.0.1',
      port: 0,
      maxRequestBytes: 1 << 20,
      maxInflightBytes: 1 << 20,
      publisher: new OtlpPublisher(bus, { spans: 'otlp_spans', logs: 'otlp_logs' }, 1 << 20),
      counters: new Counters(),
      log: () => {},
    });
    const port = await receiver.start();
    const send = () => fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body: validBody(), headers: { 'Content-Type': 'application/json' } });
    try {
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 100 && !refused; i++) {
        const res = await send();
        statuses.push(res.status);
        if (res.status === 503) refused = res;
      }
      expect(statuses[0]).toBe(200);
      expect(refused?.status).toBe(503);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
      release();
      await bus.shutdown().catch(() => {});
    } finally {
      await receiver.shutdown();
    }
  });
});
