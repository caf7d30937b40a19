import { ValidationError } from '../errors';
import { severityTextFromNumber } from '../log-normalise/severity';
import { hasFreeText, type LogQlNode } from '../logql/ast';
import type { BusinessKeyEntry, LogRecord, TimeWindow } from '../model';
import type { BurstLimits, ServiceBurst } from './log-bursts';

export type { BurstLimits, ServiceBurst } from './log-bursts';

export interface LogBatch {
  logs: LogRecord[];
  businessKeys: BusinessKeyEntry[];
}

/** Parsed free text: every term and every phrase must occur in the body. */
export interface TextQuery {
  terms: string[];
  phrases: string[];
}

export type LogSort = 'time_desc' | 'time_asc';

/** Position after the last record of a page: records strictly beyond (timeUs, id) in the sort order come next. */
export interface LogCursor {
  timeUs: number;
  id: string;
}

export interface LogQuery extends TimeWindow {
  /** Parsed query-language filter (core/logql); ANDed with everything else. */
  filter?: LogQlNode;
  /** Legacy free text: every term and phrase must occur in the body. */
  text?: TextQuery;
  service?: string;
  /** Severity text, matched case-insensitively (e.g. 'ERROR'). */
  severity?: string;
  traceId?: string;
  spanId?: string;
  /** Already capped by the caller. */
  limit: number;
  /** Default time_desc; ties on time are broken by id in the same direction. */
  sort?: LogSort;
  /** From the previous page's nextCursor, with the same query and sort. */
  cursor?: LogCursor;
}

export interface LogSearchResult {
  /** Number of matching records (may be a lower bound when `totalIsLowerBound`). */
  total: number;
  totalIsLowerBound?: boolean;
  /** In the query's sort order (newest first by default). */
  logs: LogRecord[];
  /** Set when the page is full: pass it as `cursor` for the next page. `total` ignores the cursor. */
  nextCursor?: LogCursor;
}

/** The query part of histogram/facets: filters and window, no paging. */
export type LogFilterQuery = Omit<LogQuery, 'limit' | 'sort' | 'cursor'>;

/** Canonical severity groups (from severity_number ranges of OpenTelemetry); 0 or out of range is UNSPECIFIED. */
export const SEVERITY_GROUPS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'UNSPECIFIED'] as const;
export type SeverityGroup = (typeof SEVERITY_GROUPS)[number];

export function severityGroup(severityNumber: number): SeverityGroup {
  return (severityTextFromNumber(severityNumber) || 'UNSPECIFIED') as SeverityGroup;
}

export interface HistogramBucket {
  /** Bucket start: floor(timeUs / intervalUs) * intervalUs. */
  tUs: number;
  total: number;
  counts: Partial<Record<SeverityGroup, number>>;
}

/** What `facets` can group by: a built-in field or an attribute name. */
export type FacetField = { kind: 'service' | 'severity' | 'host' } | { kind: 'attribute'; name: string };

/** Smallest histogram interval: 1 ms. */
export const MIN_HISTOGRAM_INTERVAL_US = 1_000;

export function checkInterval(intervalUs: number): void {
  if (!Number.isSafeInteger(intervalUs) || intervalUs < MIN_HISTOGRAM_INTERVAL_US) {
    throw new ValidationError(`interval must be a whole number of µs ≥ ${MIN_HISTOGRAM_INTERVAL_US}`, 'interval');
  }
}

/** (bucket, severity number, count) rows → buckets with counts per severity group, oldest first. */
export function foldHistogram(rows: { t: number; sn: number; n: number }[]): HistogramBucket[] {
  const buckets = new Map<number, HistogramBucket>();
  for (const r of rows) {
    let b = buckets.get(r.t);
    if (!b) buckets.set(r.t, (b = { tUs: r.t, total: 0, counts: {} }));
    const g = severityGroup(r.sn);
    b.total += r.n;
    b.counts[g] = (b.counts[g] ?? 0) + r.n;
  }
  return [...buckets.values()].sort((a, b) => a.tUs - b.tUs);
}

export interface FacetValue {
  value: string;
  count: number;
}
/** What a log store can answer beyond what every backend must. */
export interface LogStoreCapabilities {
  /** Backend name as shown in /api/health. */
  backend: string;
  /**
   * Words of the body: `text` and text nodes of `filter` (free text, phrases, prefixes).
   * False: the query API answers a `q` with free text with a 400 saying so (fields,
   * levels and attributes still work); the store may throw UnsupportedError.
   */
  fullText: boolean;
}

/** Whether answering the query needs full text (free text anywhere in its filter, or legacy text terms). */
export function needsFullText(query: { filter?: LogQlNode; text?: TextQuery }): boolean {
  return hasFreeText(query.filter) || (query.text !== undefined && query.text.terms.length + query.text.phrases.length > 0);
}

/**
 * A log store. Writes are idempotent on LogRecord.id. "Not found" is an empty
 * answer; a backend that cannot do something throws UnsupportedError.
 */
export interface LogStore {
  readonly capabilities: LogStoreCapabilities;
  start(): Promise<void>;
  shutdown(): Promise<void>;
  writeLogs(batch: LogBatch): Promise<void>;
  search(query: LogQuery): Promise<LogSearchResult>;
  /** Non-empty buckets of matching records, oldest first, counted by severity group. */
  histogram(query: LogFilterQuery, intervalUs: number): Promise<HistogramBucket[]>;
  /** Top values of a field among matching records: count descending, then value ascending; at most `limit`. */
  facets(query: LogFilterQuery, field: FacetField, limit: number): Promise<FacetValue[]>;
  /**
   * Per service, in one read: the top `limits.services` services of the matching records (as `facets` by
   * service ranks them), each with its non-empty `intervalUs` buckets (as `histogram`) and its top
   * `limits.messages` messages (log-bursts.ts). What a wall screen's error-bursts panel shows.
   */
  bursts(query: LogFilterQuery, intervalUs: number, limits: BurstLimits): Promise<ServiceBurst[]>;
  /** Logs of a trace (optionally one span), oldest first, at most `limit`. */
  byTrace(traceId: string, limit: number, spanId?: string): Promise<LogRecord[]>;
  /** Records from the same source (service) around one record, oldest first; null if the id is unknown. */
  context(logId: string, before: number, after: number): Promise<LogRecord[] | null>;
}
