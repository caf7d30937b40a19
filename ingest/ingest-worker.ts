import { deadLetterTopic, type Bus, type BusMessage, type Subscription } from '../core/contracts/bus';
import type { Counters } from '../core/metrics';
import { RateLimitedLog } from '../core/util/rate-limited-log';
import { DEAD_LETTER_REASON_HEADER, INGEST_COUNTERS, type BatchProcessor, type Signal } from './batch-processor';

export { DEAD_LETTER_REASON_HEADER, DEAD_LETTER_SOURCE_HEADER } from './batch-processor';

export interface IngestWorkerOptions {
  bus: Bus;
  /** `jsonLogs`: optional topic of raw JSON lines (KAFKA_JSON_LOGS_TOPIC). */
  topics: { spans: string; logs: string; jsonLogs?: string };
  group: string;
  /** Decodes and writes batches: in this thread (StoreBatchProcessor) or in a worker thread. */
  processor: BatchProcessor;
  counters: Counters;
  log?: (line: string) => void;
}

/**
 * Bus consumer → stores. Hands each batch to the processor and lets the bus
 * advance only after it resolved (the stores acknowledged). Messages the
 * processor could not use go to `<topic>_dlq`; a retriable failure is thrown
 * back so the bus delivers the batch again.
 */
export class IngestWorker {
  private subscriptions: Subscription[] = [];
  private readonly warn: RateLimitedLog;

  constructor(private readonly options: IngestWorkerOptions) {
    this.warn = new RateLimitedLog(options.log);
    for (const [name, help] of Object.entries(INGEST_COUNTERS)) options.counters.describe(name, help);
  }

  async start(): Promise<void> {
    const { bus, topics, group } = this.options;
    this.subscriptions.push(await bus.subscribe(topics.spans, group, (m) => this.handle('spans', topics.spans, m)));
    this.subscriptions.push(await bus.subscribe(topics.logs, group, (m) => this.handle('logs', topics.logs, m)));
    const jsonLogs = topics.jsonLogs;
    if (jsonLogs) this.subscriptions.push(await bus.subscribe(jsonLogs, group, (m) => this.handle('json_logs', jsonLogs, m)));
  }

  async shutdown(): Promise<void> {
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.close()));
    await this.options.processor.close();
  }

  private async handle(signal: Signal, topic: string, messages: BusMessage[]): Promise<void> {
    const dead = await this.options.processor.process(signal, topic, messages);
    if (dead.length === 0) return;
    await this.options.bus.publish(deadLetterTopic(topic), dead);
    this.options.counters.add('chainscope_ingest_dead_lettered_total', dead.length);
    this.warn.warn(`dlq:${topic}`, `ingest: ${dead.length} message(s) from ${topic} dead-lettered: ${dead[0].headers?.[DEAD_LETTER_REASON_HEADER]}`);
  }
}
