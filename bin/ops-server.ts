import http from 'node:http';
import { closeServer, listen } from '../core/util/http-server';
import type { Counters } from '../core/metrics';
import type { AlertsView } from '../alerting/evaluator';
import { guarded, OPS_NEEDS, type Access } from '../core/security/access-guard';

/** /health and /metrics for roles that serve no API (collector, ingest, alerter); the alerter's rules and alerts on /api/alerts. */
export class OpsServer {
  private server: http.Server | null = null;

  constructor(private readonly options: { host: string; port: number; role: string; counters: Counters; access?: Access; alerts?: () => AlertsView | undefined }) {}

  async start(): Promise<number> {
    const { role, counters } = this.options;
    const server = http.createServer(guarded((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health' || path === '/api/health') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok', role }));
      } else if (path === '/api/alerts' && this.options.alerts?.()) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(this.options.alerts()));
      } else if (path === '/metrics') {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(counters.toPrometheus());
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `no route ${path}; try /health or /metrics` }));
      }
    }, this.options.access, OPS_NEEDS));
    this.server = server;
    return listen(server, this.options.host, this.options.port);
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await closeServer(server, { graceMs: 1000 });
  }
}
