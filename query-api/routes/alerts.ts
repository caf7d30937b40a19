import { Router } from 'express';
import type { AlertsView } from '../../alerting/evaluator';
import { alertRuleView, type AlertRule } from '../../alerting/rules';
import type { AlertState } from '../../alerting/state-file';

/** With no evaluator in this process (no ALERT_RULES_DIR, or a role that runs none). */
const NO_EVALUATOR: AlertsView = { evaluating: false, leading: false, intervalMs: 0, lastEvaluationMs: null, rules: [], alerts: [] };

/**
 * GET /api/alerts: the evaluator's rules and alerts; in a query role beside alerters, the alerts the
 * leading alerter saved last with this process's rule files (not evaluating here). GET /api/alerts/rules:
 * the rules alone, those the evaluator runs, else those of this process's ALERT_RULES_DIR.
 */
export function alertsRouter(
  alerts: (() => AlertsView | undefined) | undefined,
  fileRules: readonly AlertRule[] = [],
  savedAlerts?: () => AlertState | undefined,
): Router {
  const router = Router();
  const fileRuleViews = () => fileRules.map((r) => alertRuleView(r, null));
  router.get('/alerts', (_req, res) => {
    const saved = savedAlerts?.();
    res.json(alerts?.() ?? (saved ? { ...NO_EVALUATOR, rules: fileRuleViews(), alerts: saved.instances } : NO_EVALUATOR));
  });
  router.get('/alerts/rules', (_req, res) => {
    const view = alerts?.();
    res.json({ evaluating: view?.evaluating ?? false, rules: view ? view.rules : fileRuleViews() });
  });
  return router;
}
