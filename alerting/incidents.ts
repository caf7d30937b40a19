import { createHash } from 'node:crypto';
import type { SeriesMetric, SeriesRef } from '../core/anomaly';
import type { Incident } from '../core/wire/incidents';
import type { AlertInstance } from './alert-state';
import { conditionWindow, seriesOfLabels, thresholdSeries } from './conditions';
import type { AlertRule } from './rules';

/**
 * Incidents, pure: every time an alert instance fires it opens one incident,
 * which resolves when the instance does (or disappears). An incident's id is
 * derived from the instance's identity and the moment it fired, so a restart
 * of the evaluator (which re-reads the instances with their firedAtMs) finds
 * the same id, and a notification can carry the incident's URL before the
 * incident list is written.
 */

/** Incidents kept: the newest; the oldest resolved ones are forgotten first. */
export const MAX_INCIDENTS = 500;

export function incidentId(instanceKey: string, firedAtMs: number): string {
  return createHash('sha256').update(`${instanceKey}\u0000${firedAtMs}`).digest('hex').slice(0, 16);
}

/** The id of the incident a firing or resolved instance belongs to; null while pending. */
export function incidentIdOf(instance: AlertInstance): string | null {
  return instance.firedAtMs === null ? null : incidentId(instance.key, instance.firedAtMs);
}

/** The series an instance watches: a threshold rule's condition, or an anomaly rule's instance labels; none for a log-rate rule. */
export function watchedSeries(instance: AlertInstance, rule: AlertRule | undefined): { series: SeriesRef | null; metric: SeriesMetric | null } {
  const c = rule?.condition;
  if (c?.kind === 'log_rate') return { series: null, metric: null };
  if (c?.kind === 'threshold') return { series: thresholdSeries(c), metric: c.metric };
  return { series: seriesOfLabels(instance.labels), metric: (instance.labels.metric as SeriesMetric | undefined) ?? null };
}

/**
 * The next incident list after an evaluation: a new incident per instance
 * that fired and has none yet; an open incident whose instance resolved (or
 * was forgotten) is resolved. Newest first, at most MAX_INCIDENTS.
 */
export function trackIncidents(previous: readonly Incident[], instances: readonly AlertInstance[], rules: readonly AlertRule[], nowMs: number): Incident[] {
  const byId = new Map(previous.map((i) => [i.id, { ...i }]));
  const ruleByName = new Map(rules.map((r) => [r.name, r]));
  const live = new Set<string>();
  for (const inst of instances) {
    const id = incidentIdOf(inst);
    if (id === null) continue;
    live.add(id);
    const known = byId.get(id);
    if (known) {
      if (inst.status === 'resolved' && known.status === 'firing') Object.assign(known, { status: 'resolved', resolvedAtMs: inst.resolvedAtMs ?? nowMs });
      if (inst.status === 'firing') Object.assign(known, { value: inst.value, summary: inst.summary });
      continue;
    }
    const rule = ruleByName.get(inst.rule);
    const detection = rule ? conditionWindow(rule, inst.firedAtMs!) : { startUs: (inst.activeAtMs - 5 * 60_000) * 1000, endUs: inst.firedAtMs! * 1000 };
    byId.set(id, {
      id,
      rule: inst.rule,
      severity: rule?.severity ?? 'warning',
      labels: inst.labels,
      ...watchedSeries(inst, rule),
      threshold: rule?.condition.kind === 'threshold' ? { op: rule.condition.op, value: rule.condition.value } : null,
      status: inst.status === 'resolved' ? 'resolved' : 'firing',
      startedAtMs: inst.firedAtMs!,
      activeAtMs: inst.activeAtMs,
      resolvedAtMs: inst.status === 'resolved' ? (inst.resolvedAtMs ?? nowMs) : null,
      detectionStartUs: detection.startUs,
      detectionEndUs: detection.endUs,
      value: inst.value,
      summary: inst.summary,
    });
  }
  for (const incident of byId.values()) {
    if (incident.status === 'firing' && !live.has(incident.id)) Object.assign(incident, { status: 'resolved', resolvedAtMs: nowMs });
  }
  const sorted = [...byId.values()].sort((a, b) => b.startedAtMs - a.startedAtMs || (a.id < b.id ? -1 : 1));
  if (sorted.length <= MAX_INCIDENTS) return sorted;
  // drop the oldest resolved ones first; open incidents stay while they are open
  const open = sorted.filter((i) => i.status === 'firing');
  const keepResolved = Math.max(0, MAX_INCIDENTS - open.length);
  const resolved = sorted.filter((i) => i.status === 'resolved').slice(0, keepResolved);
  return [...open, ...resolved].sort((a, b) => b.startedAtMs - a.startedAtMs || (a.id < b.id ? -1 : 1));
}
