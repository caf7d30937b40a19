import { MemoryBus } from '../../../bus/memory/memory-bus';
import { OtlpPublisher } from '../../../collector/publisher';
import type { LogRecord } from '../../../core/model';
import { decodeLogsRequestProto, encodeLogsRequestProto } from '../../../core/otlp';
import { modelLogs } from '../otlp/model-fixtures';

describe('OtlpPublisher', () => {
  const topics = { spans: 'spans', logs: 'logs' };

  async function published(maxMessageBytes: number, logs: LogRecord[], original?: Uint8Array): Promise<Buffer[]> {
    const bus = new MemoryBus({ capacityBytes: 64 << 20, log: () => {} });
    const values: Buffer[] = [];
    await bus.subscribe('logs', 'test', async (batch) => void values.push(...batch.map((m) => m.value)));
    await new OtlpPublisher(bus, topics, maxMessageBytes).publishLogs(logs, original);
    await bus.shutdown(); // drains the topic into the subscriber first
    return values;
  }

  const manyLogs = () =>
    Array.from({ length: 300 }, (_, i) => {
      const log = modelLogs()[i % 3];
      return { ...log, timeUs: log.timeUs + i, body: `${log.body} #${i}` };
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
});
