import type { MetricPoint } from '../metric-point';
import type { LogRecord, Span } from '../model';

/** Shared by every decode result. */
export interface DecodeOutcome {
  /** Items refused (bad ids, missing timestamps…); the sender learns of them through partial_success. */
  rejected: number;
  /** Up to MAX_REJECT_REASONS distinct reasons, first seen first. */
  rejectReasons: string[];
  /** Values cut or items dropped to respect the input limits (and unusable span links dropped). */
  truncated: number;
  /**
   * True when the model differs from what the request literally said because of
   * limits (truncated > 0). With rejected === 0 and modified false, re-decoding the
   * same protobuf bytes gives the same items, so a receiver may forward them as-is.
   */
  modified: boolean;
}

export interface DecodedTraces extends DecodeOutcome {
  spans: Span[];
}

export interface DecodedLogs extends DecodeOutcome {
  logs: LogRecord[];
}

/** How log records are decoded. */
export interface LogDecodeOptions {
  /**
   * Derive each record's id (core/log-id.ts; default true). A receiver that only
   * validates and forwards records can skip it, ids then stay '': ids are not
   * carried on the wire, whoever stores the records derives them again.
   */
  ids?: boolean;
}

export interface DecodedMetrics extends DecodeOutcome {
  /** One per accepted data point. */
  points: MetricPoint[];
}
