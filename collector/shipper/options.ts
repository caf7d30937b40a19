import type { MultilineOptions } from './multiline';
import type { ParserSpec } from './parsers';
import type { ServiceRule } from './service-name';

/** One kind of log file: where it is, whose it is, how to read it. */
export interface ShipperSource {
  /** Glob patterns (`*`, `?`, `**`, `[…]`), made absolute against the working directory. */
  paths: string[];
  /** service.name of the records; with `serviceFrom`, of those it names no service for. */
  service: string;
  /** Per-record service.name: from a field, or from the file name, tried in order (`serviceFrom`). */
  serviceFrom?: ServiceRule[];
  parser: ParserSpec;
  multiline?: MultilineOptions;
}

export interface ShipperOptions {
  sources: ShipperSource[];
  /** Collector base URL (OTLP/HTTP), e.g. http://127.0.0.1:4318. */
  endpoint: string;
  /** Authorization header value for the collector (AUTH=tokens): `chainscope ship` takes CHAINSCOPE_TOKEN from the environment. */
  authorization?: string;
  /** Where checkpoints live. */
  stateDir: string;
  /** Attribute names copied out of fields and text as business keys. */
  businessKeys: string[];
  /** Records per request, at most. */
  batchMaxRecords: number;
  /** Bytes of record text per request, at most (before encoding). */
  batchMaxBytes: number;
  /** A non-full batch is sent once its first record waited this long. */
  batchWaitMs: number;
  /**
   * Batches sent and not yet committed, at most. More than one keeps the
   * collector busy while an answer travels back; commits stay in send order.
   */
  maxInFlightRequests: number;
  /**
   * Checkpoints are written (fsync) at most this often after shipping: lines
   * shipped since the last write are sent again after a crash, and the server
   * collapses them (their ids depend only on file bytes and checkpoint state).
   */
  checkpointIntervalMs: number;
  /** How often globs are expanded again (new files, rotation). */
  scanIntervalMs: number;
  /** Sleep when every file is at its end. */
  pollIntervalMs: number;
  /** A pending multiline record is complete after this long without new data. */
  multilineIdleMs: number;
  /** A rotated-away file is let go this long after its last data, once shipped. */
  rotatedIdleMs: number;
  /** Status line interval on stderr; 0 switches it off. */
  statusIntervalMs: number;
  /** Bytes read per call. */
  chunkBytes: number;
  /** Longer lines are cut. */
  maxLineBytes: number;
  requestTimeoutMs: number;
  maxBackoffMs: number;
  /** Checkpoints of files not seen for this long are forgotten. */
  forgetAfterMs: number;
  /** host.name resource attribute. */
  hostName: string;
}

export const SHIPPER_DEFAULTS = {
  businessKeys: ['order.id', 'customer.id', 'business.id'],
  batchMaxRecords: 5000,
  batchMaxBytes: 4 * 1024 * 1024,
  batchWaitMs: 200,
  maxInFlightRequests: 2,
  checkpointIntervalMs: 1000,
  scanIntervalMs: 1000,
  pollIntervalMs: 100,
  multilineIdleMs: 1000,
  rotatedIdleMs: 5000,
  statusIntervalMs: 5000,
  chunkBytes: 1024 * 1024,
  maxLineBytes: 64 * 1024,
  requestTimeoutMs: 30_000,
  maxBackoffMs: 30_000,
  forgetAfterMs: 7 * 24 * 3600 * 1000,
} satisfies Partial<ShipperOptions>;

export const MULTILINE_DEFAULTS = { maxLines: 500, maxBytes: 256 * 1024 };
