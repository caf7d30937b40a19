import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueryApp, type QueryAppOptions } from './app';

/** The query API + UI server as a component with start/shutdown. */
export class QueryServer {
  private server: http.Server | null = null;

  constructor(private readonly options: QueryAppOptions & { host: string; port: number }) {}

  async start(): Promise<number> {
    const server = http.createServer(createQueryApp(this.options));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Long-lived requests (none yet; live tail later) must not hold shutdown.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    await closed;
  }
}
