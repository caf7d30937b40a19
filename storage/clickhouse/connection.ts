import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { toStoreError } from './errors';

export interface ClickHouseConnectionOptions {
  url: string;
  username?: string;
  password?: string;
}

/**
 * An idle keep-alive socket is dropped by the client after this long. ClickHouse
 * closes idle connections after its keep_alive_timeout (3 s before 23.11, 10 s
 * since); the client's own default (2.5 s) leaves half a second, which a busy
 * event loop overruns, and a request sent on a socket the server has just
 * closed fails with "socket hang up". One second leaves two.
 */
export const IDLE_SOCKET_TTL_MS = 1_000;

/** The client every ClickHouse store opens: the store maps every failure to a domain error, so the client's own ERROR lines would be noise. */
export function openClient(options: ClickHouseConnectionOptions): ClickHouseClient {
  return createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    keep_alive: { enabled: true, idle_socket_ttl: IDLE_SOCKET_TTL_MS },
    log: { level: ClickHouseLogLevel.OFF },
  });
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
