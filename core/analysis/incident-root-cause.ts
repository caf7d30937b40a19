import type { Anomaly, SeriesRef } from '../anomaly';
import type { Topology } from '../topology';
import type { IncidentCause, IncidentSubgraph } from '../wire/incidents';
import { MAX_RCA_CANDIDATES, type RootCauseCandidate } from './root-cause';
import { seriesServices } from './series-services';

/**
 * Root-cause ranking of an incident, pure (docs/anomalies.md, "Root cause of
 * an incident"): services as candidates, each with the operation most
 * implicated, from three kinds of evidence, each scaled to 0..1:
 *
 * - **affected orders** (weight 0.6): each failed or slow order that began in
 *   the window the rule judged, ranked on its own (root-cause.ts: critical path, deviation, error
 *   origin); a service's share of an order's total score, averaged;
 * - **anomalies** (0.3): its series' strongest score in the detection window
 *   (saturating: score / (score + 10)), a quarter of it when the topology explains it: a latency
 *   or error anomaly is explained by one of a callee (downstream), a call
 *   rate drop by one of a caller (upstream);
 * - **error logs** (0.1): the rise of its warning and error records in the
 *   judged window over the window as long before it, relative to the largest rise.
 *
 * Without ranked orders the anomalies weigh 0.75 and the logs 0.25.
 */

export interface IncidentRankInput {
  /** The alert's series; null for a log-rate rule. */
  focus: SeriesRef | null;
  topology: Topology;
  anomalies: readonly Anomaly[];
  /** The per-order ranking of every affected order that was ranked. */
  orders: readonly (readonly RootCauseCandidate[])[];
  /** Warning and error records per service, in the window and the window before. */
  errorLogs: ReadonlyMap<string, { now: number; before: number }>;
}

const WEIGHTS = { orders: 0.6, anomalies: 0.3, logs: 0.1 };
const WEIGHTS_WITHOUT_ORDERS = { orders: 0, anomalies: 0.75, logs: 0.25 };
/** The anomaly score that counts as half the strongest evidence: strength = score / (score + this), so a score of 50 is not ten times the evidence of 5, yet still more. */
const SCORE_HALF = 10;
const strength = (score: number) => Math.max(0, score) / (Math.max(0, score) + SCORE_HALF);
/** What an order naming an operation adds to it, besides its share: more than any number of anomalies of that service add. */
const ORDER_NAMES_OPERATION = 1_000;
/** What an explained anomaly still counts for. */
const EXPLAINED_WEIGHT = 0.25;
/** Deepest topology walk. */
const MAX_HOPS = 8;

/**
 * Who an anomaly accuses: its service; an edge's target when that is a service, else its source (a
 * client span to a database or external); null for a series of no service (a business KPI).
 */
export function accusedService(series: SeriesRef, serviceNodes: ReadonlySet<string>): string | null {
  switch (series.kind) {
    case 'service':
    case 'operation':
      return series.service;
    case 'edge':
      return serviceNodes.has(series.target) ? series.target : series.source;
    default:
      return null;
  }
}

/** Hops from any of `from` over edges in either direction, up to MAX_HOPS. */
export function hopsFrom(topology: Topology, from: readonly string[]): Map<string, number> {
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
  for (const e of topology.edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  const hops = new Map(from.map((s) => [s, 0]));
  let frontier = [...from];
  for (let d = 1; d <= MAX_HOPS && frontier.length; d++) {
    const next: string[] = [];
    for (const n of frontier) for (const m of neighbours.get(n) ?? []) if (!hops.has(m)) (hops.set(m, d), next.push(m));
    frontier = next;
  }
  return hops;
}

/** The topology within `radius` hops of the alert's series, its own nodes and edge marked. */
export function incidentSubgraph(topology: Topology, focus: SeriesRef | null, radius = 1): IncidentSubgraph {
  const centre = seriesServices(focus);
  const hops = hopsFrom(topology, centre);
  const inside = (id: string) => (hops.get(id) ?? Infinity) <= radius;
  return {
    nodes: topology.nodes.filter((n) => inside(n.id)).map((n) => ({ ...n, focus: centre.includes(n.id) })),
    edges: topology.edges
      .filter((e) => inside(e.source) && inside(e.target))
      .map((e) => ({ ...e, focus: focus?.kind === 'edge' ? e.source === focus.source && e.target === focus.target : false })),
  };
}

/** Services reachable from `start` along edges (downstream) or against them (upstream), `start` excluded. */
function reachable(topology: Topology, start: string, direction: 'down' | 'up'): Set<string> {
  const seen = new Set<string>([start]);
  let frontier = [start];
  for (let d = 0; d < MAX_HOPS && frontier.length; d++) {
    const next: string[] = [];
    for (const e of topology.edges) {
      const [from, to] = direction === 'down' ? [e.source, e.target] : [e.target, e.source];
      if (frontier.includes(from) && !seen.has(to)) (seen.add(to), next.push(to));
    }
    frontier = next;
  }
  seen.delete(start);
  return seen;
}

export function rankIncidentCauses(input: IncidentRankInput): IncidentCause[] {
  const serviceNodes = new Set(input.topology.nodes.filter((n) => n.kind === 'service').map((n) => n.id));
  const hops = hopsFrom(input.topology, seriesServices(input.focus));
  const causes = new Map<string, IncidentCause & { opScores: Map<string, number>; anomalyStrength: number }>();
  const cause = (service: string) => {
    let c = causes.get(service);
    if (!c) {
      c = {
        service,
        operation: null,
        score: 0,
        evidence: { anomalies: [], explainedBy: [], orderShare: 0, ordersRankedFirst: 0, ordersRanked: input.orders.length, originErrors: 0, errorLogs: input.errorLogs.get(service) ?? { now: 0, before: 0 }, distance: hops.get(service) ?? null },
        opScores: new Map(),
        anomalyStrength: 0,
      };
      causes.set(service, c);
    }
    return c;
  };

  // anomalies, with the topology rule
  const accused = input.anomalies.flatMap((a) => {
    const service = accusedService(a.series, serviceNodes);
    return service === null ? [] : [{ a, service }];
  });
  for (const { a, service } of accused) {
    const direction = a.metric === 'rate_per_sec' ? 'up' : 'down';
    const related = reachable(input.topology, service, direction);
    const explainers = [...new Set(accused.filter((o) => o.service !== service && o.a.metric === a.metric && related.has(o.service)).map((o) => o.service))].sort();
    const c = cause(service);
    const explained = explainers.length > 0;
    c.evidence.anomalies.push({ seriesId: a.seriesId, metric: a.metric, score: a.score, value: a.value, center: a.baseline.center, explained });
    for (const s of explainers) if (!c.evidence.explainedBy.includes(s)) c.evidence.explainedBy.push(s);
    c.anomalyStrength = Math.max(c.anomalyStrength, strength(a.score) * (explained ? EXPLAINED_WEIGHT : 1));
    if (a.series.kind === 'operation' && !explained) c.opScores.set(a.series.operation, (c.opScores.get(a.series.operation) ?? 0) + strength(a.score));
  }

  // the affected orders' own rankings
  for (const ranked of input.orders) {
    const total = ranked.reduce((n, r) => n + r.score, 0);
    if (total <= 0) continue;
    const shares = new Map<string, number>();
    for (const r of ranked) {
      const c = cause(r.service);
      shares.set(r.service, (shares.get(r.service) ?? 0) + r.score / total);
      c.opScores.set(r.operation, (c.opScores.get(r.operation) ?? 0) + r.score / total + ORDER_NAMES_OPERATION);
      c.evidence.originErrors += r.evidence.originErrors;
    }
    for (const [service, share] of shares) cause(service).evidence.orderShare += share / input.orders.length;
    cause(ranked[0].service).evidence.ordersRankedFirst++;
  }

  // error logs: the rise, relative to the largest
  let maxRise = 0;
  for (const [service, counts] of input.errorLogs) {
    const rise = Math.max(0, counts.now - counts.before);
    maxRise = Math.max(maxRise, rise);
    if (rise > 0) cause(service);
  }

  const w = input.orders.length > 0 ? WEIGHTS : WEIGHTS_WITHOUT_ORDERS;
  for (const c of causes.values()) {
    const logs = c.evidence.errorLogs;
    const logRise = maxRise > 0 ? Math.max(0, logs.now - logs.before) / maxRise : 0;
    c.score = round(w.orders * c.evidence.orderShare + w.anomalies * c.anomalyStrength + w.logs * logRise);
    c.evidence.orderShare = round(c.evidence.orderShare);
    // an operation named by the orders outranks one named only by anomalies (those add under 1 each)
    c.operation = [...c.opScores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
  }
  return [...causes.values()]
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || (a.service < b.service ? -1 : 1))
    .slice(0, MAX_RCA_CANDIDATES)
    .map(({ service, operation, score, evidence }) => ({ service, operation, score, evidence }));
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
