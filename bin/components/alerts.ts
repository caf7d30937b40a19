import path from 'node:path';
import { AlertEvaluator } from '../../alerting/evaluator';
import { loadAlertRules, type AlertRule } from '../../alerting/rules';
import { AnomalyService, type KpiOptions } from '../../query-api/services/anomaly-service';
import type { ComponentFactory } from './component';

interface AlertsSettings {
  rules: AlertRule[];
  /** BUSINESS_KEYS and CHAIN_STAGES: the business KPIs the anomaly and threshold rules can judge. */
  kpis: KpiOptions;
  intervalMs: number;
  stateFile: string;
  alertmanagerUrl: string;
  webhookUrl: string;
}

/**
 * The alert evaluator (all-in-one, when ALERT_RULES_DIR has rules). The rule
 * files are read and validated with the settings, so a bad file stops
 * start-up naming the file and field before anything starts. After the query
 * API, whose URL is every alert's generatorURL and which lists the alerts.
 */
export const alertsFactory: ComponentFactory<AlertsSettings> = {
  name: 'alert evaluator',
  settings(config, role) {
    if (role !== 'all-in-one') return null;
    const rules = loadAlertRules(config.alertRulesDir, config.businessKeys);
    if (rules.length === 0) return null;
    return {
      rules,
      kpis: { keys: config.businessKeys, stages: config.chainStages },
      intervalMs: config.alertEvalIntervalMs,
      stateFile: path.join(config.dataDir, 'alerts', 'state.json'),
      alertmanagerUrl: config.alertmanagerUrl,
      webhookUrl: config.alertWebhookUrl,
    };
  },
  create(settings, context) {
    const evaluator = new AlertEvaluator({
      rules: settings.rules,
      sources: { spans: context.spanStore!, logs: context.logStore!, anomalies: new AnomalyService(context.spanStore!, undefined, undefined, settings.kpis) },
      intervalMs: settings.intervalMs,
      stateFile: settings.stateFile,
      alertmanagerUrl: settings.alertmanagerUrl,
      webhookUrl: settings.webhookUrl,
      generatorUrl: () => `${context.apiUrl}/api/alerts`,
      log: context.log,
    });
    return {
      async start() {
        context.alerts = () => evaluator.view();
        context.incidents = () => evaluator.incidents();
        evaluator.start();
        context.log(`chainscope: alert evaluator running ${settings.rules.length} rule(s) every ${settings.intervalMs / 1000}s${settings.alertmanagerUrl ? `, to Alertmanager ${settings.alertmanagerUrl}` : ''}`);
      },
      shutdown: () => evaluator.shutdown(),
    };
  },
};
