import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BusMessage } from '../../../core/contracts/bus';
import { Counters } from '../../../core/metrics';
import { BackendUnavailableError } from '../../../core/errors';
import { encodeLogsRequestProto, encodeTraceRequestProto } from '../../../core/otlp';
import { StoreBatchProcessor } from '../../../ingest/batch-processor';
import { SpanMetrics } from '../../../ingest/span-metrics/span-metrics';
import { openEmbeddedStores, type EmbeddedStores } from '../../../storage/embedded';
import { makeLog, makeSpan, uniq } from '../../contract/fixtures';

/** StoreBatchProcessor over the real embedded stores. */
describe('StoreBatchProcessor', () => {
  let dataDir: string;
  let stores: EmbeddedStores;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-batch-'));
    stores = openEmbeddedStores({ dataDir });
    await stores.logs.start();
    await stores.spans.start();
  });
  afterEach(async () => {
    await stores.logs.shutdown();
    await stores.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** `count` messages of `perMessage` records each; `decoded` counts the messages whose bytes were read. */
  function messagesOf(service: string, count: number, perMessage: number) {
    const seen = { decoded: 0 };
    const baseUs = Date.now() * 1000 - 60_000_000;
    const messages: BusMessage[] = [];
    for (let m = 0; m < count; m++) {
      const logs = Array.from({ length: perMessage }, (_, i) => makeLog({ service, timeUs: baseUs + m * perMessage + i, body: `line ${m}/${i}` }));
      const value = Buffer.from(encodeLogsRequestProto(logs));
      const message = {} as BusMessage;
      Object.defineProperty(message, 'value', {
        enumerable: true,
        get: () => {
          seen.decoded++;
          return value;
        },
      });
      messages.push(message);
    }
    return { messages, seen };
  }

  it('writes each store batch as soon as it is decoded: never more than batchSize plus one message of records waiting', async () => {
    const service = uniq('bounded');
    const perMessage = 100;
    const batchSize = 150;
    const { messages, seen } = messagesOf(service, 10, perMessage);
    let written = 0;
    let mostWaiting = 0;
    const writeLogs = stores.logs.writeLogs.bind(stores.logs);
    stores.logs.writeLogs = async (batch) => {
      // Records decoded so far that no write has taken yet, this one included.
      mostWaiting = Math.max(mostWaiting, seen.decoded * perMessage - written);
      expect(batch.logs.length).toBeLessThanOrEqual(batchSize);
      await writeLogs(batch);
      written += batch.logs.length;
    };
    const counters = new Counters();
    const processor = new StoreBatchProcessor({
      spanStore: stores.spans,
      logStore: stores.logs,
      businessKeys: { attributeNames: [], bodyPatterns: [] },
      batchSize,
      counters,
    });

    const dead = await processor.process('logs', 'otlp_logs', messages);

    expect(dead).toEqual([]);
    expect(written).toBe(1000);
    expect(mostWaiting).toBeLessThanOrEqual(batchSize + perMessage);
    expect(counters.snapshot().chainscope_ingest_logs_written_total).toBe(1000);
    const stored = await stores.logs.search({ service, limit: 2000 });
    expect(stored.logs).toHaveLength(1000);
  });

  it('still writes the good messages of a batch in batchSize pieces and dead-letters an undecodable one', async () => {
    const service = uniq('mixed');
    const { messages } = messagesOf(service, 3, 100);
    const bad: BusMessage = { value: Buffer.from([0xff, 0xff, 0xff]) };
    const sizes: number[] = [];
    const writeLogs = stores.logs.writeLogs.bind(stores.logs);
    stores.logs.writeLogs = async (batch) => {
      sizes.push(batch.logs.length);
      await writeLogs(batch);
    };
    const processor = new StoreBatchProcessor({
      spanStore: stores.spans,
      logStore: stores.logs,
      businessKeys: { attributeNames: [], bodyPatterns: [] },
      batchSize: 120,
      counters: new Counters(),
    });

    const dead = await processor.process('logs', 'otlp_logs', [messages[0], bad, messages[1], messages[2]]);

    expect(dead).toHaveLength(1);
    expect(dead[0].value).toEqual(bad.value);
    expect(sizes).toEqual([120, 120, 60]);
    expect((await stores.logs.search({ service, limit: 1000 })).logs).toHaveLength(300);
  });

  it('counts span metrics of a bus batch once, when a store failure made the bus deliver it again', async () => {
    const service = uniq('redelivered');
    const baseUs = Date.now() * 1000 - 60_000_000;
    const messages: BusMessage[] = [0, 1, 2].map((m) => ({
      value: Buffer.from(encodeTraceRequestProto([0, 1].map((i) => makeSpan({ service, name: 'GET /pay', startUs: baseUs + m * 10 + i })))),
    }));
    let writes = 0;
    const writeSpans = stores.spans.writeSpans.bind(stores.spans);
    stores.spans.writeSpans = async (batch) => {
      // the third store write of the first delivery fails for a while: the first two were stored already
      if (++writes === 3) throw new BackendUnavailableError('store busy');
      await writeSpans(batch);
    };
    const counters = new Counters();
    const spanMetrics = new SpanMetrics({ counters, maxSeries: 10 });
    const processor = new StoreBatchProcessor({
      spanStore: stores.spans,
      logStore: stores.logs,
      businessKeys: { attributeNames: [], bodyPatterns: [] },
      batchSize: 2,
      counters,
      countSpans: () => spanMetrics.batch(),
    });
    const calls = () => counters.get(`traces_span_metrics_calls_total{service_name="${service}",span_name="GET /pay",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"}`);

    await expect(processor.process('spans', 'otlp_spans', messages)).rejects.toThrow('store busy');
    expect(calls()).toBe(0);
    expect(counters.get('chainscope_ingest_spans_written_total')).toBe(4);
    await processor.process('spans', 'otlp_spans', messages);
    expect(calls()).toBe(6);
    expect(counters.get(`traces_span_metrics_duration_milliseconds_count{service_name="${service}",span_name="GET /pay",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"}`)).toBe(6);
  });
});
