import type { Incident } from '../core/wire/incidents';
import { stepAlerts, type ActiveInstance, type AlertInstance } from './alert-state';
import { activeInstances, type ConditionSources } from './conditions';
import { trackIncidents } from './incidents';
import { postableAlert, postToAlertmanager, postToWebhook } from './notifiers';
import { alertRuleView, type AlertRule, type AlertRuleView } from './rules';
import { parseAlertState, serializeAlertState } from './state-file';
import type { AlertStateStore } from '../core/contracts/alert-state-store';

export interface AlertEvaluatorOptions {
  rules: AlertRule[];
  sources: ConditionSources;
  intervalMs: number;
  /** Where instances are kept across restarts, and who may evaluate (a file in the all-in-one; ClickHouse for the alerter role). Started by the caller. */
  state: AlertStateStore;
  /** This evaluator's id in the lease (unique per process). */
  holder: string;
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
  /** Whether this evaluator holds the lease (evaluates and notifies) or stands by for another alerter; the alerts are those it last held. */
  leading: boolean;
  intervalMs: number;
  lastEvaluationMs: number | null;
  rules: AlertRuleView[];
  alerts: AlertInstance[];
}

/** A firing alert tells Alertmanager it holds for this many intervals (Prometheus does the same), so it resolves by itself if we vanish. */
const VALID_FOR_INTERVALS = 4;
/** The lease runs this many intervals (a standby takes over after it); shorter than VALID_FOR_INTERVALS, so Alertmanager keeps the alerts meanwhile. */
const LEASE_INTERVALS = 3;
/** The lease's shortest run: the shared store's clock counts whole seconds. */
const MIN_LEASE_MS = 3_000;

/** How long one evaluator's lease runs at an interval. */
export function leaseMs(intervalMs: number): number {
  return Math.max(MIN_LEASE_MS, LEASE_INTERVALS * intervalMs);
}

/**
 * Evaluates every rule each interval (one evaluation at a time), moves the
 * instances through pending → firing → resolved (alert-state.ts), sends every
 * firing alert and each not yet delivered resolution to Alertmanager, and each
 * change once to the webhook; saves the instances in the state store. Only
 * while it holds the store's lease: otherwise it stands by, and when it gets
 * the lease it first reads what the last holder saved.
 */
export class AlertEvaluator {
  private instances: AlertInstance[] = [];
  private incidentList: Incident[] = [];
  private leading = false;
  private readonly errors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private lastEvaluationMs: number | null = null;
  private stopped = false;
  private lastDeliveryError = '';

  constructor(private readonly options: AlertEvaluatorOptions) {}

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
      leading: this.leading,
      intervalMs,
      lastEvaluationMs: this.lastEvaluationMs,
      rules: rules.map((r) => alertRuleView(r, this.errors.get(r.name) ?? null)),
      alerts: this.instances,
    };
  }

  /** GET /api/incidents: one per firing of an alert, newest first (alerting/incidents.ts). */
  incidents(): Incident[] {
    return this.incidentList;
  }

  /** Reads the state saved last (by this evaluator or the alerter that led before); false when the store did not answer. */
  async loadSaved(): Promise<boolean> {
    const saved = await this.attempt('reading the alert state', () => this.options.state.read().then((text) => ({ text })));
    if (!saved) return false;
    ({ instances: this.instances, incidents: this.incidentList } = parseAlertState(saved.text));
    return true;
  }

  /**
   * One evaluation of every rule, then the notifications and the saved state. While another alerter
   * leads, only the state it saved is read (so this one's GET /api/alerts and incidents show it).
   */
  async evaluateOnce(): Promise<void> {
    const { state, holder } = this.options;
    const nowMs = (this.options.now ?? Date.now)();
    const leading = await this.attempt('taking the alert lease', () => state.lead(holder, leaseMs(this.options.intervalMs)));
    if (!leading) {
      this.leading = false;
      await this.loadSaved();
      return;
    }
    // taking over (or starting): continue from what the last holder saved
    if (!this.leading && !(await this.loadSaved())) return;
    this.leading = true;
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
    await this.attempt('saving the alert state', () => state.write(holder, serializeAlertState({ instances: this.instances, incidents: this.incidentList })).then(() => true));
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

  /** Runs a delivery (`to`: Alertmanager or webhook); false when it failed. */
  private async deliver(to: string, send: () => Promise<void>): Promise<boolean> {
    return (await this.attempt(`alerts to ${to}`, () => send().then(() => true))) ?? false;
  }

  /** Runs a step that talks to something outside; a failure gives undefined and is logged once per distinct message (the next evaluation tries again). */
  private async attempt<T>(what: string, step: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await step();
      this.lastDeliveryError = '';
      return result;
    } catch (err) {
      const message = `chainscope: ${what} failed (tried again next evaluation): ${(err as Error)?.message ?? err}`;
      if (message !== this.lastDeliveryError) this.options.log(message);
      this.lastDeliveryError = message;
      return undefined;
    }
  }
}
