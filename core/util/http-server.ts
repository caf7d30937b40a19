import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config';
import type { Counters } from '../metrics';

/** Listens and resolves with the bound port (useful with port 0); rejects on EADDRINUSE and the like. */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting and closes idle keep-alive connections at once; waits for
 * `drain` (requests in flight) before cutting what is left, or cuts after
 * `graceMs` when no drain is given.
 */
export async function closeServer(server: http.Server, options: { drain?: () => Promise<unknown>; graceMs?: number } = {}): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (options.drain) {
    await options.drain();
    server.closeAllConnections();
  } else {
    setTimeout(() => server.closeAllConnections(), options.graceMs ?? 2000).unref();
  }
  await closed;
}

/** How long idle or slow clients may hold a connection, and how many connections there may be. */
export interface HttpServerLimits {
  /**
   * A request's headers must be complete this long after its first byte, and
   * a new connection that sends nothing is closed this long after it opened;
   * else 408 and close. Capped at requestTimeoutMs.
   */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived this long after it started; else 408 and close. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (Node adds one second of grace). */
  keepAliveTimeoutMs: number;
  /**
   * Open connections at most. A connection past it gets its request answered
   * 503 + Retry-After and is closed within REFUSED_CONNECTION_GRACE_MS. Absent: no cap.
   */
  maxConnections?: number;
}

/** A connection over the cap may stay this long for its 503 to be answered, then it is cut. */
export const REFUSED_CONNECTION_GRACE_MS = 1000;

/** The counters one bounded server keeps, under its prefix (e.g. `chainscope_receiver`). */
export function boundedServerCounters(prefix: string) {
  return {
    refused: `${prefix}_connections_refused_total`,
    headerTimeouts: `${prefix}_header_timeouts_total`,
    requestTimeouts: `${prefix}_request_timeouts_total`,
  } as const;
}

/**
 * An http.Server whose idle and slow clients cannot hold connections for long:
 * Node's own header and request deadlines (checked often enough for the
 * configured values, not every 30 s), a keep-alive idle timeout and an
 * optional cap on open connections. Timeouts and refusals are counted on
 * `counters` under `counterPrefix` (see boundedServerCounters).
 */
export function createBoundedServer(
  handler: http.RequestListener,
  limits: HttpServerLimits,
  counters: Counters,
  counterPrefix: string,
): http.Server {
  const names = boundedServerCounters(counterPrefix);
  const maxConnections = limits.maxConnections;
  if (maxConnections !== undefined) counters.describe(names.refused, `Connections over the cap (${maxConnections}), answered 503 and closed`);
  counters.describe(names.headerTimeouts, `Connections closed with 408: no complete request headers within ${limits.headersTimeoutMs} ms`);
  counters.describe(names.requestTimeouts, `Requests closed with 408: the whole request did not arrive within ${limits.requestTimeoutMs} ms`);

  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const open = new Set<Socket>();
  const overCap = new WeakSet<Socket>();
  // The response of each socket's current request, once its headers are in (a timeout then is the whole-request deadline).
  const inRequest = new WeakMap<Duplex, http.ServerResponse>();

  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks both deadlines on this interval (30 s by default): short enough for the configured values.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => {
      const socket = req.socket;
      if (overCap.has(socket)) {
        res.writeHead(503, { 'Retry-After': '1', Connection: 'close', 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: `server busy: more than ${maxConnections} open connections; retry later` }));
        return;
      }
      inRequest.set(socket, res);
      res.once('close', () => inRequest.delete(socket));
      handler(req, res);
    },
  );

  server.on('connection', (socket: Socket) => {
    if (maxConnections !== undefined && open.size >= maxConnections) {
      counters.add(names.refused);
      overCap.add(socket);
      setTimeout(() => socket.destroy(), REFUSED_CONNECTION_GRACE_MS).unref();
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });

  // Listening here replaces Node's own answer to bad or late requests, so it is written here too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const response = inRequest.get(socket);
    let status = 400;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      counters.add(response ? names.requestTimeouts : names.headerTimeouts);
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
    }
    if (socket.writable && !response?.headersSent && err.code !== 'ECONNRESET') {
      socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  return server;
}

/** The shared HTTP_* timeouts of the configuration, as server limits (no connection cap). */
export function httpServerLimitsFrom(config: Pick<Config, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs' | 'httpKeepAliveTimeoutMs'>): HttpServerLimits {
  return {
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    requestTimeoutMs: config.httpRequestTimeoutMs,
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
  };
}
