import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { toStoreError } from './errors';

export interface ClickHouseConnectionOptions {
  url: string;
  username?: string;
  password?: string;
}

/** The client every ClickHouse store opens: the store maps every failure to a domain error, so the client's own ERROR lines would be noise. */
export function openClient(options: ClickHouseConnectionOptions): ClickHouseClient {
  return createClient({ url: options.url, username: options.username, password: options.password, log: { level: ClickHouseLogLevel.OFF } });
}

/** Runs a SELECT and reads its JSONEachRow rows; a failure becomes a store error named after `what`. */
export async function selectRows<T>(client: ClickHouseClient, query: string, what: string): Promise<T[]> {
  try {
    const result = await client.query({ query, format: 'JSONEachRow' });
    return await result.json<T>();
  } catch (err) {
    throw toStoreError(what, err);
  }
}
