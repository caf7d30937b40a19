import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import { loadDashboards } from '../../core/dashboards/load';
import { durationMs, type DashboardDefinition } from '../../core/dashboards/model';
import { NotFoundError } from '../../core/errors';
import { mapLimited } from '../../core/util/map-limited';
import type { DashboardData, DashboardSummary, PanelResult } from '../../core/wire';
import { ChainService, chainOptions, type ChainServiceOptions } from './chain-service';
import { panelData, type PanelSources } from './dashboard-panels';
import { LogService } from './log-service';
import { MetricService } from './metric-service';
import { OrderKpiService } from './order-kpi-service';
import { TopologyService } from './topology-service';

/** Panels computed at a time for one refresh. */
const PANELS_IN_FLIGHT = 6;

/**
 * The dashboards loaded at start-up (core/dashboards/load.ts) and their data.
 * A refresh computes every panel of a dashboard; one panel's failure is its
 * own answer, the others still answer. Screens watching the same dashboard
 * share a refresh: data younger than half the refresh period is given again.
 */
export class DashboardService {
  private readonly recent = new Map<string, { atMs: number; data: Promise<DashboardData> }>();

  constructor(
    private readonly dashboards: ReadonlyMap<string, DashboardDefinition>,
    private readonly sources: PanelSources,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  list(): DashboardSummary[] {
    return [...this.dashboards.values()]
      .map((d) => ({ id: d.id, title: d.title, description: d.description, refresh: d.refresh, panels: d.panels.length }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(id: string): DashboardDefinition {
    const d = this.dashboards.get(id);
    if (!d) throw new NotFoundError(`no dashboard "${id}" (known: ${[...this.dashboards.keys()].join(', ')})`);
    return d;
  }

  refreshMs(id: string): number {
    return durationMs(this.get(id).refresh);
  }

  /**
   * Every panel's data with windows ending at `endMs`; without it, ending now,
   * or the data computed for another screen less than `refreshMs / 2` ago
   * (default: the dashboard's refresh).
   */
  async data(id: string, endMs?: number, refreshMs?: number): Promise<DashboardData> {
    const dashboard = this.get(id);
    if (endMs !== undefined) return this.compute(dashboard, endMs);
    const now = this.nowMs();
    const kept = this.recent.get(id);
    if (kept && now - kept.atMs < (refreshMs ?? durationMs(dashboard.refresh)) / 2) return kept.data;
    const data = this.compute(dashboard, now);
    this.recent.set(id, { atMs: now, data });
    data.catch(() => this.recent.delete(id));
    return data;
  }

  private async compute(dashboard: DashboardDefinition, endMs: number): Promise<DashboardData> {
    const started = performance.now();
    const endUs = endMs * 1000;
    const results = await mapLimited(dashboard.panels, PANELS_IN_FLIGHT, async (panel): Promise<PanelResult> => {
      const window = { startUs: endUs - durationMs(panel.window ?? dashboard.window) * 1000, endUs };
      const panelStarted = performance.now();
      const ms = () => Math.round((performance.now() - panelStarted) * 10) / 10;
      try {
        const data = await panelData(panel, window, this.sources);
        return { ok: true, data, ms: ms() };
      } catch (err) {
        return { ok: false, error: (err as Error).message, ms: ms() };
      }
    });
    return {
      id: dashboard.id,
      generatedAtUs: endUs,
      refreshMs: durationMs(dashboard.refresh),
      computeMs: Math.round((performance.now() - started) * 10) / 10,
      panels: Object.fromEntries(dashboard.panels.map((p, i) => [p.id, results[i]])),
    };
  }
}

/**
 * The dashboard service of a query app: the shipped dashboards plus
 * DASHBOARDS_DIR's, read once (throws naming the file, the JSON path and the
 * expectation of a bad one), over the app's chain and topology services.
 */
export function createDashboardService(
  spans: SpanStore,
  logs: LogStore,
  options: { chains?: Partial<ChainServiceOptions>; dashboardsDir?: string },
  shared: { chains?: ChainService; topology?: TopologyService; metrics?: MetricService } = {},
): DashboardService {
  const { businessKeys, stages } = chainOptions(options.chains);
  return new DashboardService(loadDashboards(options.dashboardsDir ?? '', { businessKeys }), {
    topology: shared.topology ?? new TopologyService(spans),
    chains: shared.chains ?? new ChainService(spans, logs, options.chains),
    logs: new LogService(logs),
    orders: new OrderKpiService(spans),
    metrics: shared.metrics ?? new MetricService(undefined),
    defaultKey: businessKeys[0] ?? '',
    stageRules: stages,
  });
}
