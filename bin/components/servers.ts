import type { Config } from '../../core/config';
import { loadAlertRules, type AlertRule } from '../../alerting/rules';
import { httpServerLimitsFrom, type HttpServerLimits } from '../../core/util/http-server';
import { startListening } from '../../core/util/listen-errors';
import { QueryServer } from '../../query-api/server';
import type { HealthCheck } from '../../query-api/services/health-service';
import type { MemoryBus } from '../../bus/memory/memory-bus';
import type { SpillKeeper } from '../../bus/memory/spill-keeper';
import { WalBus } from '../../bus/wal';
import { OpsServer } from '../ops-server';
import { listenAddress } from '../listen-address';
import { localBus } from './bus';
import type { ComponentFactory, Role } from './component';
import { uiDir } from './paths';

interface QueryApiSettings {
  host: string;
  port: number;
  chains: { businessKeys: string[]; maxTraces: number; stages: Config['chainStages']; expectedWaits: string[] };
  limits: HttpServerLimits;
  dashboardsDir: string;
  /** The query role lists ALERT_RULES_DIR's rules (checked at start-up like the alerter's); the all-in-one's evaluator lists its own. */
  alertRules: AlertRule[];
}

/** Query API and UI (all-in-one, query) on PORT. */
export const queryApiFactory: ComponentFactory<QueryApiSettings> = {
  name: 'query API',
  settings: (config, role) =>
    role === 'all-in-one' || role === 'query'
      ? {
          host: config.host,
          port: config.port,
          chains: { businessKeys: config.businessKeys, maxTraces: config.chainMaxTraces, stages: config.chainStages, expectedWaits: config.chainExpectedWaits },
          limits: httpServerLimitsFrom(config),
          dashboardsDir: config.dashboardsDir,
          alertRules: role === 'query' ? loadAlertRules(config.alertRulesDir, config.businessKeys) : [],
        }
      : null,
  create(settings, context) {
    let server: QueryServer | undefined;
    return {
      async start() {
        const bus = localBus(context.bus);
        server = new QueryServer({
          host: settings.host,
          port: settings.port,
          spanStore: context.spanStore!,
          logStore: context.logStore!,
          metricStore: context.metricStore,
          tenantStores: context.tenantStores && ((tenant) => context.tenantStores!.of(tenant)),
          counters: context.counters,
          uiDir: uiDir(),
          log: context.log,
          chains: settings.chains,
          healthChecks: bus ? [localBusHealth(bus, context.keeper)] : [],
          limits: settings.limits,
          dashboardsDir: settings.dashboardsDir,
          alerts: () => context.alerts?.(),
          alertRules: settings.alertRules,
          savedAlerts: () => context.savedAlertState?.(),
          incidents: () => context.incidents?.() ?? context.savedAlertState?.()?.incidents,
          access: context.access,
        });
        const at = listenAddress(settings.host, await startListening(() => server!.start(), 'PORT', settings.host, settings.port));
        context.apiUrl = at.url;
        context.log(`chainscope: query API and UI listening on ${at.shown} (API under /api)`);
      },
      shutdown: async () => server?.shutdown(),
    };
  },
};

const OPS_ROLES: readonly Role[] = ['collector', 'ingest', 'alerter'];

/** /health and /metrics on PORT for the roles that serve no API; the alerter's also lists its rules and alerts (GET /api/alerts). */
export const opsServerFactory: ComponentFactory<Pick<Config, 'host' | 'port'>> = {
  name: 'ops server',
  settings: (config, role) => (OPS_ROLES.includes(role) ? { host: config.host, port: config.port } : null),
  create(settings, context) {
    const ops = new OpsServer({ host: settings.host, port: settings.port, role: context.role, counters: context.counters, access: context.access, alerts: () => context.alerts?.() });
    return {
      async start() {
        const at = listenAddress(settings.host, await startListening(() => ops.start(), 'PORT', settings.host, settings.port));
        context.apiUrl = at.url;
        context.log(`chainscope: ${context.role} health and metrics on ${at.shown} (/health, /metrics)`);
      },
      shutdown: () => ops.shutdown(),
    };
  },
};

/**
 * /api/health of the all-in-one's own bus: a consumer that cannot write (its store failing, e.g. disk full)
 * and, for the in-process bus, messages kept at the last shutdown and not yet written.
 */
function localBusHealth(bus: MemoryBus | WalBus, keeper: SpillKeeper | undefined): HealthCheck {
  const meanwhile =
    bus instanceof WalBus
      ? 'new data waits in the write-ahead log and is refused with 503 once the log is full'
      : 'new data is refused with 503 until it can';
  return {
    name: 'ingest',
    check: () => {
      const status = bus.status();
      const problems = status.failing.map((f) => `cannot write ${f.topic} since ${new Date(f.sinceMs).toISOString()}: ${f.reason}; ${meanwhile}`);
      if (bus instanceof WalBus) {
        for (const f of bus.failingAppends()) problems.push(`${f.reason} (since ${new Date(f.sinceMs).toISOString()}); senders get 503 until an append succeeds`);
      }
      return { problems, detail: { ...status, keptFromLastShutdown: keeper?.waitingMessages() ?? 0 } };
    },
  };
}
