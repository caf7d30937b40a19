import type { BusinessKeyEntry, LogRecord, TimeWindow } from '../model';

export interface LogBatch {
  logs: LogRecord[];
  businessKeys: BusinessKeyEntry[];
}

/** Parsed free text: every term and every phrase must occur in the body. */
export interface TextQuery {
  terms: string[];
  phrases: string[];
}

export interface LogQuery extends TimeWindow {
  text?: TextQuery;
  service?: string;
  /** Severity text, matched case-insensitively (e.g. 'ERROR'). */
  severity?: string;
  traceId?: string;
  spanId?: string;
  /** Already capped by the caller. */
  limit: number;
}

export interface LogSearchResult {
  /** Number of matching records (may be a lower bound when `totalIsLowerBound`). */
  total: number;
  totalIsLowerBound?: boolean;
  /** Newest first. */
  logs: LogRecord[];
}

export interface LogStoreCapabilities {
  backend: string;
  fullText: boolean;
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
  /** Logs of a trace (optionally one span), oldest first, at most `limit`. */
  byTrace(traceId: string, limit: number, spanId?: string): Promise<LogRecord[]>;
  /** Records from the same source (service) around one record, oldest first; null if the id is unknown. */
  context(logId: string, before: number, after: number): Promise<LogRecord[] | null>;
}
