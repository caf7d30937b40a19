import { latencyHeatmap } from '../../core/analysis/latency-heatmap';
import { orderLatencyCounts, orderMeasure, orderSeries, stageFunnel } from '../../core/analysis/order-kpis';
import { rateWindow } from '../../core/analysis/topology-rates';
import type { ChainStageRule } from '../../core/analysis/chain-stages';
import type { SeverityGroup } from '../../core/contracts/log-store';
import { LOG_TAIL_DEFAULT_ROWS, type PanelDefinition, type PanelQuery, type SeverityLevel } from '../../core/dashboards/model';
import { parseLogQuery } from '../../core/logql';
import { MINUTE_US, minuteOf } from '../../core/topology';
import { cutText, distinctMessages } from '../../core/analysis/log-messages';
import type { ErrorOperationRow, PanelData, SeriesPoint } from '../../core/wire';
import { slowCandidates, type ChainService } from './chain-service';
import type { LogService } from './log-service';
import type { MetricService } from './metric-service';
import type { OrderKpiService } from './order-kpi-service';
import { DEFAULT_RATE_MINUTES, parseStep, type TopologyService } from './topology-service';

/** What the panels read through: the same services the other routes use, so a panel's numbers are the pages' numbers. */
export interface PanelSources {
  topology: TopologyService;
  chains: ChainService;
  logs: LogService;
  orders: OrderKpiService;
  metrics: MetricService;
  /** The first configured business key: a panel without `key` uses it. */
  defaultKey: string;
  stageRules: readonly ChainStageRule[];
}

export interface PanelWindow {
  startUs: number;
  endUs: number;
}

const DEFAULT_ROWS = 10;
/** Services whose operations are read for the top error operations, the most erring first. */
const ERROR_OPERATION_SERVICES = 6;
/** Newest matching records grouped into distinct messages. */
const MESSAGE_SAMPLE = 200;
const ERROR_QUERY = 'level:>=error';
/** Longest record body a log stream sends (the screen shows one line of it). */
const LOG_TAIL_CHARS = 500;

type Of<K extends PanelQuery['kind']> = Extract<PanelQuery, { kind: K }>;

/** A panel's data over its window, from roll-ups, chain summaries and log histograms/facets. */
export async function panelData(panel: PanelDefinition, window: PanelWindow, sources: PanelSources): Promise<PanelData> {
  const q = panel.query;
  switch (q.kind) {
    case 'services':
      return services(q, window, sources);
    case 'topology':
      return { kind: 'topology', ...(await sources.topology.topology(window, DEFAULT_RATE_MINUTES)) };
    case 'error-operations':
      return errorOperations(q, window, sources);
    case 'error-bursts':
      return errorBursts(q, window, sources);
    case 'orders':
      return orders(q, window, sources);
    case 'order-stages': {
      const key = q.key ?? sources.defaultKey;
      return { kind: 'order-stages', key, ...stageFunnel(await sources.orders.minutes(key, window), sources.stageRules) };
    }
    case 'slow-orders':
      return slowOrders(q, window, sources);
    case 'log-rate':
      return logRate(q, window, sources);
    case 'log-messages':
      return logMessages(q, window, sources);
    case 'order-latency': {
      const key = q.key ?? sources.defaultKey;
      return { kind: 'order-latency', key, ...latencyHeatmap(orderLatencyCounts(await sources.orders.minutes(key, window)), window) };
    }
    case 'service-latency':
      return { kind: 'service-latency', service: q.service ?? null, ...latencyHeatmap(await sources.topology.latencyMinutes(window, q.service), window) };
    case 'log-tail':
      return logTail(q, window, sources);
    case 'metric': {
      const fn = q.fn === 'auto' ? undefined : q.fn;
      const metric = await sources.metrics.series({ name: q.name, ...window, stepUs: parseStep(q.step), fn, quantile: q.quantile, groupBy: q.groupBy ?? [] });
      return { kind: 'metric', metric };
    }
  }
}

async function services(q: Of<'services'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  const overview = await s.topology.servicesOverview(window, undefined, DEFAULT_RATE_MINUTES);
  const step = overview.stepUs / 1e6;
  const rows = overview.services.slice(0, q.limit ?? DEFAULT_ROWS).map((r) => ({
    service: r.service,
    calls: r.calls,
    ratePerSec: r.ratePerSec,
    errorRate: r.errorRate,
    p50Ms: r.p50Ms,
    p95Ms: r.p95Ms,
    p99Ms: r.p99Ms,
    rateSeries: r.series.map((p) => ({ tUs: p.tUs, value: p.calls / step })),
    errorRateSeries: r.series.map((p) => ({ tUs: p.tUs, value: p.calls ? p.errors / p.calls : null })),
    p95Series: r.series.map((p) => ({ tUs: p.tUs, value: p.p95Ms })),
  }));
  return { kind: 'services', stepUs: overview.stepUs, rows, truncated: overview.truncated || overview.services.length > rows.length };
}

async function errorOperations(q: Of<'error-operations'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  // one step over the whole window: the operations' totals are what is shown
  const step = Math.ceil((window.endUs - window.startUs + 1) / MINUTE_US) * MINUTE_US;
  const { stats: byService } = await s.topology.topologyWithStats('error-operations', window, step, DEFAULT_RATE_MINUTES, (topology) =>
    topology.nodes
      .filter((n) => n.kind === 'service' && n.errorRate > 0)
      .sort((a, b) => b.errorRate * b.calls - a.errorRate * a.calls)
      .slice(0, ERROR_OPERATION_SERVICES)
      .map((n) => n.id),
  );
  const stats = [...byService.values()];
  const rows: ErrorOperationRow[] = stats.flatMap((st) =>
    st.operations.filter((o) => o.errors > 0).map((o) => ({ service: st.service, operation: o.name, calls: o.calls, errors: o.errors, errorRate: o.errorRate, p95Ms: o.p95Ms })),
  );
  rows.sort((a, b) => b.errors - a.errors || b.errorRate - a.errorRate || (a.service + a.operation < b.service + b.operation ? -1 : 1));
  return { kind: 'error-operations', rows: rows.slice(0, q.limit ?? DEFAULT_ROWS) };
}

/**
 * A per-minute log panel's window as the whole minutes it touches, as the span panels' per-minute roll-ups
 * count them: every bucket drawn is a whole minute (the first is not a partial minute looking like a dip,
 * the last holds what the minute being written has so far), and a store with per-minute counts answers
 * from them instead of scanning the records of the partial minutes at the window's ends.
 */
const wholeMinutes = (window: PanelWindow): PanelWindow => ({ startUs: minuteOf(window.startUs), endUs: minuteOf(window.endUs) + MINUTE_US - 1 });

const withQuery = (q: string | undefined, extra?: string) => parseLogQuery([q && `(${q})`, extra].filter(Boolean).join(' AND ') || '*');

async function errorBursts(q: Of<'error-bursts'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  // one store read for every service (not a facet read, then a histogram and a search per service)
  const { bursts } = await s.logs.bursts({ ...wholeMinutes(window), filter: withQuery(q.q, ERROR_QUERY) }, MINUTE_US, { services: q.limit ?? 5, messages: 1 });
  const rows = bursts.map((b) => ({
    service: b.service,
    count: b.count,
    series: b.buckets.map((bucket) => ({ tUs: bucket.tUs, value: bucket.total })),
    // the most frequent message of the service's newest error records (the newest of equals)
    topMessage: b.messages[0]?.body ?? '',
    topMessageCount: b.messages[0]?.count ?? 0,
  }));
  return { kind: 'error-bursts', intervalUs: MINUTE_US, rows };
}

async function orders(q: Of<'orders'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  const key = q.key ?? s.defaultKey;
  const rows = await s.orders.minutes(key, window);
  const rate = rateWindow(window, DEFAULT_RATE_MINUTES);
  const before = { startUs: rate.startUs - (rate.endUs - rate.startUs), endUs: rate.startUs, seconds: rate.seconds };
  const measure = q.measure;
  const [value, previous] = measure === 'latency' ? [null, null] : [orderMeasure(rows, measure, rate), orderMeasure(rows, measure, before)];
  // the roll-up counts every order: nothing is left out
  return { kind: 'orders', key, measure, value, previous, series: orderSeries(rows, window), truncated: false };
}

async function slowOrders(q: Of<'slow-orders'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  const key = q.key ?? s.defaultKey;
  const limit = q.limit ?? DEFAULT_ROWS;
  // ranked from the roll-up's order facts (a bounded read per minute), not from the business-key index of the whole window
  const ranked = await s.orders.slowest(key, window, slowCandidates(limit), q.errorsOnly === true);
  const chains = await s.chains.slowestOf(key, ranked, { limit, errorsOnly: q.errorsOnly, sort: 'duration' });
  return {
    kind: 'slow-orders',
    key,
    rows: chains.map((c) => ({
      value: c.value,
      startUs: c.startUs,
      durationMs: c.durationUs / 1000,
      workingMs: c.workingUs / 1000,
      waitingMs: c.waitingUs / 1000,
      errorCount: c.errorCount,
      traceCount: c.traceCount,
      bottleneck: c.bottleneck ? { kind: c.bottleneck.kind, service: c.bottleneck.service, operation: c.bottleneck.operation, selfUs: c.bottleneck.selfUs } : null,
    })),
  };
}

async function logRate(q: Of<'log-rate'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  const levels: SeverityLevel[] = q.levels ?? ['ERROR', 'WARN'];
  const histogram = await s.logs.histogram({ ...wholeMinutes(window), filter: q.q ? withQuery(q.q) : undefined }, MINUTE_US);
  const series = levels.map((level) => ({
    level,
    points: histogram.buckets.map((b): SeriesPoint => ({ tUs: b.tUs, value: b.counts[level as SeverityGroup] ?? 0 })),
  }));
  return { kind: 'log-rate', intervalUs: histogram.intervalUs, levels, series };
}

async function logMessages(q: Of<'log-messages'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  const found = await s.logs.search({ ...window, filter: q.q ? withQuery(q.q) : undefined, limit: MESSAGE_SAMPLE });
  return { kind: 'log-messages', rows: distinctMessages(found.logs).slice(0, q.limit ?? DEFAULT_ROWS) };
}

/** The newest matching records, newest first; the screen keeps those it has and adds the new ones on top. */
async function logTail(q: Of<'log-tail'>, window: PanelWindow, s: PanelSources): Promise<PanelData> {
  const limit = q.limit ?? LOG_TAIL_DEFAULT_ROWS;
  const found = await s.logs.search({ ...window, filter: q.q ? withQuery(q.q) : undefined, limit });
  return {
    kind: 'log-tail',
    limit,
    rows: found.logs.map((log) => ({
      id: log.id,
      timeUs: log.timeUs,
      service: log.service,
      severity: log.severity,
      severityNumber: log.severityNumber,
      body: cutText(log.body, LOG_TAIL_CHARS),
      traceId: log.traceId || null,
    })),
  };
}

