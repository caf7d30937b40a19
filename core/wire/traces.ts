import type { Span } from '../model';
import type { TraceHit } from '../contracts/trace-search';

export type { Attributes, AttributeValue, Span, SpanEvent, SpanKind, SpanLink, SpanStatus, StatusCode, TraceSummary } from '../model';
export type { MatchingSpan, TraceHit, TraceSort } from '../contracts/trace-search';

/** A span as GET /api/traces/:traceId returns it: the stored span (times skew-corrected) plus analysis fields. */
export interface TraceSpanView extends Span {
  /** The span owns at least one stretch of the trace root's critical path. */
  criticalPath: boolean;
  /** Those stretches, in time order; only on critical-path spans. */
  criticalSegments?: Array<{ startUs: number; endUs: number }>;
  /** Added to startUs (and event times) by clock-skew correction; the stored start is startUs - skewAdjustedUs. */
  skewAdjustedUs: number;
}

/** GET /api/traces/:traceId */
export interface TraceView {
  traceId: string;
  spans: TraceSpanView[];
  warnings: string[];
}

/** GET /api/traces */
export interface TraceSearchAnswer {
  traces: TraceHit[];
  /** Pass as `cursor` for the next page (same filters and sort); absent on the last page. */
  next?: string;
}

/** GET /api/services */
export interface ServicesAnswer {
  services: string[];
}

/** GET /api/services/:service/operations */
export interface OperationsAnswer {
  operations: string[];
}
