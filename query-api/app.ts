import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import type { Counters } from '../core/metrics';
import { UI_CONTENT_SECURITY_POLICY } from '../core/security/browser-guard';
import type { Authenticator } from '../core/security/authenticator';
import { errorMiddleware } from './error-middleware';
import { loginPageRouter } from './http/login-page';
import { accessRouter } from './routes/access';
import { AccessService } from './services/access-service';
import { compressAnswers } from './http/compress-answers';
import { chainCompareRouter } from './routes/chain-compare';
import { metricsRouter } from './routes/metrics';
import { MetricService } from './services/metric-service';
import type { MetricStore } from '../core/contracts/metric-store';
import { chainsRouter } from './routes/chains';
import { dashboardsRouter } from './routes/dashboards';
import { logContextRouter } from './routes/log-context';
import { logTailRouter } from './routes/log-tail';
import { logsRouter } from './routes/logs';
import { openApiRouter } from './routes/openapi';
import { settingsRouter } from './routes/settings';
import { tracesRouter } from './routes/traces';
import { jaegerRouter } from './routes/jaeger';
import { JaegerService } from './jaeger/jaeger-service';
import { topologyRouter } from './routes/topology';
import { anomaliesRouter } from './routes/anomalies';
import { alertsRouter } from './routes/alerts';
import { rcaRouter } from './routes/rca';
import { incidentsRouter } from './routes/incidents';
import { IncidentService } from './services/incident-service';
import type { Incident } from '../core/wire/incidents';
import { RcaService } from './services/rca-service';
import type { AlertsView } from '../alerting/evaluator';
import type { AlertRule } from '../alerting/rules';
import type { AlertState } from '../alerting/state-file';
import { AnomalyService } from './services/anomaly-service';
import { TopologyService } from './services/topology-service';
import { ChainCompareService } from './services/chain-compare-service';
import { CHAIN_DEFAULTS, ChainService, type ChainServiceOptions } from './services/chain-service';
import { createDashboardService } from './services/dashboard-service';
import { HealthService, type HealthCheck } from './services/health-service';
import { LogContextService } from './services/log-context-service';
import { LogService } from './services/log-service';
import { LogTailService } from './services/log-tail-service';
import { settingsView } from './services/settings-service';
import { TraceService } from './services/trace-service';

export interface QueryAppOptions {
  spanStore: SpanStore;
  logStore: LogStore;
  counters: Counters;
  /** Folder with the built UI (index.html, app.js); the UI is not served when absent. */
  uiDir?: string;
  log?: (line: string) => void;
  /** Business chains: configured keys, stages and bounds (defaults from core/config). */
  chains?: Partial<ChainServiceOptions>;
  /** The process's own parts that /api/health asks besides the stores (e.g. the in-process bus). */
  healthChecks?: HealthCheck[];
  /** DASHBOARDS_DIR: more dashboard files besides the shipped ones ('' or absent: none); a file that does not conform fails start-up. */
  dashboardsDir?: string;
  /** OTLP metric points (GET /api/metrics, /api/metrics/series); absent: those answer 501. */
  metricStore?: MetricStore;
  /** The alert evaluator's rules and alerts, when this process runs one (GET /api/alerts). */
  alerts?: () => AlertsView | undefined;
  /** ALERT_RULES_DIR's rules, listed by GET /api/alerts/rules when this process runs no evaluator (the query role). */
  alertRules?: readonly AlertRule[];
  /** A query role beside alerters: the alert state the leading alerter saved last (GET /api/alerts shows its alerts). */
  savedAlerts?: () => AlertState | undefined;
  /** The alert evaluator's incidents, when this process runs one (GET /api/incidents). */
  incidents?: () => readonly Incident[] | undefined;
  /** AUTH=tokens: the token and session checks (the server's guard asks for credentials; the app serves login and the admin API). */
  authenticator?: Authenticator;
}

export function createQueryApp(options: QueryAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(compressAnswers());

  const api = express.Router();
  const health = new HealthService(options.spanStore, options.logStore, options.healthChecks);
  // 503 when degraded, so a monitor that looks only at the status code notices too; the body says why.
  api.get('/health', async (_req, res) => {
    const report = await health.report();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  api.use(tracesRouter(new TraceService(options.spanStore)));
  // before the logs router: /logs/tail and /logs/:id/context must not be taken for other /logs routes
  api.use(logTailRouter(new LogTailService(options.logStore)));
  api.use(logContextRouter(new LogContextService(options.logStore)));
  api.use(logsRouter(new LogService(options.logStore)));
  api.use(chainCompareRouter(new ChainCompareService(options.spanStore, options.logStore, options.chains)));
  const chains = new ChainService(options.spanStore, options.logStore, options.chains);
  const topology = new TopologyService(options.spanStore);
  api.use(chainsRouter(chains));
  api.use(topologyRouter(topology));
  const metrics = new MetricService(options.metricStore);
  api.use(metricsRouter(metrics));
  const businessKpis = { keys: options.chains?.businessKeys ?? CHAIN_DEFAULTS.businessKeys };
  const anomalies = new AnomalyService(options.spanStore, undefined, undefined, businessKpis);
  const rca = new RcaService(chains, options.spanStore);
  const incidents = new IncidentService({
    incidents: options.incidents,
    spans: options.spanStore,
    logs: options.logStore,
    chains,
    rca,
    anomalies,
    orderKey: businessKpis.keys[0] ?? '',
  });
  api.use(anomaliesRouter(anomalies));
  api.use(alertsRouter(options.alerts, options.alertRules, options.savedAlerts));
  api.use(incidentsRouter(incidents));
  api.use(rcaRouter(rca, incidents));
  api.use(dashboardsRouter(createDashboardService(options.spanStore, options.logStore, options, { chains, topology, metrics })));
  api.use(openApiRouter(options.chains?.businessKeys, Boolean(options.authenticator)));
  api.use(settingsRouter(settingsView(options.chains)));
  api.use(accessRouter(options.authenticator && new AccessService(options.authenticator)));
  api.use((req, res) => {
    res.status(404).json({ error: `no API route ${req.method} /api${req.path}` });
  });
  app.use('/api', api);
  app.use('/jaeger/api', jaegerRouter(new JaegerService(options.spanStore), options.log));

  if (options.authenticator) app.use(loginPageRouter());
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(options.counters.toPrometheus());
  });

  if (options.uiDir && fs.existsSync(path.join(options.uiDir, 'index.html'))) {
    const uiDir = path.resolve(options.uiDir);
    app.use(
      express.static(uiDir, {
        index: 'index.html',
        setHeaders: (res) =>
          res.setHeader('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY),
      }),
    );
  }
  app.use(errorMiddleware(options.log));
  return app;
}
