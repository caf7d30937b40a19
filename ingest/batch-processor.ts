import type { BusMessage } from '../core/contracts/bus';
import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import { isRetriable } from '../core/errors';
import type { Counters } from '../core/metrics';
import type { LogRecord, Span } from '../core/model';
import { decodeLogsRequestJson, decodeLogsRequestProto, decodeTraceRequestJson, decodeTraceRequestProto } from '../core/otlp';
import type { JsonLogsMappingConfig } from '../core/config';
import { decodeJsonLines, resolveJsonLinesMapping, type JsonLinesMapping } from './json-lines/decode';
import { businessKeysOfLogs, businessKeysOfSpans, type BusinessKeyRules } from './business-keys';
import { messageIdsOf, traceLinksOf } from './trace-links';
import type { SpanMetricsBatch } from './span-metrics/span-metrics';

/** `json_logs`: raw JSON lines (Fluent Bit, Vector, Filebeat) on KAFKA_JSON_LOGS_TOPIC. */
export type Signal = 'spans' | 'logs' | 'json_logs';
export type PayloadEncoding = 'otlp_proto' | 'otlp_json';

export const DEAD_LETTER_REASON_HEADER = 'chainscope-dlq-reason';
export const DEAD_LETTER_SOURCE_HEADER = 'chainscope-dlq-source-topic';

export const INGEST_COUNTERS = {
  chainscope_ingest_spans_written_total: 'Spans written to the span store',
  chainscope_ingest_logs_written_total: 'Log records written to the log store',
  chainscope_ingest_dead_lettered_total: 'Bus messages sent to a dead-letter topic',
  chainscope_ingest_store_retries_total: 'Batches handed back to the bus after a retriable store error',
} as const;

/**
 * Turns one bus batch into store writes. Resolves with the messages that must
 * go to the dead-letter topic (undecodable, or refused for good by a store);
 * rejects with a retriable error when a store failed transiently, so the bus
 * delivers the batch again.
 */
export interface BatchProcessor {
  process(signal: Signal, topic: string, messages: BusMessage[]): Promise<BusMessage[]>;
  close(): Promise<void>;
}

export interface StoreBatchProcessorOptions {
  spanStore: SpanStore;
  logStore: LogStore;
  businessKeys: BusinessKeyRules;
  payloadEncoding?: PayloadEncoding;
  /** Items per store write, at most. */
  batchSize: number;
  counters: Counters;
  /** Field mapping of the JSON-lines topic (defaults fill what it leaves out). */
  jsonLogsMapping?: JsonLogsMappingConfig;
  /** Sees every span batch once it is stored (service-graph halves). */
  observeSpans?: (spans: Span[]) => void;
  /**
   * Span metrics: a count per bus batch, given every stored span write and
   * committed only once the whole bus batch is stored, so a bus batch handed
   * back after a store failure (and delivered again) is counted once.
   */
  countSpans?: () => SpanMetricsBatch;
}

/** Decodes OTLP payloads, derives the index rows (business keys, trace links, message ids) and writes in bounded batches. */
export class StoreBatchProcessor implements BatchProcessor {
  private readonly jsonLines: JsonLinesMapping;

  constructor(private readonly options: StoreBatchProcessorOptions) {
    this.jsonLines = resolveJsonLinesMapping(options.jsonLogsMapping);
  }

  async process(signal: Signal, topic: string, messages: BusMessage[]): Promise<BusMessage[]> {
    const decoders = DECODERS[this.options.payloadEncoding ?? 'otlp_proto'];
    if (signal === 'json_logs') return this.run(topic, messages, this.decodeJsonLines, this.writeLogs);
    if (signal === 'logs') return this.run(topic, messages, decoders.logs, this.writeLogs);
    const count = this.options.countSpans?.();
    const dead = await this.run(topic, messages, decoders.spans, async (spans: Span[]) => {
      await this.writeSpans(spans);
      count?.add(spans);
    });
    count?.commit();
    return dead;
  }

  /** Good lines of a message are kept; each bad line is dead-lettered on its own (value = that line). */
  private readonly decodeJsonLines = (bytes: Uint8Array, dead: (value: Buffer, reason: string) => void): LogRecord[] => {
    const { logs, bad } = decodeJsonLines(bytes, this.jsonLines);
    for (const b of bad) dead(Buffer.from(b.line, 'utf8'), b.reason);
    return logs;
  };

  async close(): Promise<void> {}

  private readonly writeSpans = async (spans: Span[]): Promise<void> => {
    const { spanStore, businessKeys, counters } = this.options;
    await spanStore.writeSpans({
      spans,
      businessKeys: businessKeysOfSpans(spans, businessKeys),
      traceLinks: traceLinksOf(spans),
      messageIds: messageIdsOf(spans),
    });
    counters.add('chainscope_ingest_spans_written_total', spans.length);
    this.options.observeSpans?.(spans);
  };

  private readonly writeLogs = async (logs: LogRecord[]): Promise<void> => {
    const { logStore, spanStore, businessKeys, counters } = this.options;
    const keys = businessKeysOfLogs(logs, businessKeys);
    await logStore.writeLogs({ logs, businessKeys: keys });
    // Chains are walked from the span store's key index: a key seen only in a log line
    // (e.g. "order ORD-1 shipped") must land there too, whatever the log backend is.
    if (keys.length > 0) await spanStore.writeSpans({ spans: [], businessKeys: keys, traceLinks: [], messageIds: [] });
    counters.add('chainscope_ingest_logs_written_total', logs.length);
  };

  /**
   * Decodes message by message and writes every `batchSize` items as soon as
   * they are there, so at most one store batch plus one message's items are
   * alive at a time (decoding a whole bus batch first held every record of a
   * 16 MiB fetch at once: about a gigabyte of heap per two partitions). The
   * writes are the same as before: `batchSize` items each, in message order.
   */
  private async run<T>(
    topic: string,
    messages: BusMessage[],
    decode: (bytes: Uint8Array, dead: (value: Buffer, reason: string) => void) => T[],
    write: (items: T[]) => Promise<void>,
  ): Promise<BusMessage[]> {
    const dead: BusMessage[] = [];
    const { batchSize, counters } = this.options;
    let pending: T[] = [];
    try {
      for (const message of messages) {
        let decoded: T[];
        try {
          const partlyDead = (value: Buffer, reason: string) => dead.push(deadLetter({ ...message, value }, topic, new Error(reason)));
          decoded = decode(message.value, partlyDead);
        } catch (err) {
          dead.push(deadLetter(message, topic, err));
          continue;
        }
        for (const item of decoded) pending.push(item);
        while (pending.length >= batchSize) await write(pending.splice(0, batchSize));
      }
      if (pending.length > 0) {
        const last = pending;
        pending = [];
        await write(last);
      }
    } catch (err) {
      if (isRetriable(err)) {
        counters.add('chainscope_ingest_store_retries_total');
        throw err;
      }
      // A store refused this batch for good: park all of it (replaying the whole batch is idempotent) and move on.
      return messages.map((m) => deadLetter(m, topic, err));
    }
    return dead;
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

/** The message as it goes to `<topic>_dlq`: its own headers plus the reason and the topic it came from. */
export function deadLetter(message: BusMessage, topic: string, err: unknown): BusMessage {
  const reason = String((err as Error)?.message ?? err).slice(0, 1000);
  return {
    value: message.value,
    key: message.key,
    headers: { ...message.headers, [DEAD_LETTER_REASON_HEADER]: reason, [DEAD_LETTER_SOURCE_HEADER]: topic },
  };
}
