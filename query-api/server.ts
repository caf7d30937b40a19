import http from 'node:http';
import { closeServer, listen } from '../core/util/http-server';
import { createQueryApp, type QueryAppOptions } from './app';

/** The query API + UI server as a component with start/shutdown. */
export class QueryServer {
  private server: http.Server | null = null;

  constructor(private readonly options: QueryAppOptions & { host: string; port: number }) {}

  async start(): Promise<number> {
    const server = http.createServer(createQueryApp(this.options));
    this.server = server;
    return listen(server, this.options.host, this.options.port);
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    // Long-lived requests (live tail later) must not hold shutdown: cut them after a grace period.
    await closeServer(server, { graceMs: 2000 });
  }
}
