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
    log: { level: ClickHouseLogLevel.OFF },
    keep_alive: { enabled: true, idle_socket_ttl: IDLE_SOCKET_TTL_MS },
  });
}

/** Tries of one request that keeps meeting a socket the server had already closed. */
const STALE_SOCKET_TRIES = 3;

/** The failures of a request sent on a kept-alive socket the server had closed meanwhile (nothing was answered). */
export function isStaleSocket(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (err instanceof Error && /socket hang up/.test(err.message));
}

/**
 * Sends a request again at once when it went out on a socket the server had
 * closed. Even with IDLE_SOCKET_TTL_MS a busy process meets such sockets: a
 * long synchronous stretch (building a large batch's rows) keeps the client
 * from retiring them in time, and the next request takes one. Every request
 * the stores send through here may be repeated (selects; inserts into
 * tables that collapse copies), so the request is repeated rather than the
 * whole write failing and backing off. Inserts into tables whose rows add up
 * (order-rollup-schema.ts SUMMED_TABLES) are not sent through here: the
 * server may have stored the first copy before the socket broke.
 */
export async function onFreshSocket<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (attempt >= STALE_SOCKET_TRIES || !isStaleSocket(err)) throw err;
    }
  }
}

/** Runs a SELECT and reads its JSONEachRow rows; a failure becomes a store error named after `what`. */
export async function selectRows<T>(client: ClickHouseClient, query: string, what: string): Promise<T[]> {
  try {
    return await onFreshSocket(async () => (await client.query({ query, format: 'JSONEachRow' })).json<T>());
  } catch (err) {
    throw toStoreError(what, err);
  }
}
