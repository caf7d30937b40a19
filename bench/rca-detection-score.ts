import { accusedService } from '../core/analysis/incident-root-cause';
import type { Anomaly } from '../core/anomaly';
import type { Incident } from '../core/wire/incidents';
import type { FaultKind } from '../demo/faults';
import type { HeardAlert } from './alert-receiver';
import { percentile, round } from './stats';

/** The services an alert's labels name: its series' service, or an edge's source and target. */
export function namedServices(labels: Record<string, string>): string[] {
  return [labels.service, labels.source, labels.target].filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Detection: the alert names the faulted service (its own series, or an edge from or to it: the caller edge). */
export function namesFaultedService(alert: Pick<HeardAlert, 'labels'>, service: string): boolean {
  return namedServices(alert.labels).includes(service);
}

/** Every service that calls `service`, directly or through others (queues included), from the topology's edges. */
export function callersOf(service: string, edges: readonly { source: string; target: string }[]): Set<string> {
  const callers = new Set<string>();
  const todo = [service];
  while (todo.length > 0) {
    const node = todo.pop()!;
    for (const e of edges) {
      if (e.target === node && e.source !== service && !callers.has(e.source)) {
        callers.add(e.source);
        todo.push(e.source);
      }
    }
  }
  return callers;
}

/** One injected fault and what the webhook heard from its start until a minute after its end. */
export interface DetectionTrial {
  faultId: string;
  kind: FaultKind;
  service: string;
  operation: string;
  addedMs: number;
  injectedAtMs: number;
  clearedAtMs: number;
  /** First firing alert naming the faulted service, heard from the fault's start until a minute after its end. */
  detectedAtMs: number | null;
  detectedBy: string | null;
  /** Firing alerts heard in the same time that name other services only. */
  otherAlerts: { atMs: number; alertname: string; services: string[]; upstream: boolean }[];
  /** 1-based place of the faulted service in GET /api/rca?incident= for the detecting alert's incident; null when absent, not detected or not answered. */
  rank: number | null;
  /** That ranking's first service, for the misses. */
  rankedFirst: string | null;
  /** For a miss (rank not 1): the incident's ranked orders and their own first cause (GET /api/incidents/:id), to see why. */
  rankedOrders?: { value: string; startUs: number; durationUs: number; errorCount: number; topCause: string | null }[];
  /** The same place in the stand-in ranking (rankServicesByAnomalies) of the detecting alert's window. */
  anomalyRank: number | null;
}

export interface DetectionRow {
  kind: string;
  faults: number;
  detected: number;
  detectionPercent: number | null;
  ttdMedianS: number | null;
  ttdP90S: number | null;
  ttdMaxS: number | null;
  /** Share of the detected faults whose service GET /api/rca?incident= put first / within the first three; null without answers. */
  top1Percent: number | null;
  top3Percent: number | null;
  /** The same for the stand-in ranking of the anomalies. */
  anomalyTop1Percent: number | null;
  anomalyTop3Percent: number | null;
  /** Alerts naming a caller of the faulted service (the fault's symptoms upstream). */
  upstreamAlerts: number;
  /** Alerts naming neither the faulted service nor one of its callers. */
  unrelatedAlerts: number;
}

/** The first firing alert naming `service` heard in [fromMs, toMs]; null when none. */
export function firstDetection(heard: readonly HeardAlert[], service: string, fromMs: number, toMs: number): HeardAlert | null {
  return heard.find((a) => a.status === 'firing' && a.atMs >= fromMs && a.atMs <= toMs && namesFaultedService(a, service)) ?? null;
}

/** Per fault kind (sorted) and overall ('all'): detection rate, time to detect (s) and the other alerts. */
export function scoreDetection(trials: readonly DetectionTrial[]): DetectionRow[] {
  const row = (kind: string, list: readonly DetectionTrial[]): DetectionRow => {
    const ttd = list.filter((t) => t.detectedAtMs !== null).map((t) => (t.detectedAtMs! - t.injectedAtMs) / 1000);
    const others = list.flatMap((t) => t.otherAlerts);
    const detected = list.filter((t) => t.detectedAtMs !== null);
    const within = (k: number, rank: (t: DetectionTrial) => number | null) =>
      detected.length ? round((detected.filter((t) => (rank(t) ?? Infinity) <= k).length / detected.length) * 100) : null;
    const answered = detected.some((t) => t.rankedFirst !== null);
    return {
      kind,
      faults: list.length,
      detected: ttd.length,
      detectionPercent: list.length ? round((ttd.length / list.length) * 100) : null,
      ttdMedianS: ttd.length ? round(percentile(ttd, 50)) : null,
      ttdP90S: ttd.length ? round(percentile(ttd, 90)) : null,
      ttdMaxS: ttd.length ? round(Math.max(...ttd)) : null,
      top1Percent: answered ? within(1, (t) => t.rank) : null,
      top3Percent: answered ? within(3, (t) => t.rank) : null,
      anomalyTop1Percent: within(1, (t) => t.anomalyRank),
      anomalyTop3Percent: within(3, (t) => t.anomalyRank),
      upstreamAlerts: others.filter((o) => o.upstream).length,
      unrelatedAlerts: others.filter((o) => !o.upstream).length,
    };
  };
  const kinds = [...new Set(trials.map((t) => t.kind))].sort();
  return [...kinds.map((k) => row(k, trials.filter((t) => t.kind === k))), row('all', trials)];
}

/** Alerts per hour over `ms` of observation. */
export function perHour(count: number, ms: number): number | null {
  return ms > 0 ? round((count / ms) * 3_600_000, 2) : null;
}

/**
 * The bench's stand-in ranking for builds without GET /api/rca?incident=: the services the anomalies of
 * the alert's window point at (core/analysis/incident-root-cause.ts accusedService), by their strongest
 * score (no topology rule, no orders, no logs).
 */
export function rankServicesByAnomalies(anomalies: readonly Pick<Anomaly, 'series' | 'score'>[], serviceNodes: ReadonlySet<string>): string[] {
  const best = new Map<string, number>();
  for (const a of anomalies) {
    const service = accusedService(a.series, serviceNodes);
    if (service !== null) best.set(service, Math.max(best.get(service) ?? -Infinity, a.score));
  }
  return [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([service]) => service);
}

/** The incident an alert heard by the webhook opened: same rule, same firing moment, same labels. */
export function incidentOfAlert<T extends Pick<Incident, 'id' | 'rule' | 'labels' | 'startedAtMs'>>(incidents: readonly T[], alert: Pick<HeardAlert, 'labels' | 'startsAt'>): T | null {
  const startedAtMs = Date.parse(alert.startsAt);
  return (
    incidents.find((i) => i.rule === alert.labels.alertname && i.startedAtMs === startedAtMs && Object.entries(i.labels).every(([k, v]) => alert.labels[k] === v)) ?? null
  );
}

/** 1-based place of `service` among a ranking's candidates, each service counted once; null when absent. */
export function placeOf(service: string, candidates: readonly { service: string }[]): number | null {
  const services = [...new Set(candidates.map((c) => c.service))];
  const i = services.indexOf(service);
  return i < 0 ? null : i + 1;
}
