import type { LatencyBucketCount } from '../../core/analysis/latency-heatmap';
import type { OrderRollupRow } from '../../core/analysis/order-rollup';
import { DEFAULT_ORDER_ROLLUP, type BusinessKeySpan, type OrderRollupSettings, type SpanBatch, type SpanStore, type SpanStoreCapabilities, type TraceQuery } from '../../core/contracts/span-store';
import type { TraceHit } from '../../core/contracts/trace-search';
import type { Span, TimeWindow, TraceLinkEntry, TraceSummary } from '../../core/model';
import { ChainReader } from './chain-reader';
import { OrderRollupReader } from './order-rollup-reader';
import { EmbeddedStoreHandle } from './store-handle';
import type { EmbeddedDatabase } from './database';
import type { EmbeddedRetention } from './retention';
import { SpanReader } from './span-reader';
import { SpanWriter } from './span-writer';
import { TopologyReader } from './topology-reader';
import type { ServiceStats, Topology } from '../../core/topology';

/**
 * SpanStore on the embedded SQLite database. better-sqlite3 is synchronous:
 * each call runs to completion on the calling thread (a 1,000-span batch
 * takes a few milliseconds) and the promise only carries the result.
 */
export class EmbeddedSpanStore extends EmbeddedStoreHandle implements SpanStore {
  readonly capabilities: SpanStoreCapabilities = {
    backend: 'embedded',
    attributeSearch: true,
  };
  private readonly writer: SpanWriter;
  private readonly reader: SpanReader;
  private readonly chainReader: ChainReader;
  private readonly topologyReader: TopologyReader;
  private readonly orderReader: OrderRollupReader;

  /**
   * `indexedAttributes`: attribute names searched from an index instead of a walk of the window (attribute-index.ts);
   * `orderRollup`: the business keys rolled up per minute at write (default: the default business keys, no stage rules).
   */
  constructor(edb: EmbeddedDatabase, retention?: EmbeddedRetention, indexedAttributes: readonly string[] = [], orderRollup: OrderRollupSettings = DEFAULT_ORDER_ROLLUP) {
    super(edb, 'embedded span store', retention);
    this.writer = new SpanWriter(edb, indexedAttributes, orderRollup);
    this.orderReader = new OrderRollupReader(edb);
    this.reader = new SpanReader(edb);
    this.chainReader = new ChainReader(edb);
    this.topologyReader = new TopologyReader(edb);
  }

  async writeSpans(batch: SpanBatch): Promise<void> {
    this.runWrite('writeSpans', () => this.writer.write(batch));
  }

  async getTrace(traceId: string): Promise<Span[]> {
    return this.run('getTrace', () => this.reader.getTrace(traceId));
  }

  async getTraces(traceIds: string[]): Promise<Map<string, Span[]>> {
    return this.run('getTraces', () => this.reader.getTraces(traceIds));
  }

  async findTraces(query: TraceQuery): Promise<TraceHit[]> {
    return this.run('findTraces', () => this.reader.findTraces(query));
  }

  async services(): Promise<string[]> {
    return this.run('services', () => this.reader.services());
  }

  async operations(service: string): Promise<string[]> {
    return this.run('operations', () => this.reader.operations(service));
  }

  async tracesByBusinessKey(key: string, value: string, window: TimeWindow, limit: number): Promise<string[]> {
    return this.run('tracesByBusinessKey', () => this.reader.tracesByBusinessKey(key, value, window, limit));
  }

  async linkedTraces(traceIds: string[]): Promise<TraceLinkEntry[]> {
    return this.run('linkedTraces', () => this.reader.linkedTraces(traceIds));
  }

  async traceSummaries(traceIds: string[]): Promise<TraceSummary[]> {
    return this.run('traceSummaries', () => this.chainReader.traceSummaries(traceIds));
  }

  async slowestBusinessKeys(key: string, window: TimeWindow, limit: number): Promise<BusinessKeySpan[]> {
    return this.run('slowestBusinessKeys', () => this.chainReader.slowestBusinessKeys(key, window, limit));
  }

  async topology(window: TimeWindow): Promise<Topology> {
    return this.run('topology', () => this.topologyReader.topology(window));
  }

  async serviceStats(service: string, window: TimeWindow, stepUs: number): Promise<ServiceStats> {
    return this.run('serviceStats', () => this.topologyReader.serviceStats(service, window, stepUs));
  }

  async servicesStats(services: readonly string[], window: TimeWindow, stepUs: number): Promise<ServiceStats[]> {
    return this.run('servicesStats', () => this.topologyReader.servicesStats(services, window, stepUs));
  }

  async latencyMinutes(window: Required<TimeWindow>, service?: string): Promise<LatencyBucketCount[]> {
    return this.run('latencyMinutes', () => this.topologyReader.latencyMinutes(window, service));
  }

  async orderMinutes(key: string, window: Required<TimeWindow>): Promise<OrderRollupRow[]> {
    return this.run('orderMinutes', () => this.orderReader.orderMinutes(key, window));
  }

  async slowestOrders(key: string, window: Required<TimeWindow>, limit: number, failedOnly: boolean): Promise<BusinessKeySpan[]> {
    return this.run('slowestOrders', () => this.orderReader.slowestOrders(key, window, limit, failedOnly));
  }
}
