import type { Incident } from '../core/wire/incidents';
import { stepAlerts, type ActiveInstance, type AlertInstance } from './alert-state';
import { activeInstances, type ConditionSources } from './conditions';
import { trackIncidents } from './incidents';
import { postableAlert, postToAlertmanager, postToWebhook } from './notifiers';
import type { AlertRule } from './rules';
import { readAlertState, writeAlertState } from './state-file';

export interface AlertEvaluatorOptions {
  rules: AlertRule[];
  sources: ConditionSources;
  intervalMs: number;
  /** Where instances are kept across restarts (DATA_DIR/alerts/state.json). */
  stateFile: string;
  /** ALERTMANAGER_URL; '' = none. */
  alertmanagerUrl: string;
  /** ALERT_WEBHOOK_URL; '' = none. */
  webhookUrl: string;
  /** Link in every alert (generatorURL): the API's alert list. */
  generatorUrl: () => string;
  log: (line: string) => void;
  now?: () => number;
}

/** GET /api/alerts */
export interface AlertsView {
  evaluating: boolean;
  intervalMs: number;
  lastEvaluationMs: number | null;
  rules: { name: string; severity: string; forMs: number; windowMs: number; labels: Record<string, string>; annotations: Record<string, string>; condition: AlertRule['condition']; file: string; lastError: string | null }[];
  alerts: AlertInstance[];
}

/** A firing alert tells Alertmanager it holds for this many intervals (Prometheus does the same), so it resolves by itself if we vanish. */
const VALID_FOR_INTERVALS = 4;

/**
 * Evaluates every rule each interval (one evaluation at a time), moves the
 * instances through pending → firing → resolved (alert-state.ts), sends every
 * firing alert and each not yet delivered resolution to Alertmanager, and each
 * change once to the webhook; keeps the instances in the state file.
 */
export class AlertEvaluator {
  private instances: AlertInstance[];
  private incidentList: Incident[];
  private readonly errors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private lastEvaluationMs: number | null = null;
  private stopped = false;
  private lastDeliveryError = '';

  constructor(private readonly options: AlertEvaluatorOptions) {
    const state = readAlertState(options.stateFile);
    this.instances = state.instances;
    this.incidentList = state.incidents;
  }

  start(): void {
    const tick = () => {
      if (this.stopped || this.running) return;
      this.running = this.evaluateOnce().finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
    tick();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  view(): AlertsView {
    const { rules, intervalMs } = this.options;
    return {
      evaluating: !this.stopped && this.timer !== undefined,
      intervalMs,
      lastEvaluationMs: this.lastEvaluationMs,
      rules: rules.map((r) => ({
        name: r.name,
        severity: r.severity,
        forMs: r.forMs,
        windowMs: r.windowMs,
        labels: r.labels,
        annotations: r.annotations,
        condition: r.condition,
        file: r.file,
        lastError: this.errors.get(r.name) ?? null,
      })),
      alerts: this.instances,
    };
  }

  /** GET /api/incidents: one per firing of an alert, newest first (alerting/incidents.ts). */
  incidents(): Incident[] {
    return this.incidentList;
  }

  /** One evaluation of every rule, then the notifications and the state file. */
  async evaluateOnce(): Promise<void> {
    const nowMs = (this.options.now ?? Date.now)();
    const active = new Map<string, ActiveInstance[]>();
    for (const rule of this.options.rules) {
      try {
        active.set(rule.name, await activeInstances(rule, this.options.sources, nowMs));
        this.errors.delete(rule.name);
      } catch (err) {
        this.errors.set(rule.name, (err as Error)?.message ?? String(err));
      }
    }
    this.instances = stepAlerts(this.instances, this.options.rules, active, nowMs);
    this.incidentList = trackIncidents(this.incidentList, this.instances, this.options.rules, nowMs);
    this.lastEvaluationMs = nowMs;
    await this.notify(nowMs);
    writeAlertState(this.options.stateFile, { instances: this.instances, incidents: this.incidentList });
  }

  private async notify(nowMs: number): Promise<void> {
    const { alertmanagerUrl, webhookUrl, intervalMs } = this.options;
    const rules = new Map(this.options.rules.map((r) => [r.name, r]));
    const toAlert = (i: AlertInstance) => postableAlert(i, rules.get(i.rule), nowMs, VALID_FOR_INTERVALS * intervalMs, this.options.generatorUrl());
    const firing = this.instances.filter((i) => i.status === 'firing');
    const unsentResolved = this.instances.filter((i) => i.status === 'resolved' && !i.resolvedSent);
    if (alertmanagerUrl && (firing.length || unsentResolved.length)) {
      const ok = await this.deliver('Alertmanager', () => postToAlertmanager(alertmanagerUrl, [...firing, ...unsentResolved].map(toAlert)));
      if (ok) for (const i of unsentResolved) i.resolvedSent = true;
    } else if (!alertmanagerUrl) {
      for (const i of unsentResolved) i.resolvedSent = true;
    }
    if (webhookUrl) {
      // each change once, retried at the next evaluation until delivered; a resolution only of what the webhook heard fire
      const unheardFiring = firing.filter((i) => i.webhookSent !== 'firing');
      const unheardResolved = this.instances.filter((i) => i.status === 'resolved' && i.webhookSent === 'firing');
      for (const [status, list] of [['firing', unheardFiring], ['resolved', unheardResolved]] as const) {
        if (list.length === 0) continue;
        if (await this.deliver('webhook', () => postToWebhook(webhookUrl, status, list.map(toAlert)))) for (const i of list) i.webhookSent = status;
      }
    }
  }

  /** Runs a delivery; a failure is logged once per distinct message (the next evaluation sends again). */
  private async deliver(what: string, send: () => Promise<void>): Promise<boolean> {
    try {
      await send();
      this.lastDeliveryError = '';
      return true;
    } catch (err) {
      const message = `chainscope: alerts to ${what} failed (sent again next evaluation): ${(err as Error)?.message ?? err}`;
      if (message !== this.lastDeliveryError) this.options.log(message);
      this.lastDeliveryError = message;
      return false;
    }
  }
}
