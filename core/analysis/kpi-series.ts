import type { SeriesRef } from '../anomaly';
import { seriesId, type WindowSeries } from './anomaly-series';
import { quantile, type OrderFact } from './order-kpis';

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

/** The KPI series of one key's orders first seen in a window (the facts given are those orders). */
export function kpiWindowSeries(key: string, facts: readonly OrderFact[]): WindowSeries {
  const series: WindowSeries = new Map();
  const ms = (from: number, to: number) => (to - from) / 1000;
  const asc = (values: number[]) => values.sort((a, b) => a - b);
  series.set(seriesId(kpiRef(key)), {
    series: kpiRef(key),
    value: { calls: facts.length, errors: facts.filter((f) => f.failed).length, p95Ms: quantile(asc(facts.map((f) => ms(f.startUs, f.endUs))), 0.95) },
  });
  const stages = new Map<string, number[]>();
  for (const f of facts) {
    for (const s of f.stages) {
      let durations = stages.get(s.name);
      if (!durations) stages.set(s.name, (durations = []));
      durations.push(ms(s.startUs, s.endUs));
    }
  }
  const busiest = [...stages.entries()].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1)).slice(0, MAX_STAGES_PER_KEY);
  for (const [stage, durations] of busiest) {
    series.set(seriesId(kpiRef(key, stage)), { series: kpiRef(key, stage), value: { calls: durations.length, errors: 0, p95Ms: quantile(asc(durations), 0.95) } });
  }
  return series;
}

