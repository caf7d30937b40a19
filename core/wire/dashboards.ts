import type { DashboardDefinition, OrderMeasure, PanelDefinition, SeverityLevel } from '../dashboards/model';
import type { Bottleneck } from '../analysis/chain-bottleneck';
import type { LatencyHeatmap } from '../analysis/latency-heatmap';
import type { RatedTopology } from '../topology';
import type { MetricSeriesAnswer } from './metrics';

export type { DashboardDefinition, PanelDefinition, PanelQuery, PanelType, Thresholds } from '../dashboards/model';
export type { HeatmapBand, HeatmapColumn, LatencyHeatmap } from '../analysis/latency-heatmap';

/** A row of GET /api/dashboards. */
export interface DashboardSummary {
  id: string;
  title: string;
  description: string;
  refresh: string;
  panels: number;
}

/** GET /api/dashboards */
export interface DashboardList {
  dashboards: DashboardSummary[];
}

/** GET /api/dashboards/:id: the definition with every default filled in. */
export type DashboardView = DashboardDefinition;

/** One point of a sparkline or series: start of the step (µs since the epoch) and the value (null: nothing to measure). */
export interface SeriesPoint {
  tUs: number;
  value: number | null;
}

export interface ServiceRowData {
  service: string;
  calls: number;
  ratePerSec: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Calls per second per step. */
  rateSeries: SeriesPoint[];
  errorRateSeries: SeriesPoint[];
  p95Series: SeriesPoint[];
}

export interface ErrorOperationRow {
  service: string;
  operation: string;
  calls: number;
  errors: number;
  errorRate: number;
  p95Ms: number | null;
}

export interface ErrorBurstRow {
  service: string;
  /** ERROR (and FATAL) records of the service over the window. */
  count: number;
  /** Records per minute. */
  series: SeriesPoint[];
  /** The most frequent body among the service's newest error records. */
  topMessage: string;
  topMessageCount: number;
}

export interface OrderLatencyPoint {
  tUs: number;
  orders: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface StageRow {
  name: string;
  /** Orders with at least one trace in this stage. */
  orders: number;
  /** Orders of the previous stage that did not reach this one (0 for the first). */
  dropOff: number;
  /** p95 of the time from the stage's first trace start to its last trace end, ms. */
  p95Ms: number | null;
}

export interface SlowOrderRow {
  value: string;
  startUs: number;
  durationMs: number;
  workingMs: number;
  waitingMs: number;
  errorCount: number;
  traceCount: number;
  bottleneck: Pick<Bottleneck, 'kind' | 'service' | 'operation' | 'selfUs'> | null;
}

export interface LogMessageRow {
  body: string;
  service: string;
  severity: string;
  /** Records with this body among the newest matching ones. */
  count: number;
  lastUs: number;
  traceId: string | null;
}

/** A record of a log-stream panel. */
export interface LogTailRow {
  id: string;
  timeUs: number;
  service: string;
  severity: string;
  severityNumber: number;
  /** Cut to LOG_TAIL_CHARS characters (with …). */
  body: string;
  traceId: string | null;
}

export type PanelData =
  | { kind: 'services'; stepUs: number; rows: ServiceRowData[]; truncated: boolean }
  | ({ kind: 'topology' } & RatedTopology)
  | { kind: 'error-operations'; rows: ErrorOperationRow[] }
  | { kind: 'error-bursts'; intervalUs: number; rows: ErrorBurstRow[] }
  | {
      kind: 'orders';
      key: string;
      measure: OrderMeasure;
      /** The measure over the rate window (the last whole minutes); null when there were no orders. */
      value: number | null;
      /** The same measure over the rate window just before (for the delta); null when it had no orders. */
      previous: number | null;
      /** One point per minute over the panel's window. */
      series: OrderLatencyPoint[];
      /** Some minute held more orders than one read returns: its figures cover the slowest ones only. */
      truncated: boolean;
    }
  | { kind: 'order-stages'; key: string; orders: number; stages: StageRow[]; slowestStage: string | null }
  | { kind: 'slow-orders'; key: string; rows: SlowOrderRow[] }
  | { kind: 'log-rate'; intervalUs: number; levels: SeverityLevel[]; series: { level: SeverityLevel; points: SeriesPoint[] }[] }
  | { kind: 'log-messages'; rows: LogMessageRow[] }
  | { kind: 'metric'; metric: MetricSeriesAnswer }
  | ({ kind: 'order-latency'; key: string } & LatencyHeatmap)
  | ({ kind: 'service-latency'; service: string | null } & LatencyHeatmap)
  /** The `limit` newest matching records, newest first; a screen keeps `limit` rows, adding new ones on top. */
  | { kind: 'log-tail'; limit: number; rows: LogTailRow[] };

/** A panel's answer: its data, or why it has none this time (the other panels still answer). */
export type PanelResult = ({ ok: true; data: PanelData } | { ok: false; error: string }) & {
  /** Server time spent on this panel, ms. */
  ms: number;
};

/** GET /api/dashboards/:id/data and each `data` event of /api/dashboards/:id/stream. */
export interface DashboardData {
  id: string;
  /** When the data was computed, µs since the epoch. */
  generatedAtUs: number;
  /** Milliseconds between pushes of the stream. */
  refreshMs: number;
  /** Server time spent computing every panel, ms. */
  computeMs: number;
  panels: Record<PanelDefinition['id'], PanelResult>;
}
