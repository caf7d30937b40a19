/**
 * Deleting data on an admin's request (DELETE /api/admin/data, `chainscope
 * data delete`), as opposed to retention: a store that can do it implements
 * DataDeleter; the deletion service answers 501 for one that cannot.
 */
export interface DeletionOutcome {
  /** Backend name, as in capabilities. */
  backend: string;
  /**
   * `exact`: every item with a time before `before` is gone (embedded).
   * `day`: the engine keeps its data in day partitions or daily indices and
   * deletes whole days only: every day that ends at or before `before` is gone,
   * the day `before` falls in is kept (ClickHouse, OpenSearch/Elasticsearch).
   * With no `before` every item is gone, whatever the granularity.
   */
  granularity: 'exact' | 'day';
  /** What was deleted, in the backend's own units (traces, logs, partitions, indices). */
  deleted: Record<string, number>;
}

export interface DataDeleter {
  /** Deletes this store's data older than `beforeUs` (µs since the epoch), or all of it when null. Idempotent. */
  deleteData(beforeUs: number | null): Promise<DeletionOutcome>;
  /**
   * Stores that hold one body of data (the embedded file's span, log and
   * metric stores) give the same object here, and one of them is asked.
   */
  readonly dataUnit?: object;
}

export function isDataDeleter(store: unknown): store is DataDeleter {
  return typeof (store as DataDeleter | undefined)?.deleteData === 'function';
}
