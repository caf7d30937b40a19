import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import type { TraceHit } from '../../core/contracts/trace-search';
import { NotFoundError, ValidationError } from '../../core/errors';
import type { Anomaly } from '../../core/anomaly';
import { incidentSubgraph, rankIncidentCauses } from '../../core/analysis/incident-root-cause';
import { seriesServices } from '../../core/analysis/series-services';
import { risingMessages } from '../../core/analysis/log-rise';
import type { RootCauseCandidate } from '../../core/analysis/root-cause';
import { parseLogQuery } from '../../core/logql';
import type { LogRecord } from '../../core/model';
import type { Topology } from '../../core/topology';
import { mapLimited } from '../../core/util/map-limited';
import type { AffectedOrder, Incident, IncidentCause, IncidentEvidence, IncidentRcaAnswer, IncidentsAnswer } from '../../core/wire/incidents';
import type { AnomalyService } from './anomaly-service';
import type { ChainService, SlowChainView } from './chain-service';
import { incidentSeries } from './incident-series';
import type { RcaService } from './rca-service';

/** The evidence window is at most this long (from the detection window's start). */
export const EVIDENCE_MAX_WINDOW_US = 60 * 60_000_000;
/** Slow and failed orders listed, each (slowest first); the first ORDERS_RANKED of them are ranked. */
export const ORDERS_LISTED = 10;
export const ORDERS_RANKED = 6;
export const TRACES_LISTED = 6;
export const LOG_MESSAGES_LISTED = 20;
/** Warning-and-above records read per window for the rising messages. */
const LOG_RECORDS_READ = 1_000;
/** Services whose warning-and-above records are counted per window. */
const LOG_SERVICES_COUNTED = 50;
/** A chain is looked up this far around the window (its traces may start before or end after it). */
const CHAIN_MARGIN_US = 10 * 60_000_000;
const INCIDENT_ID = /^[0-9a-f]{16}$/;
/** The topology drawn reaches the first this many causes, at most MAX_SUBGRAPH_RADIUS hops out. */
const CAUSES_REACHED = 3;
const MAX_SUBGRAPH_RADIUS = 3;
const WARNINGS_AND_WORSE = 'level:>=warn';

export interface IncidentSources {
  /** The evaluator's incidents; undefined when this process runs none. */
  incidents: (() => readonly Incident[] | undefined) | undefined;
  spans: SpanStore;
  logs: LogStore;
  chains: ChainService;
  rca: RcaService;
  anomalies: AnomalyService;
  /** The business key of the orders (the first configured); '' for none (no orders are listed). */
  orderKey: string;
  nowUs?: () => number;
}

interface Window {
  startUs: number;
  endUs: number;
}

/** What the ranking and the page share. */
interface Gathered {
  windowStartUs: number;
  windowEndUs: number;
  baselineStartUs: number;
  anomalies: Anomaly[];
  topology: Topology;
  orders: { view: SlowChainView; ranked: RootCauseCandidate[] | null }[];
  logsNow: LogRecord[];
  logsBefore: LogRecord[];
  errorLogs: Map<string, { now: number; before: number }>;
  causes: IncidentCause[];
  missing: string[];
}

/**
 * Incidents and their evidence (docs/alerts.md#incidents): the evaluator
 * keeps the incidents; this reads, for one, what happened around it from the
 * stores: the anomalies of its detection window, the topology, the slowest and
 * failed orders of its window with their own root-cause ranking, exemplar
 * traces, the warning and error messages that rose, and ranks the candidate
 * causes (core/analysis/incident-root-cause.ts). A piece that cannot be read
 * is named in `missing`; the rest is still answered.
 */
export class IncidentService {
  private readonly nowUs: () => number;

  constructor(private readonly sources: IncidentSources) {
    this.nowUs = sources.nowUs ?? (() => Date.now() * 1000);
  }

  list(): IncidentsAnswer {
    const incidents = this.sources.incidents?.();
    return { evaluating: incidents !== undefined, incidents: incidents ? [...incidents] : [] };
  }

  /**
   * Text that changes when list() would answer differently for a screen: an
   * incident opened, resolved or gone, the evaluator started or stopped (the
   * dashboard stream sends the incidents again only then).
   */
  listVersion(answer: IncidentsAnswer = this.list()): string {
    return `${answer.evaluating ? 'on' : 'off'} ${answer.incidents.map((i) => `${i.id}:${i.status}`).join(',')}`;
  }

  find(id: string): Incident {
    if (!INCIDENT_ID.test(id)) throw new ValidationError(`incident must be an incident id (16 hex digits), got "${id.slice(0, 40)}"`, 'incident');
    const incident = this.sources.incidents?.()?.find((i) => i.id === id);
    if (!incident) throw new NotFoundError(`no incident ${id}${this.sources.incidents?.() ? '' : ' (this process runs no alert evaluator)'}`);
    return incident;
  }

  async rca(id: string): Promise<IncidentRcaAnswer> {
    const incident = this.find(id);
    const g = await this.gather(incident);
    return { incident: id, windowStartUs: g.windowStartUs, windowEndUs: g.windowEndUs, candidates: g.causes, missing: g.missing };
  }

  async evidence(id: string): Promise<IncidentEvidence> {
    const incident = this.find(id);
    const g = await this.gather(incident);
    const missing = [...g.missing];
    // a series of no service (a log rate, a business KPI): the topology around the first cause
    const focus = seriesServices(incident.series).length > 0 ? incident.series : g.causes[0] ? { kind: 'service' as const, service: g.causes[0].service } : null;
    const [series, traces] = await Promise.all([
      attempt(missing, 'series', () => incidentSeries(incident, g.windowEndUs, g.anomalies, (series, window) => this.sources.anomalies.seriesWindow(series, window)), null),
      attempt(missing, 'traces', () => this.exemplarTraces(incident, seriesServices(focus)[0], g), [] as TraceHit[]),
    ]);
    return {
      incident,
      windowStartUs: g.windowStartUs,
      windowEndUs: g.windowEndUs,
      baselineStartUs: g.baselineStartUs,
      series,
      orderKey: this.sources.orderKey,
      orders: g.orders.map(({ view, ranked }) => affectedOrder(this.sources.orderKey, view, ranked)),
      traces,
      logs: risingMessages(g.logsNow, g.logsBefore, LOG_MESSAGES_LISTED),
      topology: incidentSubgraph(g.topology, focus, subgraphRadius(g.causes)),
      anomalies: g.anomalies,
      causes: g.causes,
      missing,
    };
  }

  /** The evidence window: from the detection window's start to the resolution (or now), at least the detection window, at most an hour. */
  window(incident: Incident): { startUs: number; endUs: number } {
    const startUs = incident.detectionStartUs;
    const until = incident.resolvedAtMs !== null ? incident.resolvedAtMs * 1000 : this.nowUs();
    return { startUs, endUs: Math.min(startUs + EVIDENCE_MAX_WINDOW_US, Math.max(incident.detectionEndUs, until)) };
  }

  private async gather(incident: Incident): Promise<Gathered> {
    const { startUs, endUs } = this.window(incident);
    const baselineStartUs = Math.max(1, startUs - (endUs - startUs));
    const missing: string[] = [];
    const { spans, logs } = this.sources;
    const read = { startUs, endUs: endUs - 1 };
    const before = { startUs: baselineStartUs, endUs: startUs - 1 };
    const warnings = parseLogQuery(WARNINGS_AND_WORSE, 'query');
    // the ranking's own evidence is that of the window the rule judged (later minutes of the evidence window may hold another fault's)
    const judged = judgedWindow(incident);
    const judgedRead = { startUs: judged.startUs, endUs: judged.endUs - 1 };
    const judgedBefore = { startUs: Math.max(1, 2 * judged.startUs - judged.endUs), endUs: judged.startUs - 1 };
    const [report, topology, orders, logsNow, logsBefore, countsNow, countsBefore] = await Promise.all([
      attempt(missing, 'anomalies', () => this.sources.anomalies.anomalies(judged), null),
      attempt(missing, 'topology', () => spans.topology(read), { nodes: [], edges: [] } as Topology),
      attempt(missing, 'orders', () => this.affectedOrders(judged, { startUs, endUs }), []),
      attempt(missing, 'logs', () => logs.search({ ...read, filter: warnings, limit: LOG_RECORDS_READ }).then((r) => r.logs), [] as LogRecord[]),
      attempt(missing, 'logs', () => logs.search({ ...before, filter: warnings, limit: LOG_RECORDS_READ }).then((r) => r.logs), [] as LogRecord[]),
      attempt(missing, 'logs', () => logs.facets({ ...judgedRead, filter: warnings }, { kind: 'service' }, LOG_SERVICES_COUNTED), []),
      attempt(missing, 'logs', () => logs.facets({ ...judgedBefore, filter: warnings }, { kind: 'service' }, LOG_SERVICES_COUNTED), []),
    ]);
    const errorLogs = new Map<string, { now: number; before: number }>();
    for (const f of countsNow) errorLogs.set(f.value, { now: f.count, before: 0 });
    for (const f of countsBefore) errorLogs.set(f.value, { now: errorLogs.get(f.value)?.now ?? 0, before: f.count });
    const anomalies = report?.anomalies ?? [];
    const causes = rankIncidentCauses({
      focus: incident.series,
      topology,
      anomalies,
      orders: orders.flatMap((o) => (o.ranked && o.ranked.length ? [o.ranked] : [])),
      errorLogs,
    });
    return { windowStartUs: startUs, windowEndUs: endUs, baselineStartUs, anomalies, topology, orders, logsNow, logsBefore, errorLogs, causes, missing: [...new Set(missing)] };
  }

  /**
   * The affected orders: those that began in the evidence window, failed ones first, then the slowest; at
   * most ORDERS_LISTED, shown slowest first. The ones ranked one by one (at most ORDERS_RANKED) are those
   * that began in the window the rule judged, failed ones first (so a burst of quick failures is not
   * hidden behind slow but healthy orders, nor behind the orders of a later minute).
   */
  private async affectedOrders(judged: Window, evidence: Window): Promise<{ view: SlowChainView; ranked: RootCauseCandidate[] | null }[]> {
    const { rca, orderKey } = this.sources;
    if (!orderKey) return [];
    const [toRank, inWindow] = await Promise.all([this.ordersBegunIn(judged, ORDERS_RANKED), this.ordersBegunIn(evidence, ORDERS_LISTED)]);
    const byValue = new Map<string, SlowChainView>();
    for (const v of [...toRank, ...inWindow]) if (!byValue.has(v.value)) byValue.set(v.value, v);
    const rankedValues = new Set(toRank.map((v) => v.value));
    const listed = [...byValue.values()].slice(0, ORDERS_LISTED).sort((a, b) => b.durationUs - a.durationUs || (a.value < b.value ? -1 : 1));
    const lookup = { startUs: evidence.startUs - CHAIN_MARGIN_US, endUs: evidence.endUs + CHAIN_MARGIN_US };
    return mapLimited(listed, 2, async (view) => {
      if (!rankedValues.has(view.value)) return { view, ranked: null };
      // an order whose chain cannot be ranked (e.g. cut by retention meanwhile) is listed without its cause
      const ranked = await rca.rank(orderKey, view.value, lookup).then((a) => a.candidates, () => null);
      return { view, ranked };
    });
  }

  /** Up to `limit` orders that began in the window (a slow order still running from an earlier fault is that fault's evidence): the failed ones first, then the slowest. */
  private async ordersBegunIn(window: Window, limit: number): Promise<SlowChainView[]> {
    const { chains, orderKey } = this.sources;
    const read = { startUs: window.startUs, endUs: window.endUs - 1 };
    const [failed, slowest] = await Promise.all([chains.slowestFailed(orderKey, read, limit), chains.slowest(orderKey, read, { limit })]);
    const byValue = new Map<string, SlowChainView>();
    for (const v of [...failed, ...slowest]) if (v.startUs >= window.startUs && !byValue.has(v.value)) byValue.set(v.value, v);
    return [...byValue.values()].slice(0, limit);
  }

  /** Slowest traces through the focus service in the window, and its failed ones (an error metric: those first). */
  private async exemplarTraces(incident: Incident, service: string | undefined, g: Gathered): Promise<TraceHit[]> {
    const query = { startUs: g.windowStartUs, endUs: g.windowEndUs - 1, ...(service ? { service } : {}) };
    const [slow, failed] = await Promise.all([
      this.sources.spans.findTraces({ ...query, sort: 'longest', limit: TRACES_LISTED }),
      this.sources.spans.findTraces({ ...query, status: 'error', sort: 'longest', limit: TRACES_LISTED }),
    ]);
    const first = incident.metric === 'error_rate' ? [...failed, ...slow] : [...slow, ...failed];
    const seen = new Set<string>();
    return first.filter((t) => !seen.has(t.traceId) && seen.add(t.traceId)).slice(0, TRACES_LISTED);
  }
}

/** The window the alert's rule judged when it fired (whole minutes). */
function judgedWindow(incident: Incident): Window {
  return { startUs: incident.detectionStartUs, endUs: Math.max(incident.detectionStartUs + 1, incident.detectionEndUs) };
}

/** Hops drawn around the alert's series: far enough to reach the first causes (1 to MAX_SUBGRAPH_RADIUS). */
export function subgraphRadius(causes: readonly IncidentCause[]): number {
  const reach = Math.max(1, ...causes.slice(0, CAUSES_REACHED).map((c) => c.evidence.distance ?? 0));
  return Math.min(MAX_SUBGRAPH_RADIUS, reach);
}

function affectedOrder(key: string, view: SlowChainView, ranked: RootCauseCandidate[] | null): AffectedOrder {
  const top = ranked?.[0];
  return { key, value: view.value, startUs: view.startUs, durationUs: view.durationUs, errorCount: view.errorCount, topCause: top ? { service: top.service, operation: top.operation } : null };
}

/** Runs one read; on failure names the piece in `missing` and answers `fallback`. */
async function attempt<T>(missing: string[], piece: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (err) {
    missing.push(`${piece}: ${(err as Error)?.message ?? String(err)}`);
    return fallback;
  }
}
