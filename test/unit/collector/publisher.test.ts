import { MemoryBus } from '../../../bus/memory/memory-bus';
import { OtlpPublisher } from '../../../collector/publisher';
import { TENANT_HEADER } from '../../../core/contracts/bus';
import type { LogRecord } from '../../../core/model';
import { decodeLogsRequestProto, decodeTraceRequestProto, encodeLogsRequestProto, encodeTraceRequestProto } from '../../../core/otlp';
import { modelLogs, modelSpans } from '../core/otlp/model-fixtures';

describe('OtlpPublisher', () => {
  const topics = { spans: 'spans', logs: 'logs' };

  async function published(maxMessageBytes: number, logs: LogRecord[], original?: Uint8Array): Promise<Buffer[]> {
    const bus = new MemoryBus({ capacityBytes: 64 << 20, log: () => {} });
    const values: Buffer[] = [];
    await bus.subscribe('logs', 'test', async (batch) => void values.push(...batch.map((m) => m.value)));
    await new OtlpPublisher(bus, topics, maxMessageBytes).publishLogs('default', logs, original);
    await bus.shutdown(); // drains the topic into the subscriber first
    return values;
  }

  const manyLogs = () =>
    Array.from({ length: 300 }, (_, i) => {
      const log = modelLogs()[i % 3];
      return { ...log, timeUs: log.timeUs + i, body: `${log.body} #${i}` };
    });

  it('stamps every message, whole, cut or re-encoded, with the tenant it publishes for (header chainscope-tenant)', async () => {
    const bus = new MemoryBus({ capacityBytes: 64 << 20, log: () => {} });
    const seen: { topic: string; tenant?: string }[] = [];
    for (const topic of ['spans', 'logs']) await bus.subscribe(topic, 'test', async (batch) => void seen.push(...batch.map((m) => ({ topic, tenant: m.headers?.[TENANT_HEADER] }))));
    const publisher = new OtlpPublisher(bus, topics, 8 * 1024);
    const logs = manyLogs();
    await publisher.publishLogs('acme', logs, Buffer.from(encodeLogsRequestProto(logs)));
    await publisher.publishLogs('globex-2', logs);
    await publisher.publishSpanRequestProto('acme', encodeTraceRequestProto(modelSpans()));
    await publisher.publishSpans('default', modelSpans());
    await bus.shutdown();
    const by = (topic: string) => [...new Set(seen.filter((m) => m.topic === topic).map((m) => m.tenant))];
    expect(seen.filter((m) => m.topic === 'logs').length).toBeGreaterThan(2);
    expect(by('logs')).toEqual(['acme', 'globex-2']);
    expect(by('spans')).toEqual(['acme', 'default']);
  });

  it('forwards a valid request within the limit as it came', async () => {
    const logs = manyLogs();
    const original = Buffer.from(encodeLogsRequestProto(logs));
    expect(await published(original.length, decodeLogsRequestProto(original).logs, original)).toEqual([original]);
  });

  it('cuts a larger valid request into pieces of its own bytes, each within the limit', async () => {
    const original = Buffer.from(encodeLogsRequestProto(manyLogs()));
    const decoded = decodeLogsRequestProto(original).logs;
    const values = await published(8 * 1024, decoded, original);
    expect(values.length).toBeGreaterThan(1);
    for (const v of values) expect(v.length).toBeLessThanOrEqual(8 * 1024);
    expect(values.flatMap((v) => decodeLogsRequestProto(v).logs)).toEqual(decoded);
  });

  it('re-encodes in pieces when there are no original bytes to forward', async () => {
    const logs = decodeLogsRequestProto(encodeLogsRequestProto(manyLogs())).logs;
    const values = await published(8 * 1024, logs);
    expect(values.length).toBeGreaterThan(1);
    expect(values.flatMap((v) => decodeLogsRequestProto(v).logs)).toEqual(logs);
  });

  describe('a clean protobuf span request (publishSpanRequestProto)', () => {
    async function publishedRequest(maxMessageBytes: number, request: Uint8Array): Promise<Buffer[]> {
      const bus = new MemoryBus({ capacityBytes: 64 << 20, log: () => {} });
      const values: Buffer[] = [];
      await bus.subscribe('spans', 'test', async (batch) => void values.push(...batch.map((m) => m.value)));
      await new OtlpPublisher(bus, topics, maxMessageBytes).publishSpanRequestProto('default', request);
      await bus.shutdown();
      return values;
    }
    const manySpans = () =>
      Array.from({ length: 200 }, (_, i) => {
        const span = modelSpans()[i % 3];
        return { ...span, spanId: (0x1000 + i).toString(16).padStart(16, '0'), name: `${span.name} #${i}` };
      });

    it('forwards it as it came within the limit', async () => {
      const request = Buffer.from(encodeTraceRequestProto(manySpans()));
      expect(await publishedRequest(request.length, request)).toEqual([request]);
    });

    it('cuts a larger one into pieces of its own bytes that decode to the same spans', async () => {
      const request = Buffer.from(encodeTraceRequestProto(manySpans()));
      const values = await publishedRequest(8 * 1024, request);
      expect(values.length).toBeGreaterThan(1);
      for (const v of values) expect(v.length).toBeLessThanOrEqual(8 * 1024);
      expect(values.flatMap((v) => decodeTraceRequestProto(v).spans)).toEqual(decodeTraceRequestProto(request).spans);
    });

    it('re-encodes one whose envelope cannot be cut (an unknown top-level field)', async () => {
      const spans = Buffer.from(encodeTraceRequestProto(manySpans()));
      // field 15, varint 1: skipped by the decoder, refused by the cutter
      const request = Buffer.concat([Buffer.from([0x78, 0x01]), spans]);
      const values = await publishedRequest(8 * 1024, request);
      expect(values.length).toBeGreaterThan(1);
      expect(values.flatMap((v) => decodeTraceRequestProto(v).spans)).toEqual(decodeTraceRequestProto(request).spans);
    });
  });
});
