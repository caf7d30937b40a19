import type { Bus, BusMessage, Subscription } from '../core/contracts/bus';
import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import { isRetriable } from '../core/errors';
import type { Counters } from '../core/metrics';
import type { LogRecord, Span } from '../core/model';
import { decodeLogsRequestJson, decodeLogsRequestProto, decodeTraceRequestJson, decodeTraceRequestProto } from '../core/otlp';
import { RateLimitedLog } from '../core/util/rate-limited-log';
import { businessKeysOfLogs, businessKeysOfSpans, type BusinessKeyRules } from './business-keys';
import { messageIdsOf, traceLinksOf } from './trace-links';

export interface IngestWorkerOptions {
  bus: Bus;
  topics: { spans: string; logs: string };
  group: string;
  /** How bus payloads are encoded: OTLP protobuf (what our collector and the OTel Collector write) or OTLP/JSON. */
  payloadEncoding?: 'otlp_proto' | 'otlp_json';
  spanStore: SpanStore;
  logStore: LogStore;
  businessKeys: BusinessKeyRules;
  /** Items per store write, at most. */
  batchSize: number;
  counters: Counters;
  log?: (line: string) => void;
}

export const DEAD_LETTER_REASON_HEADER = 'chainscope-dlq-reason';
export const DEAD_LETTER_SOURCE_HEADER = 'chainscope-dlq-source-topic';

export function deadLetterTopic(topic: string): string {
  return `${topic}_dlq`;
}

/**
 * Bus consumer → stores. Decodes OTLP messages, derives the index rows
 * (business keys, trace links, message ids), writes in bounded batches and
 * lets the bus advance only after the stores acknowledged. Undecodable
 * messages and batches a store refuses for good go to `<topic>_dlq`;
 * retriable store failures are thrown back so the bus redelivers.
 */
export class IngestWorker {
  private subscriptions: Subscription[] = [];
  private readonly warn: RateLimitedLog;

  constructor(private readonly options: IngestWorkerOptions) {
    this.warn = new RateLimitedLog(options.log);
    const c = options.counters;
    c.describe('chainscope_ingest_spans_written_total', 'Spans written to the span store');
    c.describe('chainscope_ingest_logs_written_total', 'Log records written to the log store');
    c.describe('chainscope_ingest_dead_lettered_total', 'Bus messages sent to a dead-letter topic');
    c.describe('chainscope_ingest_store_retries_total', 'Batches handed back to the bus after a retriable store error');
  }

  async start(): Promise<void> {
    const { bus, topics, group, payloadEncoding = 'otlp_proto' } = this.options;
    const decoders = DECODERS[payloadEncoding];
    this.subscriptions.push(await bus.subscribe(topics.spans, group, (m) => this.handle(topics.spans, m, decoders.spans, this.writeSpans)));
    this.subscriptions.push(await bus.subscribe(topics.logs, group, (m) => this.handle(topics.logs, m, decoders.logs, this.writeLogs)));
  }

  async shutdown(): Promise<void> {
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.close()));
  }

  private readonly writeSpans = async (spans: Span[]): Promise<void> => {
    const { spanStore, businessKeys, counters } = this.options;
    await spanStore.writeSpans({
      spans,
      businessKeys: businessKeysOfSpans(spans, businessKeys),
      traceLinks: traceLinksOf(spans),
      messageIds: messageIdsOf(spans),
    });
    counters.add('chainscope_ingest_spans_written_total', spans.length);
  };

  private readonly writeLogs = async (logs: LogRecord[]): Promise<void> => {
    const { logStore, businessKeys, counters } = this.options;
    await logStore.writeLogs({ logs, businessKeys: businessKeysOfLogs(logs, businessKeys) });
    counters.add('chainscope_ingest_logs_written_total', logs.length);
  };

  private async handle<T>(
    topic: string,
    messages: BusMessage[],
    decode: (bytes: Uint8Array) => T[],
    write: (items: T[]) => Promise<void>,
  ): Promise<void> {
    const items: T[] = [];
    const dead: BusMessage[] = [];
    for (const message of messages) {
      try {
        for (const item of decode(message.value)) items.push(item);
      } catch (err) {
        dead.push(deadLetter(message, topic, err));
      }
    }
    if (dead.length > 0) await this.deadLetter(topic, dead);
    const { batchSize } = this.options;
    try {
      for (let i = 0; i < items.length; i += batchSize) await write(items.slice(i, i + batchSize));
    } catch (err) {
      if (isRetriable(err)) {
        this.options.counters.add('chainscope_ingest_store_retries_total');
        throw err;
      }
      // A store refused this batch for good: park it (replaying the whole batch is idempotent) and move on.
      await this.deadLetter(topic, messages.map((m) => deadLetter(m, topic, err)));
    }
  }

  private async deadLetter(topic: string, messages: BusMessage[]): Promise<void> {
    await this.options.bus.publish(deadLetterTopic(topic), messages);
    this.options.counters.add('chainscope_ingest_dead_lettered_total', messages.length);
    this.warn.warn(`dlq:${topic}`, `ingest: ${messages.length} message(s) from ${topic} dead-lettered: ${messages[0].headers?.[DEAD_LETTER_REASON_HEADER]}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const DECODERS = {
  otlp_proto: {
    spans: (bytes: Uint8Array): Span[] => decodeTraceRequestProto(bytes).spans,
    logs: (bytes: Uint8Array): LogRecord[] => decodeLogsRequestProto(bytes).logs,
  },
  otlp_json: {
    spans: (bytes: Uint8Array): Span[] => decodeTraceRequestJson(utf8.decode(bytes)).spans,
    logs: (bytes: Uint8Array): LogRecord[] => decodeLogsRequestJson(utf8.decode(bytes)).logs,
  },
} as const;

function deadLetter(message: BusMessage, topic: string, err: unknown): BusMessage {
  const reason = String((err as Error)?.message ?? err).slice(0, 1000);
  return { value: message.value, key: message.key, headers: { ...message.headers, [DEAD_LETTER_REASON_HEADER]: reason, [DEAD_LETTER_SOURCE_HEADER]: topic } };
}
