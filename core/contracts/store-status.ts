/**
 * What a store says about its own health and space, shown by /api/health.
 * A backend that keeps no local files (ClickHouse, the search engines) leaves
 * `disk` and `retention` out; `problems` empty means healthy.
 */
export interface StoreStatus {
  /** Backend name, as in capabilities. */
  backend: string;
  /** Human-readable reasons the store is not healthy right now (e.g. "disk full: …"); [] when it is. */
  problems: string[];
  /** Things to look at before they become problems (e.g. little free space left); they do not make the store unhealthy. */
  warnings?: string[];
  disk?: DiskStatus;
  retention?: RetentionStatus;
}

export interface DiskStatus {
  /** Folder holding the store's files. */
  path: string;
  /** Bytes of the store's files (database, WAL, shared memory). */
  usedBytes: number;
  /** Of usedBytes, the write-ahead log. */
  walBytes: number;
  /** Free bytes on the file system holding `path`; null when the platform cannot tell. */
  freeBytes: number | null;
  /** MAX_DISK_BYTES, or null when unlimited. */
  maxBytes: number | null;
}

export interface RetentionStatus {
  /** RETENTION in µs, or null when data is kept by age forever. */
  maxAgeUs: number | null;
  /** MAX_DISK_BYTES, or null when unlimited. */
  maxBytes: number | null;
  /** When retention last ran (ISO-8601), or null when it has not yet. */
  lastRunAt: string | null;
  /** Start time (µs) of the oldest data still kept, or null when the store is empty. */
  oldestKeptUs: number | null;
  /** Totals since the store was opened. */
  deletedTraces: number;
  deletedLogs: number;
  /** The last failure of a retention step, if the last step failed. */
  lastError?: string;
}

/** Implemented by stores that can tell their health; callers treat a store without it as healthy. */
export interface StatusReporter {
  status(): Promise<StoreStatus>;
}
