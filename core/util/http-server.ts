import type http from 'node:http';
import type { AddressInfo } from 'node:net';

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
