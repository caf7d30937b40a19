import type { ServiceStats, Topology } from '../topology';
import type { AttributeValue, BusinessKeyEntry, MessageIdEntry, Span, StatusCode, TimeWindow, TraceLinkEntry, TraceSummary } from '../model';
import type { TraceCursor, TraceHit, TraceSort } from './trace-search';
import type { ChainStageRule } from '../analysis/chain-stages';
import { DEFAULT_CONFIG } from '../config';
import type { OrderRollupRow } from '../analysis/order-rollup';
import type { LatencyBucketCount } from '../analysis/latency-heatmap';

/** What ingest hands a span store in one write: the spans and the index rows derived from them. */
export interface SpanBatch {
  spans: Span[];
  businessKeys: BusinessKeyEntry[];
  traceLinks: TraceLinkEntry[];
  messageIds: MessageIdEntry[];
}

/**
 * key = value, compared with the value's text (a number or boolean attribute as JS prints it; arrays,
 * objects and null never match). A trace matches when any of its spans carries the pair among its
 * span, event or resource attributes, or when the trace carries it as a business key (a BusinessKeyEntry
 * written for the trace, e.g. found in its log lines). Exact: no prefix, case or type folding.
 */
export interface AttributeFilter {
  key: string;
  value: string;
}

/**
 * The text an AttributeFilter compares an attribute value with: strings as they are,
 * numbers and booleans as JS prints them; arrays, objects and null have none
 * (undefined: not searchable, never indexed). Every span store indexes and matches by it.
 */
export function attributeText(value: AttributeValue): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return undefined;
  }
}

/** A trace search; what each condition means (span-level or trace-level) is in ./trace-search.ts. */
export interface TraceQuery extends TimeWindow {
  service?: string;
  operation?: string;
  /** A matching span has this status. */
  status?: StatusCode;
  /** All must match (each on any span of the trace, or as its business key). */
  attributes?: AttributeFilter[];
  /** The matching span's duration when an operation is given, else the trace's. */
  minDurationUs?: number;
  maxDurationUs?: number;
  /** Default 'newest'. */
  sort?: TraceSort;
  /** Only hits after this one in the sort's order (the last hit of the previous page). */
  after?: TraceCursor;
  /** Already capped by the caller. */
  limit: number;
}

/**
 * What a span store can answer beyond what every backend must. Business keys,
 * trace links and chain reads are not optional: ingest hands every store their
 * rows (SpanBatch) and the chain endpoints, the product's reason to be, need
 * them all, so the contract suite requires them of every backend.
 */
export interface SpanStoreCapabilities {
  /** Backend name as shown in /api/health. */
  backend: string;
  /**
   * findTraces takes `attributes` (AttributeFilter). False: the query API answers
   * `attr` / `tags` with a 400 saying so; the store may throw UnsupportedError.
   */
  attributeSearch: boolean;
}

/**
 * A span store. Writes are idempotent: span identity is traceId + spanId, and
 * a replayed batch changes nothing (counts and summaries included).
 * "Not found" is an empty answer ([] or null), never an exception; a backend
 * that cannot do something throws UnsupportedError.
 */
export interface SpanStore {
  readonly capabilities: SpanStoreCapabilities;
  start(): Promise<void>;
  shutdown(): Promise<void>;
  writeSpans(batch: SpanBatch): Promise<void>;
  /** All spans of a trace, ordered by start time; [] when the trace is unknown. */
  getTrace(traceId: string): Promise<Span[]>;
  /**
   * The spans of several traces in one read, each as getTrace gives it; an unknown id has no entry. At most
   * SPAN_READ_LIMITS.traceIdsPerRead ids (else ValidationError): a caller loading many traces (a business chain,
   * the slow-orders table) pays one round trip per read instead of one per trace, and budgets the spans itself.
   */
  getTraces(traceIds: string[]): Promise<Map<string, Span[]>>;
  /**
   * Traces matching the query in `sort` order (ties by trace id, see TraceCursor), after `after`,
   * at most `limit`, each with its matching spans; [] when none. A backend may answer attribute filters from an index or by walking
   * the window (the embedded store indexes the names it is configured with, see
   * storage/embedded/attribute-index.ts): the answer must not depend on which.
   */
  findTraces(query: TraceQuery): Promise<TraceHit[]>;
  /** Service names, sorted. */
  services(): Promise<string[]>;
  /** Span names of a service, sorted; [] for an unknown service. */
  operations(service: string): Promise<string[]>;
  /** Trace ids that carry key=value, newest first, at most `limit`. */
  tracesByBusinessKey(key: string, value: string, window: TimeWindow, limit: number): Promise<string[]>;
  /** Joins touching these traces, in both directions (links they hold and links to them). */
  linkedTraces(traceIds: string[]): Promise<TraceLinkEntry[]>;
  /** Summaries of the given traces (unknown ids are left out), in no particular order. At most 1,000 ids. */
  traceSummaries(traceIds: string[]): Promise<TraceSummary[]>;
  /**
   * Business-key values of `key` first seen in the window, with the time span of the traces that carry them
   * directly (first start to last end), slowest first, at most `limit`. An index read over the key table and trace summaries.
   */
  slowestBusinessKeys(key: string, window: TimeWindow, limit: number): Promise<BusinessKeySpan[]>;
  /**
   * Service topology over the window (both bounds required, else ValidationError), from the per-minute
   * roll-ups written at ingest (never a scan of raw spans): nodes (services, databases, queues, external
   * peers) and edges with calls, errors and latency quantiles. Whole minutes that touch the window count.
   */
  topology(window: TimeWindow): Promise<Topology>;
  /**
   * Time series (one point per step from the step holding window.startUs to the one holding endUs) of a
   * service's entry-span calls, errors and latency quantiles, overall and per operation. `stepUs` is a
   * whole number of minutes. An unknown service gives zero points and no operations.
   */
  serviceStats(service: string, window: TimeWindow, stepUs: number): Promise<ServiceStats>;
  /**
   * serviceStats of each of these services, in their order (at most MAX_STATS_SERVICES, else
   * ValidationError; core/analysis/topology-assemble.ts): a screen's services table and the error
   * operations ask for many services at once, and a backend answers them from one read where it can.
   */
  servicesStats(services: readonly string[], window: TimeWindow, stepUs: number): Promise<ServiceStats[]>;
  /**
   * Entry-span calls (server, consumer and root spans, as serviceStats counts them) per minute and latency
   * bucket (core/analysis/topology-histogram.ts) for every minute touching the window (both bounds required,
   * at most MAX_LATENCY_MINUTES minutes, else ValidationError), of one service or, without `service`, of
   * every service; sorted by minute, bucket. From the per-minute operation roll-ups, never raw spans. An
   * unknown service gives [].
   */
  latencyMinutes(window: Required<TimeWindow>, service?: string): Promise<LatencyBucketCount[]>;
  /**
   * The per-minute order roll-up of `key` written at ingest (core/analysis/order-rollup.ts) for every minute
   * touching the window (both bounds required), summed per (minute, stage, bucket), rows that sum to nothing
   * left out, sorted by minute, stage, bucket. [] for a key the store does not roll up.
   */
  orderMinutes(key: string, window: Required<TimeWindow>): Promise<OrderRollupRow[]>;
  /**
   * Orders of `key` (rolled-up values) whose first trace starts in the window, slowest first (end to end,
   * ties by value), at most `limit` (CHAIN_READ_LIMITS.slowestKeys); `failedOnly`: only orders with an error
   * span. Each with the trace ids its fact was made of (at most ORDER_FACT_TRACES). Read from the roll-up's
   * order facts, a bounded read per minute, never the business-key index of the whole window.
   */
  slowestOrders(key: string, window: Required<TimeWindow>, limit: number, failedOnly: boolean): Promise<BusinessKeySpan[]>;
}

/** Which business keys a span store rolls up per minute at ingest, and how it names a trace's stage. */
export interface OrderRollupSettings {
  keys: readonly string[];
  stages: readonly ChainStageRule[];
}

/** One business-key value with the traces that carry it directly and their time span (first start to last end). */
export interface BusinessKeySpan {
  value: string;
  traceIds: string[];
  startUs: number;
  endUs: number;
}

/** A store opened without settings rolls up the default business keys (BUSINESS_KEYS) and names stages by root (no CHAIN_STAGES). */
export const DEFAULT_ORDER_ROLLUP: OrderRollupSettings = { keys: DEFAULT_CONFIG.businessKeys, stages: DEFAULT_CONFIG.chainStages };
