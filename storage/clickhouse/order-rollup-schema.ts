/**
 * The per-minute order roll-up on ClickHouse (issue 15; the arithmetic is
 * core/analysis/order-rollup.ts, the same as the embedded store's). ClickHouse
 * has no update, so:
 *
 * - order_traces: which rolled-up orders a trace carries, keyed by trace id
 *   (a batch's traces find their orders by primary key).
 * - order_current: each order's fact, newest `version` wins (argMax at read;
 *   ReplacingMergeTree drops the older ones on merge), keyed (key, value) for
 *   the write path's lookup of the facts it changes.
 * - order_slow: the same facts keyed (key, minute, value) for the slowest
 *   orders of a window; an order whose minute moved leaves a `deleted` row in
 *   its old minute.
 * - order_minutes: signed counts per (key, minute, stage, bucket), summed at
 *   read (SummingMergeTree adds them up on merge). A changed fact writes its
 *   new rows and the old fact's rows negated, so sums stay exact and a
 *   replayed batch (unchanged facts) writes nothing.
 *
 * Plain MergeTree families, no TTL-only features: the same DDL on 18.16 and current releases.
 */
import { rollupTableMaker, type RollupSchemaOptions } from './topology-schema';
import type { ServerVersion } from './version';

export const ORDER_TABLES = {
  traces: 'order_traces',
  current: 'order_current',
  slow: 'order_slow',
  minutes: 'order_minutes',
} as const;

export const ORDER_DATA_TABLES: readonly string[] = Object.values(ORDER_TABLES);

/**
 * Tables whose rows add up at read (signed counts): a row inserted twice
 * counts twice, so an insert into one is never sent again on a stale-socket
 * failure (connection.ts `onFreshSocket`): the server may have stored it
 * before the socket broke. Every other table collapses copies (Replacing or
 * idempotent aggregate states), where a resend is harmless.
 */
export const SUMMED_TABLES: ReadonlySet<string> = new Set([ORDER_TABLES.minutes]);

export function orderRollupSchemaFor(version: ServerVersion, options: RollupSchemaOptions): string[] {
  const { lc, table } = rollupTableMaker(version, options);
  const fact = ['minute UInt64', 'start_us UInt64', 'end_us UInt64', 'duration_us UInt64', 'failed UInt8', 'trace_ids String', 'version UInt64'];
  return [
    table(ORDER_TABLES.traces, ['trace_id String', `key ${lc('String')}`, 'value String', 'time_us UInt64'], 'time_us', 'trace_id, key, value'),
    table(ORDER_TABLES.current, [`key ${lc('String')}`, 'value String', ...fact, 'stages String'], 'minute', 'key, value', 'ReplacingMergeTree(version)'),
    table(ORDER_TABLES.slow, [`key ${lc('String')}`, 'value String', ...fact, 'deleted UInt8'], 'minute', 'key, minute, value', 'ReplacingMergeTree(version)'),
    table(
      ORDER_TABLES.minutes,
      [`key ${lc('String')}`, 'minute UInt64', `stage ${lc('String')}`, 'bucket UInt8', 'orders Int64', 'failed Int64', 'offset_us Int64'],
      'minute',
      'key, minute, stage, bucket',
      'SummingMergeTree((orders, failed, offset_us))',
    ),
  ];
}
