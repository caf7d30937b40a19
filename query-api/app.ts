import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { UnsupportedError } from '../core/errors';
import { tenantOf } from '../core/security/access-guard';
import type { AuditLog } from '../core/security/audit-log';
import { DEFAULT_TENANT } from '../core/security/tenants';
import { PerTenant } from '../core/tenancy/per-tenant';
import { adminDataRouter } from './routes/admin-data';
import { DataDeletionService, type TenantStoreSet } from './services/data-deletion-service';
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
  /**
   * The stores of a tenant other than the default (whose stores are the ones above), opened on first use
   * (bin/tenant-stores.ts). Absent: this app serves the default tenant only, and a request of another
   * tenant's credential is answered 501.
   */
  tenantStores?: (tenant: string) => Promise<TenantStoreSet>;
}

/** What one tenant is served through: /api's data routes and the Jaeger API, over that tenant's stores only. */
interface TenantRouters {
  api: Router;
  jaeger: Router;
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
  // every data route reads the stores of the request's tenant (its verified credential's) and nothing else
  const ownRouters = tenantRouters(options, options, { alerts: options.alerts, alertRules: options.alertRules, savedAlerts: options.savedAlerts, incidents: options.incidents });
  const others = new PerTenant<TenantRouters>(async (tenant) => {
    if (!options.tenantStores) throw new UnsupportedError(`this server serves the default tenant only, not "${tenant}"`);
    const stores = await options.tenantStores(tenant);
    if (!stores.spanStore || !stores.logStore) throw new UnsupportedError(`tenant "${tenant}" has no stores in this process`);
    // the alert evaluator reads the default tenant's data: other tenants are told it does not run for them
    return tenantRouters({ spanStore: stores.spanStore, logStore: stores.logStore, metricStore: stores.metricStore }, options, {});
  });
  const routersOf = (req: express.Request) => {
    const tenant = tenantOf(req);
    return tenant === DEFAULT_TENANT ? Promise.resolve(ownRouters) : others.get(tenant);
  };
  api.use(dispatchByTenant(routersOf, 'api', ownRouters));
  api.use(openApiRouter(options.chains?.businessKeys, Boolean(options.authenticator)));
  api.use(settingsRouter(settingsView(options.chains)));
  api.use(accessRouter(options.authenticator && new AccessService(options.authenticator)));
  api.use(adminDataRouter(options.authenticator && adminData(options.authenticator, options)));
  api.use((req, res) => {
    res.status(404).json({ error: `no API route ${req.method} /api${req.path}` });
  });
  app.use('/api', api);
  app.use('/jaeger/api', dispatchByTenant(routersOf, 'jaeger', ownRouters));

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

/**
 * Hands a request to the routers of its tenant. Every tenant has the same
 * routes, so the middleware shows the default tenant's router stack as its
 * own: whatever lists the app's routes (the OpenAPI test) sees them.
 */
function dispatchByTenant(routersOf: (req: express.Request) => Promise<TenantRouters>, which: keyof TenantRouters, own: TenantRouters): express.RequestHandler {
  const dispatch: express.RequestHandler = (req, res, next) => void routersOf(req).then((r) => r[which](req, res, next), next);
  return Object.assign(dispatch, { stack: own[which].stack });
}

/** The data routes over one tenant's stores; `evaluator`: the alert evaluator's view when it reads this tenant's data. */
function tenantRouters(
  stores: Pick<QueryAppOptions, 'spanStore' | 'logStore' | 'metricStore'>,
  options: QueryAppOptions,
  evaluator: Pick<QueryAppOptions, 'alerts' | 'alertRules' | 'savedAlerts' | 'incidents'>,
): TenantRouters {
  const { spanStore, logStore } = stores;
  const api = express.Router();
  api.use(tracesRouter(new TraceService(spanStore)));
  // before the logs router: /logs/tail and /logs/:id/context must not be taken for other /logs routes
  api.use(logTailRouter(new LogTailService(logStore)));
  api.use(logContextRouter(new LogContextService(logStore)));
  api.use(logsRouter(new LogService(logStore)));
  api.use(chainCompareRouter(new ChainCompareService(spanStore, logStore, options.chains)));
  const chains = new ChainService(spanStore, logStore, options.chains);
  const topology = new TopologyService(spanStore);
  api.use(chainsRouter(chains));
  api.use(topologyRouter(topology));
  const metrics = new MetricService(stores.metricStore);
  api.use(metricsRouter(metrics));
  const businessKpis = { keys: options.chains?.businessKeys ?? CHAIN_DEFAULTS.businessKeys };
  const anomalies = new AnomalyService(spanStore, undefined, undefined, businessKpis);
  const rca = new RcaService(chains, spanStore);
  const incidents = new IncidentService({
    incidents: evaluator.incidents,
    spans: spanStore,
    logs: logStore,
    chains,
    rca,
    anomalies,
    orderKey: businessKpis.keys[0] ?? '',
  });
  api.use(anomaliesRouter(anomalies));
  api.use(alertsRouter(evaluator.alerts, evaluator.alertRules, evaluator.savedAlerts));
  api.use(incidentsRouter(incidents));
  api.use(rcaRouter(rca, incidents));
  api.use(dashboardsRouter(createDashboardService(spanStore, logStore, options, { chains, topology, metrics }), incidents));
  return { api, jaeger: jaegerRouter(new JaegerService(spanStore), options.log) };
}

/** The admin API's audit log (beside the tokens file) and deletion over every tenant's stores. */
function adminData(authenticator: Authenticator, options: QueryAppOptions): { audit: AuditLog; deletion: DataDeletionService } {
  const audit = authenticator.tokens.audit;
  const own: TenantStoreSet = { spanStore: options.spanStore, logStore: options.logStore, metricStore: options.metricStore };
  const storesOf = async (tenant: string): Promise<TenantStoreSet> => {
    if (tenant === DEFAULT_TENANT) return own;
    if (!options.tenantStores) throw new UnsupportedError(`this server serves the default tenant only, not "${tenant}"`);
    return options.tenantStores(tenant);
  };
  return { audit, deletion: new DataDeletionService(storesOf, audit) };
}
