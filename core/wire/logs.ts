import type { HistogramBucket } from '../contracts/log-store';
import type { LogRecord } from '../model';

export type { HistogramBucket, SeverityGroup } from '../contracts/log-store';

/** A log record as /api/logs, /api/logs/:id/context, /api/logs/tail and /api/chains send it. */
export interface LogView {
  id: string;
  timeUs: number;
  service: string;
  severity: string;
  severityText: string;
  severityNumber: number;
  body: string;
  traceId: string;
  spanId: string;
  attributes: LogRecord['attributes'];
  resource: LogRecord['resource'];
}

/** Positive free-text words and phrases of `q`, for highlighting. */
export interface LogHighlight {
  terms: string[];
  phrases: string[];
}

/** GET /api/logs */
export interface LogSearchView {
  total: number;
  totalIsLowerBound: boolean;
  logs: LogView[];
  /** Opaque; pass as `cursor` for the next page. null on the last page. */
  nextCursor: string | null;
  highlight: LogHighlight;
}

/** GET /api/logs/histogram: counts per interval and severity group, empty buckets filled in. */
export interface LogHistogramView {
  intervalUs: number;
  buckets: HistogramBucket[];
}

/** GET /api/logs/facets */
export interface LogFacetsView {
  field: string;
  values: Array<{ value: string; count: number }>;
}

/** GET /api/logs/:id/context: oldest first, the anchor included. */
export interface LogContextView {
  anchorId: string;
  logs: LogView[];
}

/** Why a live tail skipped matching lines. */
export type TailDropReason = 'burst' | 'resume';

/** The data of a `dropped` event of GET /api/logs/tail (a `log` event carries one LogView). */
export interface TailDroppedEvent {
  count: number;
  atLeast: boolean;
  reason: TailDropReason;
}
