/**
 * A dashboard as its JSON file gives it (dashboards/dashboard.schema.json),
 * after validation. The loader fills the defaults, so every field the query
 * API and the wall screen read is set.
 */

export type PanelType = 'stat' | 'timeseries' | 'table' | 'funnel' | 'logs' | 'topology' | 'metric' | 'heatmap' | 'logstream';
export type SeverityLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'UNSPECIFIED';
export type OrderMeasure = 'ordersPerMinute' | 'successRate' | 'p50Ms' | 'p95Ms' | 'p99Ms' | 'latency';

export type PanelQuery =
  | { kind: 'services'; limit?: number }
  | { kind: 'topology' }
  | { kind: 'error-operations'; limit?: number }
  | { kind: 'error-bursts'; q?: string; limit?: number }
  | { kind: 'orders'; key?: string; measure: OrderMeasure }
  | { kind: 'order-stages'; key?: string }
  | { kind: 'slow-orders'; key?: string; errorsOnly?: boolean; limit?: number }
  | { kind: 'log-rate'; q?: string; levels?: SeverityLevel[] }
  | { kind: 'log-messages'; q?: string; limit?: number }
  | { kind: 'order-latency'; key?: string }
  | { kind: 'service-latency'; service?: string }
  | { kind: 'log-tail'; q?: string; limit?: number }
  | { kind: 'metric'; name: string; fn?: 'auto' | 'value' | 'rate' | 'avg' | 'quantile'; quantile?: number; groupBy?: string[]; step?: string };

export type QueryKind = PanelQuery['kind'];

/** Amber at or past warn, red at or past critical; `below`: smaller is worse. */
export interface Thresholds {
  warn: number;
  critical: number;
  direction?: 'above' | 'below';
}

export interface PanelDefinition {
  id: string;
  title: string;
  type: PanelType;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The panel's own window (e.g. "15m"); the dashboard's when absent. */
  window?: string;
  thresholds?: Record<string, Thresholds>;
  query: PanelQuery;
}

export interface DashboardDefinition {
  id: string;
  title: string;
  description: string;
  window: string;
  refresh: string;
  columns: number;
  rows: number;
  panels: PanelDefinition[];
}

export const DASHBOARD_DEFAULTS = { window: '1h', refresh: '10s', columns: 12, rows: 6 } as const;

/** Records a log-stream panel keeps without a `limit` (the server sends that many newest, the screen keeps that many). */
export const LOG_TAIL_DEFAULT_ROWS = 30;

/** Longest window a panel may read: the roll-ups answer any window, but a wall screen refreshes every few seconds. */
export const MAX_PANEL_WINDOW_MS = 24 * 3_600_000;

/** Which query kinds each panel type can draw. */
export const PANEL_QUERIES: Readonly<Record<PanelType, readonly QueryKind[]>> = {
  stat: ['orders'],
  timeseries: ['orders', 'log-rate'],
  table: ['services', 'error-operations', 'error-bursts', 'slow-orders'],
  funnel: ['order-stages'],
  logs: ['log-messages'],
  topology: ['topology'],
  metric: ['metric'],
  heatmap: ['order-latency', 'service-latency'],
  logstream: ['log-tail'],
};

/** `10s`, `5m`, `1h` → milliseconds (the schema's patterns allow nothing else). */
export function durationMs(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000);
}
