import { deadLetterTopic, type Bus, type BusMessage, type Subscription } from '../core/contracts/bus';
import type { MetricStore } from '../core/contracts/metric-store';
import type { MetricPoint } from '../core/metric-point';
import type { Counters } from '../core/metrics';
import { decodeMetricsRequestJson, decodeMetricsRequestProto } from '../core/otlp';
import { RateLimitedLog } from '../core/util/rate-limited-log';
import { isRetriable } from '../core/errors';
import { messagesByTenant } from '../core/tenancy/messages-by-tenant';
import { DEAD_LETTER_REASON_HEADER, deadLetter } from './batch-processor';

export interface MetricsIngestOptions {
  bus: Bus;
  topic: string;
  group: string;
  /** The metric store of a tenant (its messages' TENANT_HEADER). */
  storeOf: (tenant: string) => Promise<MetricStore>;
  counters: Counters;
  log?: (line: string) => void;
}

const OPEN_BRACE = 0x7b;

/**
 * Bus topic `otlp_metrics` → the metric store, on the main thread (metric
 * points are few next to spans). Each message is an OTLP
 * ExportMetricsServiceRequest, protobuf (what the receivers and the
 * Collector's otlp_proto Kafka encoding write) or JSON (otlp_json); one that
 * does not decode goes to `otlp_metrics_dlq`. A retriable store failure is
 * thrown back so the bus delivers the batch again; a permanent one
 * dead-letters the batch.
 */
export class MetricsIngest {
  private subscription: Subscription | undefined;
  private readonly warn: RateLimitedLog;

  constructor(private readonly options: MetricsIngestOptions) {
    this.warn = new RateLimitedLog(options.log);
    options.counters.describe('chainscope_ingest_metric_points_written_total', 'Metric data points written to the metric store');
    options.counters.describe('chainscope_ingest_dead_lettered_total', 'Bus messages sent to a dead-letter topic');
  }

  async start(): Promise<void> {
    const { bus, topic, group } = this.options;
    this.subscription = await bus.subscribe(topic, group, (messages) => this.handle(messages));
  }

  async shutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private async handle(messages: BusMessage[]): Promise<void> {
    const { topic } = this.options;
    const { byTenant, invalid } = messagesByTenant(messages);
    const dead = invalid.map((i) => deadLetter(i.message, topic, new Error(i.reason)));
    for (const [tenant, own] of byTenant) await this.write(tenant, own, dead);
    if (dead.length === 0) return;
    await this.options.bus.publish(deadLetterTopic(topic), dead);
    this.options.counters.add('chainscope_ingest_dead_lettered_total', dead.length);
    this.warn.warn('dlq', `ingest: ${dead.length} message(s) from ${topic} dead-lettered: ${dead[0].headers?.[DEAD_LETTER_REASON_HEADER]}`);
  }

  /** One tenant's messages into its store; what cannot be used goes to `dead`. */
  private async write(tenant: string, messages: BusMessage[], dead: BusMessage[]): Promise<void> {
    const { topic } = this.options;
    const points: MetricPoint[] = [];
    for (const message of messages) {
      try {
        const decoded = message.value[0] === OPEN_BRACE ? decodeMetricsRequestJson(message.value.toString('utf8')) : decodeMetricsRequestProto(message.value);
        for (const point of decoded.points) points.push(point);
      } catch (err) {
        dead.push(deadLetter(message, topic, err));
      }
    }
    try {
      const store = await this.options.storeOf(tenant);
      await store.writeMetricPoints(points);
      this.options.counters.add('chainscope_ingest_metric_points_written_total', points.length);
    } catch (err) {
      if (isRetriable(err)) throw err;
      for (const message of messages) dead.push(deadLetter(message, topic, err));
    }
  }
}
