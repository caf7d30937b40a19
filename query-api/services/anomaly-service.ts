import type { SpanStore } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import type { AnomalyReport, SeriesRef } from '../../core/anomaly';
import { detectAnomalies } from '../../core/analysis/anomaly-detect';
import { windowSeries, type WindowSeries } from '../../core/analysis/anomaly-series';
import { ANOMALY_DEFAULTS, type AnomalyThresholds } from '../../core/analysis/anomaly-score';
import { kpiWindowSeries } from '../../core/analysis/kpi-series';
import { MINUTE_US, minuteOf } from '../../core/topology';
import { OrderKpiService } from './order-kpi-service';

/** Default window judged: the last 5 whole minutes. */
export const ANOMALY_DEFAULT_WINDOW_US = 5 * MINUTE_US;
/** Longest window judged at once. */
export const ANOMALY_MAX_WINDOW_US = 60 * MINUTE_US;
/** Past days whose same window make the seasonal baseline. */
export const SEASONAL_DAYS = 7;
/**
 * Windows just before the judged one that make the recent baseline: 10, so that up to 4 of them may
 * be anomalous (earlier faults) without moving its median (core/analysis/baseline.ts), and a lasting
 * change is taken as the new level after 6 (the one-minute alert rules: 6 minutes).
 */
export const RECENT_WINDOWS = 10;
const DAY_US = 24 * 60 * MINUTE_US;
/** Store reads at a time, so one evaluation does not flood the store. */
const READS_IN_FLIGHT = 4;

/**
 * Business KPIs to judge besides the RED series: the keys (BUSINESS_KEYS). Their stages are named by the
 * span store's order roll-up at ingest (CHAIN_STAGES, see OrderRollupSettings).
 */
export interface KpiOptions {
  keys: readonly string[];
}

export interface AnomalyWindowInput {
  startUs?: number;
  endUs?: number;
}

/**
 * Anomalies of a window: reads the roll-ups of the window, of the same window
 * on each of the past SEASONAL_DAYS days and of the RECENT_WINDOWS windows
 * before it (a topology read each, and the stats of each service the window
 * saw, for its operations), then judges every series (core/analysis/anomaly-detect.ts).
 * With `kpis`, each business key's orders of those windows (and their stages)
 * are series too (core/analysis/kpi-series.ts), from the per-minute order
 * roll-up the span store keeps at ingest (OrderKpiService).
 */
export class AnomalyService {
  private readonly orders: OrderKpiService | undefined;

  constructor(
    private readonly spans: SpanStore,
    private readonly nowUs: () => number = () => Date.now() * 1000,
    private readonly thresholds: AnomalyThresholds = ANOMALY_DEFAULTS,
    private readonly kpis: KpiOptions = { keys: [] },
  ) {
    this.orders = kpis.keys.length ? new OrderKpiService(spans) : undefined;
  }

  /** The business keys whose KPIs are judged. */
  get kpiKeys(): readonly string[] {
    return this.kpis.keys;
  }

  /** The KPI series of the keys (all configured when absent) over whole minutes [startUs, endUs). */
  async kpiSeries(window: { startUs: number; endUs: number }, keys: readonly string[] = this.kpis.keys): Promise<WindowSeries> {
    const series: WindowSeries = new Map();
    if (!this.orders) return series;
    for (const key of keys) {
      const rows = await this.orders.minutes(key, { startUs: window.startUs, endUs: window.endUs - 1 });
      for (const [id, row] of kpiWindowSeries(key, rows)) series.set(id, row);
    }
    return series;
  }

  /**
   * What one series needs of a window [startUs, endUs), read as little as possible: a KPI its key's
   * orders, an operation the topology and its service's stats, a service or an edge the topology (a
   * threshold rule's evaluation, an incident's chart).
   */
  async seriesWindow(series: SeriesRef, window: { startUs: number; endUs: number }): Promise<WindowSeries> {
    if (series.kind === 'kpi') return this.kpiSeries(window, [series.key]);
    const read = { startUs: window.startUs, endUs: window.endUs - 1 };
    const [topology, stats] = await Promise.all([
      this.spans.topology(read),
      series.kind === 'operation' ? this.spans.serviceStats(series.service, read, window.endUs - window.startUs).then((s) => [s]) : Promise.resolve([]),
    ]);
    return windowSeries(topology, stats);
  }

  /**
   * The whole minutes judged: from the minute `start` falls in to the minute `end` falls in (that one
   * still filling, left out), at least one minute. Default: the 5 minutes before now's minute.
   */
  window(input: AnomalyWindowInput): { startUs: number; endUs: number } {
    const endRaw = input.endUs ?? this.nowUs();
    const startRaw = input.startUs ?? endRaw - ANOMALY_DEFAULT_WINDOW_US;
    if (startRaw > endRaw) throw new ValidationError('start must not be after end', 'start');
    const startUs = minuteOf(startRaw);
    const endUs = Math.max(minuteOf(endRaw), startUs + MINUTE_US);
    if (endUs - startUs > ANOMALY_MAX_WINDOW_US) {
      throw new ValidationError(`the window may span at most ${ANOMALY_MAX_WINDOW_US / MINUTE_US} minutes`, 'start');
    }
    return { startUs, endUs };
  }

  async anomalies(input: AnomalyWindowInput): Promise<AnomalyReport> {
    const { startUs, endUs } = this.window(input);
    const length = endUs - startUs;
    const shifted = (byUs: number) => ({ startUs: startUs - byUs, endUs: endUs - byUs });
    const seasonalWindows = Array.from({ length: SEASONAL_DAYS }, (_, d) => shifted((d + 1) * DAY_US));
    // oldest first
    const recentWindows = Array.from({ length: RECENT_WINDOWS }, (_, k) => shifted((RECENT_WINDOWS - k) * length));
    const current = await this.readWindow({ startUs, endUs });
    const seasonal: WindowSeries[] = [];
    for (const w of seasonalWindows) seasonal.push(await this.readWindow(w));
    const recent: WindowSeries[] = [];
    for (const w of recentWindows) recent.push(await this.readWindow(w));
    const judged = detectAnomalies(current, seasonal, recent, length / 1e6, this.thresholds);
    return { startUs, endUs, ...judged };
  }

  /** One window's series; a window without traffic costs one read. */
  private async readWindow(window: { startUs: number; endUs: number }): Promise<WindowSeries> {
    // before the first minute of the epoch there is nothing (and the stores take a start of 0 for none)
    if (window.startUs <= 0) return new Map();
    // a store window counts every minute it touches: end one µs before the next minute
    const read = { startUs: window.startUs, endUs: window.endUs - 1 };
    const topology = await this.spans.topology(read);
    const services = topology.nodes.filter((n) => n.kind === 'service' && n.calls > 0).map((n) => n.id);
    const step = window.endUs - window.startUs;
    const stats = [];
    for (let i = 0; i < services.length; i += READS_IN_FLIGHT) {
      stats.push(...(await Promise.all(services.slice(i, i + READS_IN_FLIGHT).map((s) => this.spans.serviceStats(s, read, step)))));
    }
    const red = windowSeries(topology, stats);
    // nothing at all seen: nothing was watched then, not zero orders (the KPI series stay absent too)
    if (red.size === 0 || !this.orders) return red;
    // KPI series first: few, and never the ones cut by MAX_SERIES
    return new Map([...(await this.kpiSeries(window)), ...red]);
  }
}
