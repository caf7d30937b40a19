import type { SeriesRef } from '../anomaly';
import { seriesId, type WindowSeries } from './anomaly-series';
import { tallyByStage } from './order-kpis';
import { ORDER_STAGE, type OrderRollupRow } from './order-rollup';
import { quantilesMs } from './topology-histogram';

/**
 * Business KPIs as series of the anomaly model (docs/anomalies.md, "Business
 * KPIs"): per business key, its orders in a window as one series (orders =
 * calls, failed orders = errors, end-to-end p95 = p95) and each stage of
 * their journey as another (orders reaching it, its p95). So the RED metrics'
 * directions and volume rules judge them unchanged: orders per second down,
 * failed share up (success rate down), p95 up.
 */

/** Stages per key kept at most (the busiest), so one key with runaway stage names stays small. */
export const MAX_STAGES_PER_KEY = 50;

export function kpiRef(key: string, stage?: string): SeriesRef {
  return stage === undefined ? { kind: 'kpi', key } : { kind: 'kpi', key, stage };
}

/**
 * The KPI series of one key's orders first seen in a window, from the window's per-minute order roll-up rows
 * (core/analysis/order-rollup.ts; p95 to a histogram bucket).
 */
export function kpiWindowSeries(key: string, rows: readonly OrderRollupRow[]): WindowSeries {
  const series: WindowSeries = new Map();
  const tallies = tallyByStage(rows);
  const orders = tallies.get(ORDER_STAGE);
  tallies.delete(ORDER_STAGE);
  series.set(seriesId(kpiRef(key)), {
    series: kpiRef(key),
    value: { calls: orders?.orders ?? 0, errors: orders?.failed ?? 0, p95Ms: orders ? quantilesMs(orders.latency, [0.95])[0] : null },
  });
  const busiest = [...tallies.entries()].sort(([a, x], [b, y]) => y.orders - x.orders || (a < b ? -1 : 1)).slice(0, MAX_STAGES_PER_KEY);
  for (const [stage, t] of busiest) {
    series.set(seriesId(kpiRef(key, stage)), { series: kpiRef(key, stage), value: { calls: t.orders, errors: 0, p95Ms: quantilesMs(t.latency, [0.95])[0] } });
  }
  return series;
}
