import type { SeriesRef, SeriesWindowValue } from '../anomaly';
import type { ServiceStats, Topology } from '../topology';

/** The series of one window, by series id. */
export type WindowSeries = Map<string, { series: SeriesRef; value: SeriesWindowValue }>;

/** Series judged per window at most (the busiest); bounds the memory of one evaluation. */
export const MAX_SERIES = 2_000;

export function seriesId(series: SeriesRef): string {
  switch (series.kind) {
    case 'service':
      return `service:${series.service}`;
    case 'operation':
      return `operation:${series.service}\u0000${series.operation}`;
    case 'edge':
      return `edge:${series.source}\u0000${series.target}\u0000${series.edgeKind}`;
    case 'kpi':
      return series.stage === undefined ? `kpi:${series.key}` : `kpi:${series.key}\u0000${series.stage}`;
  }
}

/**
 * The series of one window from the store's roll-ups: every service node of
 * the topology (its entry calls), every edge, and every operation of the
 * services' stats over the same window. Busiest first, at most MAX_SERIES.
 */
export function windowSeries(topology: Topology, stats: readonly ServiceStats[]): WindowSeries {
  const rows: { series: SeriesRef; value: SeriesWindowValue }[] = [];
  for (const node of topology.nodes) {
    if (node.kind !== 'service') continue;
    rows.push({ series: { kind: 'service', service: node.id }, value: { calls: node.calls, errors: Math.round(node.errorRate * node.calls), p95Ms: node.p95Ms } });
  }
  for (const edge of topology.edges) {
    rows.push({ series: { kind: 'edge', source: edge.source, target: edge.target, edgeKind: edge.kind }, value: { calls: edge.calls, errors: edge.errors, p95Ms: edge.p95Ms } });
  }
  for (const service of stats) {
    for (const op of service.operations) {
      rows.push({ series: { kind: 'operation', service: service.service, operation: op.name }, value: { calls: op.calls, errors: op.errors, p95Ms: op.p95Ms } });
    }
  }
  rows.sort((a, b) => b.value.calls - a.value.calls);
  return new Map(rows.slice(0, MAX_SERIES).map((row) => [seriesId(row.series), row]));
}
