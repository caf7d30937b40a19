import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../core/config';
import type { AlertStateStore } from '../../core/contracts/alert-state-store';
import { CannotStartError } from '../../core/errors';
import { AlertEvaluator } from '../../alerting/evaluator';
import { loadAlertRules, type AlertRule } from '../../alerting/rules';
import { FileAlertStateStore } from '../../alerting/state-file';
import { AnomalyService, type KpiOptions } from '../../query-api/services/anomaly-service';
import { clickhouseCredentials, type ClickHouseCredentials } from '../backends';
import type { ComponentFactory } from './component';

interface AlertsSettings {
  rules: AlertRule[];
  /** BUSINESS_KEYS: the business KPIs the anomaly and threshold rules can judge (stages as the store rolled them up). */
  kpis: KpiOptions;
  intervalMs: number;
  /** all-in-one: DATA_DIR/alerts/state.json; alerter: the lease and state tables in ClickHouse. */
  state: { kind: 'file'; file: string } | ({ kind: 'clickhouse' } & ClickHouseCredentials);
  alertmanagerUrl: string;
  webhookUrl: string;
}

/** Every alerter process has an id of its own in the lease (a restarted one is a new holder). */
function holderId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

function stateSettings(config: Config, role: string): AlertsSettings['state'] {
  if (role === 'all-in-one') return { kind: 'file', file: path.join(config.dataDir, 'alerts', 'state.json') };
  if (config.spanStore !== 'clickhouse') {
    throw new CannotStartError('the alerter role keeps its lease and alert state beside the spans in ClickHouse (SPAN_STORE=clickhouse), so that alerters on several hosts share them');
  }
  return { kind: 'clickhouse', ...clickhouseCredentials(config) };
}

function openState(settings: AlertsSettings['state']): AlertStateStore {
  if (settings.kind === 'file') return new FileAlertStateStore(settings.file);
  const { ClickHouseAlertStateStore } = require('../../storage/clickhouse/alert-state-store') as typeof import('../../storage/clickhouse/alert-state-store');
  return new ClickHouseAlertStateStore(settings);
}

/**
 * The alert evaluator: in the all-in-one when ALERT_RULES_DIR has rules, and
 * the whole of the alerter role (which needs rules). The rule files are read
 * and validated with the settings, so a bad file stops start-up naming the
 * file and field before anything starts. After the query API (all-in-one) or
 * the ops server (alerter), whose URL is every alert's generatorURL and which
 * lists the alerts (GET /api/alerts).
 */
export const alertsFactory: ComponentFactory<AlertsSettings> = {
  name: 'alert evaluator',
  settings(config, role) {
    if (role !== 'all-in-one' && role !== 'alerter') return null;
    const rules = loadAlertRules(config.alertRulesDir, config.businessKeys);
    if (rules.length === 0) {
      if (role === 'alerter') throw new CannotStartError(`the alerter role has no rules to evaluate: ALERT_RULES_DIR ${config.alertRulesDir ? `${config.alertRulesDir} holds none` : 'is not set'}`);
      return null;
    }
    return {
      rules,
      kpis: { keys: config.businessKeys },
      intervalMs: config.alertEvalIntervalMs,
      state: stateSettings(config, role),
      alertmanagerUrl: config.alertmanagerUrl,
      webhookUrl: config.alertWebhookUrl,
    };
  },
  create(settings, context) {
    const state = openState(settings.state);
    const holder = holderId();
    const evaluator = new AlertEvaluator({
      rules: settings.rules,
      sources: { spans: context.spanStore!, logs: context.logStore!, anomalies: new AnomalyService(context.spanStore!, undefined, undefined, settings.kpis) },
      intervalMs: settings.intervalMs,
      state,
      holder,
      alertmanagerUrl: settings.alertmanagerUrl,
      webhookUrl: settings.webhookUrl,
      generatorUrl: () => `${context.apiUrl}/api/alerts`,
      log: context.log,
    });
    return {
      async start() {
        await state.start();
        context.alerts = () => evaluator.view();
        context.incidents = () => evaluator.incidents();
        evaluator.start();
        context.log(
          `chainscope: alert evaluator ${holder} running ${settings.rules.length} rule(s) every ${settings.intervalMs / 1000}s${settings.alertmanagerUrl ? `, to Alertmanager ${settings.alertmanagerUrl}` : ''}${settings.state.kind === 'clickhouse' ? ' while it holds the lease in ClickHouse' : ''}`,
        );
      },
      async shutdown() {
        await evaluator.shutdown();
        await state.shutdown(holder);
      },
    };
  },
};
