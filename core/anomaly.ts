import type { BaselineMethod } from './analysis/baseline';
import type { SeriesMetric } from './analysis/anomaly-score';

/**
 * Anomalies: the answers of GET /api/anomalies and what anomaly alert rules
 * read (docs/anomalies.md). A series is one service's entry calls, one of its
 * operations, or one edge of the topology, over a window of whole minutes.
 */

export type { SeriesMetric, BaselineMethod };

export type SeriesRef =
  | { kind: 'service'; service: string }
  | { kind: 'operation'; service: string; operation: string }
  | { kind: 'edge'; source: string; target: string; edgeKind: string }
  /** A business key's orders (no stage) or one stage of their journey: orders as calls, failed orders as errors. */
  | { kind: 'kpi'; key: string; stage?: string };

/** What a series did in one window. */
export interface SeriesWindowValue {
  calls: number;
  errors: number;
  /** Null without calls. */
  p95Ms: number | null;
}

export interface Anomaly {
  /** Stable id of the series: `service:NAME`, `operation:SERVICE\u0000OPERATION`, `edge:SOURCE\u0000TARGET\u0000KIND`, `kpi:KEY` or `kpi:KEY\u0000STAGE`. */
  seriesId: string;
  series: SeriesRef;
  metric: SeriesMetric;
  /** The window's value: p95 in ms, errors / calls, calls per second. */
  value: number;
  baseline: { method: BaselineMethod; center: number; scale: number; samples: number };
  /** Robust z-score, positive in the bad direction; at least the threshold. */
  score: number;
  calls: number;
  errors: number;
}

/** GET /api/anomalies */
export interface AnomalyReport {
  /** The window judged: whole minutes. */
  startUs: number;
  endUs: number;
  /** Series judged (with a baseline and enough volume for at least one metric). */
  seriesJudged: number;
  /** Highest score first. */
  anomalies: Anomaly[];
  /** True when the window had more series than MAX_SERIES and the quietest were not judged. */
  truncated: boolean;
}
