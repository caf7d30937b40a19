import type { AlertRule } from './rules';

/**
 * The life of alerts, pure: each evaluation gives the instances whose
 * condition holds now; an instance is pending until it has held for the
 * rule's `for`, then firing until it no longer holds, then resolved (kept a
 * while for GET /api/alerts). Identity of an instance: rule name + its labels.
 */

export interface ActiveInstance {
  /** Labels that tell the rule's instances apart (e.g. the anomalous series); {} for a single-instance rule. */
  labels: Record<string, string>;
  /** The value that made the condition hold, for the annotations. */
  value: number;
  /** Says what held, e.g. "p95 412 ms > 300 ms". */
  summary: string;
}

export type AlertStatus = 'pending' | 'firing' | 'resolved';

export interface AlertInstance {
  key: string;
  rule: string;
  labels: Record<string, string>;
  status: AlertStatus;
  /** When the condition started to hold (ms since the epoch). */
  activeAtMs: number;
  /** When it fired (Alertmanager's startsAt); null while pending. */
  firedAtMs: number | null;
  /** When it resolved (endsAt); null unless resolved. */
  resolvedAtMs: number | null;
  value: number;
  summary: string;
  /** Whether the resolved notice was delivered to Alertmanager (resolved instances are sent until it is). */
  resolvedSent?: boolean;
  /** What the webhook last heard of this instance (firing, then resolved: each delivered once, retried until it is). */
  webhookSent?: 'firing' | 'resolved';
}

/** Resolved instances are listed this long, then forgotten. */
export const RESOLVED_KEPT_MS = 15 * 60_000;

export function instanceKey(rule: string, labels: Record<string, string>): string {
  return JSON.stringify([rule, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

/**
 * One evaluation: `active` per rule name (a rule whose evaluation failed is
 * absent from `active` and keeps its instances as they were, so a store
 * hiccup neither fires nor resolves anything). Returns the next instances;
 * those that fired or resolved in this step are among them with their new status.
 */
export function stepAlerts(
  previous: readonly AlertInstance[],
  rules: readonly AlertRule[],
  active: ReadonlyMap<string, ActiveInstance[]>,
  nowMs: number,
): AlertInstance[] {
  const byKey = new Map(previous.map((i) => [i.key, i]));
  const next: AlertInstance[] = [];
  const ruleNames = new Set(rules.map((r) => r.name));
  for (const rule of rules) {
    const holding = active.get(rule.name);
    const mine = previous.filter((i) => i.rule === rule.name);
    if (!holding) {
      next.push(...mine);
      continue;
    }
    const seen = new Set<string>();
    for (const inst of holding) {
      const key = instanceKey(rule.name, inst.labels);
      seen.add(key);
      const before = byKey.get(key);
      const ongoing = before && before.status !== 'resolved' ? before : undefined;
      const activeAtMs = ongoing?.activeAtMs ?? nowMs;
      const fires = nowMs - activeAtMs >= rule.forMs;
      next.push({
        ...(ongoing?.webhookSent ? { webhookSent: ongoing.webhookSent } : {}),
        key,
        rule: rule.name,
        labels: inst.labels,
        status: fires ? 'firing' : 'pending',
        activeAtMs,
        firedAtMs: fires ? (ongoing?.firedAtMs ?? nowMs) : null,
        resolvedAtMs: null,
        value: inst.value,
        summary: inst.summary,
      });
    }
    for (const old of mine) {
      if (seen.has(old.key)) continue;
      if (old.status === 'firing') next.push({ ...old, status: 'resolved', resolvedAtMs: nowMs, resolvedSent: false });
      else if (old.status === 'resolved' && nowMs - (old.resolvedAtMs ?? nowMs) < RESOLVED_KEPT_MS) next.push(old);
      // pending that stopped holding: forgotten
    }
  }
  // instances of rules no longer in the files: a firing one resolves, a resolved one is listed its while, pending ones are forgotten
  for (const old of previous) {
    if (ruleNames.has(old.rule)) continue;
    if (old.status === 'firing') next.push({ ...old, status: 'resolved', resolvedAtMs: nowMs, resolvedSent: false });
    else if (old.status === 'resolved' && nowMs - (old.resolvedAtMs ?? nowMs) < RESOLVED_KEPT_MS) next.push(old);
  }
  return next;
}
