import type { Config } from '../../core/config';
import type { Bus } from '../../core/contracts/bus';
import type { MetricStore } from '../../core/contracts/metric-store';
import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import type { Counters } from '../../core/metrics';
import type { SpillKeeper } from '../../bus/memory/spill-keeper';
import type { Incident } from '../../core/wire/incidents';
import type { AlertsView } from '../../alerting/evaluator';
import type { AlertState } from '../../alerting/state-file';
import type { Access } from '../../core/security/access-guard';
import type { TenantStores } from '../tenant-stores';

export const ROLES = ['all-in-one', 'collector', 'ingest', 'query', 'alerter'] as const;
export type Role = (typeof ROLES)[number];

export type Log = (line: string) => void;

/** A running part of a role (receiver, bus, ingest, store, server, ...), as the OpenTelemetry Collector's components. */
export interface Component {
  start(): Promise<void>;
  /** Stops, flushes what it holds, releases what it opened. Idempotent. */
  shutdown(): Promise<void>;
}

/** What one role's components share: its configuration, counters and log, and what earlier components made for later ones. */
export interface RoleContext {
  role: Role;
  config: Config;
  /** What every server of the role checks before its routes (Host, Origin, credentials); set by the security component, first to start. */
  access?: Access;
  counters: Counters;
  log: Log;
  /** Compiled ingest thread to run ingest on; undefined: ingest on the main thread (or no ingest). */
  ingestThreadEntry?: string;
  /** The in-process bus's keeper of what a shutdown could not write (all-in-one, BUS=memory). */
  keeper?: SpillKeeper;
  bus?: Bus;
  spanStore?: SpanStore;
  logStore?: LogStore;
  /** OTLP metric points (embedded store only); undefined when the span store is not embedded. */
  metricStore?: MetricStore;
  /** Every tenant's stores (the three above are the default tenant's), set by the stores component. */
  tenantStores?: TenantStores;
  /** Query API + UI or health/metrics URL, once that server listens. */
  apiUrl: string;
  /** OTLP/HTTP receiver URL, once it listens; '' otherwise. */
  otlpUrl: string;
  syslog?: { tcpPort: number | null; udpPort: number | null };
  /** OTLP/gRPC receiver URL (http://host:port, the form OTel SDK endpoints take), once it listens (OTLP_GRPC_PORT). */
  otlpGrpcUrl?: string;
  /** Zipkin receiver base URL, once it listens (ZIPKIN_PORT). */
  zipkinUrl?: string;
  /** The alert evaluator's rules and alerts, once it runs (GET /api/alerts). */
  alerts?: () => AlertsView;
  /** The alert evaluator's incidents, once it runs (GET /api/incidents). */
  incidents?: () => readonly Incident[];
  /** A query role beside alerters: the alert state the leading alerter saved last, once read (undefined before any was saved). */
  savedAlertState?: () => AlertState | undefined;
}

/**
 * Makes one component from its own section of the configuration. `settings`
 * picks that section from the one typed Config (whose defaults and value
 * checks are core/config.ts's), adds the component's own checks across its
 * keys, and says whether the component runs in this role (null: it does not).
 * Every factory's `settings` runs before anything starts, so a bad
 * combination stops start-up before a port is bound or a file is opened.
 */
export interface ComponentFactory<S = unknown> {
  name: string;
  settings(config: Config, role: Role): S | null;
  create(settings: S, context: RoleContext): Component;
}

/** A factory's settings, checked (validation phase) and waiting for its turn to start. */
export interface Planned {
  factory: ComponentFactory;
  settings: unknown;
}

/** Validates every factory's section, in order; those that run in this role. */
export function planComponents(factories: readonly ComponentFactory<any>[], config: Config, role: Role): Planned[] {
  const planned: Planned[] = [];
  for (const factory of factories) {
    const settings = factory.settings(config, role);
    if (settings !== null) planned.push({ factory, settings });
  }
  return planned;
}

/**
 * Creates and starts the planned components in order; `stop` shuts down what
 * started in reverse order (each once; errors are logged, the rest still stop).
 * A component that fails to start stops everything started before it.
 */
export async function startComponents(planned: Planned[], context: RoleContext): Promise<{ stop(): Promise<void> }> {
  const started: { name: string; component: Component }[] = [];
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      for (const { name, component } of started.reverse()) {
        try {
          await component.shutdown();
        } catch (err) {
          context.log(`chainscope: error while stopping ${name}: ${(err as Error)?.message ?? err}`);
        }
      }
    })());
  try {
    for (const { factory, settings } of planned) {
      const component = factory.create(settings, context);
      // registered before start: a half-started component is shut down too
      started.push({ name: factory.name, component });
      await component.start();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
