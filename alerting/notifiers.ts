import type { AlertInstance } from './alert-state';
import type { AlertRule } from './rules';

/** One alert as Alertmanager's POST /api/v2/alerts takes it (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Alerts posted per request at most. */
const ALERTS_PER_POST = 500;
const POST_TIMEOUT_MS = 10_000;

/**
 * The alert of an instance: the rule's name and severity, its labels and the
 * instance's (the anomalous series), its annotations and a summary. A firing
 * alert's endsAt lies `validForMs` ahead (a few evaluation intervals), so that
 * Alertmanager resolves it by itself if the evaluator goes away; a resolved
 * one's endsAt is when it resolved.
 */
export function postableAlert(instance: AlertInstance, rule: AlertRule | undefined, nowMs: number, validForMs: number, generatorUrl: string): PostableAlert {
  return {
    labels: { ...(rule?.labels ?? {}), ...instance.labels, alertname: instance.rule, severity: rule?.severity ?? 'warning' },
    annotations: { summary: instance.summary, ...(rule?.annotations ?? {}) },
    startsAt: new Date(instance.firedAtMs ?? instance.activeAtMs).toISOString(),
    endsAt: new Date(instance.status === 'resolved' ? (instance.resolvedAtMs ?? nowMs) : nowMs + validForMs).toISOString(),
    generatorURL: generatorUrl,
  };
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(POST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** Posts alerts to Alertmanager (base URL, ALERTMANAGER_URL) in chunks; throws on the first failure. */
export async function postToAlertmanager(baseUrl: string, alerts: readonly PostableAlert[]): Promise<void> {
  for (let i = 0; i < alerts.length; i += ALERTS_PER_POST) {
    await postJson(`${baseUrl}/api/v2/alerts`, alerts.slice(i, i + ALERTS_PER_POST));
  }
}

/** Posts `{ status, alerts }` to a plain webhook (ALERT_WEBHOOK_URL): once per change (fired or resolved). */
export async function postToWebhook(url: string, status: 'firing' | 'resolved', alerts: readonly PostableAlert[]): Promise<void> {
  for (let i = 0; i < alerts.length; i += ALERTS_PER_POST) {
    await postJson(url, { status, alerts: alerts.slice(i, i + ALERTS_PER_POST) });
  }
}
