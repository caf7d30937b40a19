import type http from 'node:http';
import { DEFAULT_CONFIG } from '../core/config';
import { closeServer, createBoundedServer, httpServerLimitsFrom, listen, type HttpServerLimits } from '../core/util/http-server';
import { guarded, QUERY_PORT_NEEDS, type Access } from '../core/security/access-guard';
import { createQueryApp, type QueryAppOptions } from './app';
import { withTenantQuerySlots } from './http/tenant-query-slots';

/** The query API + UI server as a component with start/shutdown. */
export class QueryServer {
  private server: http.Server | null = null;

  constructor(private readonly options: QueryAppOptions & { host: string; port: number; limits?: HttpServerLimits; access?: Access }) {}

  async start(): Promise<number> {
    // Header, whole-request and keep-alive timeouts: an idle or slow client cannot hold a connection.
    // (Only receiving the request is timed: a live tail's long response is not.)
    const limits = this.options.limits ?? httpServerLimitsFrom(DEFAULT_CONFIG);
    const app = createQueryApp({ ...this.options, authenticator: this.options.access?.authenticator });
    const server = createBoundedServer(guarded(withTenantQuerySlots(app, this.options.access?.limits?.query), this.options.access, QUERY_PORT_NEEDS), limits, this.options.counters, 'chainscope_query');
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
