import type { Anomaly, AnomalyReport, BaselineMethod, SeriesMetric, SeriesRef } from '../anomaly';
import type { TraceHit } from '../contracts/trace-search';
import type { TopologyEdge, TopologyNode } from '../topology';

/** Incidents and their evidence: GET /api/incidents, /api/incidents/:id, /api/rca?incident= (docs/alerts.md#incidents). */

export type { Anomaly, AnomalyReport, BaselineMethod, SeriesMetric, SeriesRef };

/** One firing of one alert instance, kept by the evaluator with its alerts (DATA_DIR/alerts/state.json). */
export interface Incident {
  /** 16 hex digits, from the instance's identity and the moment it fired. */
  id: string;
  rule: string;
  severity: string;
  /** The instance's labels (the anomalous series of an anomaly rule). */
  labels: Record<string, string>;
  /** The series the alert watches; null for a log-rate rule. */
  series: SeriesRef | null;
  metric: SeriesMetric | null;
  /** A threshold rule's limit; null for other rules. */
  threshold: { op: '>' | '<'; value: number } | null;
  status: 'firing' | 'resolved';
  /** When the alert fired (its startsAt). */
  startedAtMs: number;
  /** When its condition started to hold (before `for`). */
  activeAtMs: number;
  resolvedAtMs: number | null;
  /** The window the rule judged when it fired (whole minutes). */
  detectionStartUs: number;
  detectionEndUs: number;
  /** The value and summary of the latest evaluation while firing. */
  value: number;
  summary: string;
}

/** GET /api/incidents */
export interface IncidentsAnswer {
  /** False when this process runs no alert evaluator (then the list is empty). */
  evaluating: boolean;
  /** Newest first. */
  incidents: Incident[];
}

/** The alert's series over time, with the band its baseline calls normal. */
export interface IncidentSeriesView {
  series: SeriesRef;
  metric: SeriesMetric;
  /** One point per window as long as the rule's: each a value the rule could have judged. */
  stepUs: number;
  points: { tUs: number; value: number | null }[];
  /** Values inside [low, high] score under the anomaly threshold; null when the series had no baseline. */
  band: { low: number; high: number; center: number; method: BaselineMethod } | null;
  /** A threshold rule's limit. */
  threshold: { op: '>' | '<'; value: number } | null;
}

/** A slow or failed business chain of the window. */
export interface AffectedOrder {
  key: string;
  value: string;
  startUs: number;
  durationUs: number;
  errorCount: number;
  /** The per-order root cause (GET /api/rca?key=&value=), when ranked. */
  topCause: { service: string; operation: string } | null;
}

/** Warning and error messages that rose in the window compared with the window before. */
export interface RisingLogMessage {
  service: string;
  severity: string;
  /** The message with numbers and ids replaced by `#`, which groups its occurrences. */
  pattern: string;
  /** One occurrence, as logged. */
  sample: string;
  sampleId: string;
  count: number;
  baselineCount: number;
}

export interface IncidentSubgraph {
  nodes: (TopologyNode & { focus: boolean })[];
  edges: (TopologyEdge & { focus: boolean })[];
}

/** A candidate cause of an incident, with everything that ranked it. */
export interface IncidentCause {
  service: string;
  /** The operation most implicated (by the affected orders, else by its anomalies); null when only the service is. */
  operation: string | null;
  score: number;
  evidence: {
    /** Its series' anomalies in the detection window. */
    anomalies: { seriesId: string; metric: SeriesMetric; score: number; value: number; center: number; explained: boolean }[];
    /** Callees (within the topology) whose own anomaly explains this service's. */
    explainedBy: string[];
    /** Mean share of the per-order root-cause score of the affected orders (0..1). */
    orderShare: number;
    /** Affected orders whose per-order ranking named it first, and how many were ranked. */
    ordersRankedFirst: number;
    ordersRanked: number;
    /** Spans where an error started (failed while none of their children did), over the ranked orders. */
    originErrors: number;
    /** Its warning and error log records in the window and in the window before. */
    errorLogs: { now: number; before: number };
    /** Hops from the alert's series in the topology; null when not connected or no series. */
    distance: number | null;
  };
}

/** GET /api/rca?incident= */
export interface IncidentRcaAnswer {
  incident: string;
  windowStartUs: number;
  windowEndUs: number;
  /** Most likely first, at most 10. */
  candidates: IncidentCause[];
  /** Evidence that could not be read, with why (the ranking used the rest). */
  missing: string[];
}

/** GET /api/incidents/:id */
export interface IncidentEvidence {
  incident: Incident;
  /** The evidence window: from the detection window's start to the resolution (or now), at most an hour. */
  windowStartUs: number;
  windowEndUs: number;
  /** The window before, as long, that log messages are compared with. */
  baselineStartUs: number;
  series: IncidentSeriesView | null;
  /** The business key of the orders (the first configured). */
  orderKey: string;
  orders: AffectedOrder[];
  traces: TraceHit[];
  logs: RisingLogMessage[];
  topology: IncidentSubgraph;
  /** Every anomaly in the detection window. */
  anomalies: Anomaly[];
  causes: IncidentCause[];
  /** Pieces that could not be read, with why (the rest is still shown). */
  missing: string[];
}
