import { loadConfig, type Config } from '../core/config';
import { CannotStartError } from '../core/errors';
import { Counters } from '../core/metrics';
import { busFactory, spillKeeperFactory } from './components/bus';
import { planComponents, startComponents, ROLES, type ComponentFactory, type Log, type Role, type RoleContext } from './components/component';
import { dataDirFactory } from './components/data-dir';
import { demoFactory, withDemoDefaults } from './components/demo';
import { ingestFactory, ingestThreadEntry } from './components/ingest';
import { shipperFactory } from './components/log-sources';
import { otlpHttpReceiverFactory, syslogReceiverFactory } from './components/receivers';
import { otlpGrpcReceiverFactory, zipkinReceiverFactory } from './components/protocol-receivers';
import { opsServerFactory, queryApiFactory } from './components/servers';
import { storesFactory } from './components/stores';
import { alertsFactory } from './components/alerts';
import { savedAlertsFactory } from './components/saved-alerts';
import { securityFactory } from './components/security';

export { ROLES, type Role };

export interface RoleOptions extends Partial<Config> {
  /** Where lines about endpoints and problems go (default: console). */
  log?: Log;
}

export interface RunningRole {
  role: Role;
  config: Config;
  /** Query API + UI (all-in-one, query) or health/metrics (collector, ingest). */
  apiUrl: string;
  /** OTLP/HTTP receiver (all-in-one, collector); '' otherwise. */
  otlpUrl: string;
  /** Syslog listener ports (all-in-one, collector; SYSLOG_TCP_PORT / SYSLOG_UDP_PORT); null when off. */
  syslog?: { tcpPort: number | null; udpPort: number | null };
  /** OTLP/gRPC receiver as http://host:port, the form OTel SDK endpoints take (all-in-one, collector; OTLP_GRPC_PORT); '' when off or not in this role. */
  otlpGrpcUrl: string;
  /** Zipkin receiver base URL (all-in-one, collector; ZIPKIN_PORT), spans go to /api/v2/spans; '' when off or not in this role. */
  zipkinUrl: string;
  counters: Counters;
  /** Stops accepting, drains what was accepted, closes everything. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Every role is the same list of components, in start order (they stop in
 * reverse): stores before the bus that feeds ingest, receivers after the bus
 * they publish to, the demo last. A component not meant for a role (its
 * factory's settings say so) is left out: all-in-one runs nearly all of them,
 * the distributed roles a few each.
 */
const COMPONENTS: readonly ComponentFactory<any>[] = [
  securityFactory,
  dataDirFactory,
  spillKeeperFactory,
  storesFactory,
  busFactory,
  ingestFactory,
  savedAlertsFactory,
  queryApiFactory,
  opsServerFactory,
  alertsFactory,
  otlpHttpReceiverFactory,
  otlpGrpcReceiverFactory,
  zipkinReceiverFactory,
  syslogReceiverFactory,
  shipperFactory,
  demoFactory,
];

/** A role's configuration: defaults < CONFIG_FILE < environment < `overrides`, then the demo's defaults (all-in-one with DEMO=1). */
export function roleConfig(role: Role, env: NodeJS.ProcessEnv, overrides: Partial<Config> = {}): Config {
  return withDemoDefaults(role, loadConfig(env, overrides));
}

/** The components of a role with their settings, checked: what startRole starts, in order. */
export function planRole(role: Role, config: Config) {
  return planComponents(COMPONENTS, config, role);
}

/**
 * Starts one role. Options override the config from CONFIG_FILE and the
 * environment; port 0 picks a free port.
 */
export async function startRole(role: Role, options: RoleOptions = {}): Promise<RunningRole> {
  const { log = (line: string) => console.log(line), ...overrides } = options;
  const config = roleConfig(role, process.env, overrides);
  const planned = planRole(role, config);
  const context: RoleContext = { role, config, counters: new Counters(), log, apiUrl: '', otlpUrl: '' };
  context.ingestThreadEntry = ingestThreadEntry(role, config, log);
  let running: { stop(): Promise<void> };
  try {
    running = await startComponents(planned, context);
  } catch (err) {
    throw asCannotStart(err);
  }
  const { bus, spanStore, logStore } = context;
  log(`chainscope: ${role} running (bus ${bus ? config.bus : '-'}, spans ${spanStore ? config.spanStore : '-'}, logs ${logStore ? config.logStore : '-'})`);
  const { apiUrl, otlpUrl, syslog, counters, otlpGrpcUrl = '', zipkinUrl = '' } = context;
  return { role, config, apiUrl, otlpUrl, syslog, otlpGrpcUrl, zipkinUrl, counters, stop: running.stop };
}

/** A store that cannot open for want of disk space is a start-up failure of one line, not a stack trace. */
function asCannotStart(err: unknown): unknown {
  const message = (err as Error)?.message ?? String(err);
  if (!(err instanceof CannotStartError) && /database or disk is full|SQLITE_FULL|ENOSPC|no space left/i.test(message)) {
    return new CannotStartError(`disk full: ${message}`);
  }
  return err;
}
