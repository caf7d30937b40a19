import type { ClickHouseClient } from '@clickhouse/client';
import type { DeletionOutcome } from '../../core/contracts/data-deletion';
import { selectRows } from './connection';
import { toStoreError } from './errors';
import { dropPartitionSql, partitionsBeforeSql } from './queries';

/**
 * An admin's deletion on ClickHouse: drops the day partitions of `tables`
 * that end at or before `beforeUs` (the server's day of it is kept), or all
 * of them (null). DROP PARTITION is immediate and works on every server
 * version, unlike ALTER … DELETE mutations; every data table is partitioned by day.
 */
export async function dropDaysBefore(client: ClickHouseClient, database: string, tables: readonly string[], beforeUs: number | null): Promise<DeletionOutcome> {
  try {
    const parts = await selectRows<{ table: string; partition_id: string }>(client, partitionsBeforeSql(database, tables, beforeUs), 'deleteData');
    for (const p of parts) await client.command({ query: dropPartitionSql(database, p.table, p.partition_id) });
    return { backend: 'clickhouse', granularity: 'day', deleted: { partitions: parts.length } };
  } catch (err) {
    throw toStoreError('deleteData', err);
  }
}
