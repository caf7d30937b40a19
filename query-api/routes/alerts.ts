import { Router } from 'express';
import type { AlertsView } from '../../alerting/evaluator';
import { alertRuleView, type AlertRule } from '../../alerting/rules';

/** With no evaluator in this process (no ALERT_RULES_DIR, or a role that runs none). */
const NO_EVALUATOR: AlertsView = { evaluating: false, leading: false, intervalMs: 0, lastEvaluationMs: null, rules: [], alerts: [] };

/**
 * GET /api/alerts: the evaluator's rules and alerts. GET /api/alerts/rules: the rules alone, those the
 * evaluator runs, else (a query role beside alerters) those of this process's ALERT_RULES_DIR.
 */
export function alertsRouter(alerts: (() => AlertsView | undefined) | undefined, fileRules: readonly AlertRule[] = []): Router {
  const router = Router();
  router.get('/alerts', (_req, res) => {
    res.json(alerts?.() ?? NO_EVALUATOR);
  });
  router.get('/alerts/rules', (_req, res) => {
    const view = alerts?.();
    res.json({ evaluating: view?.evaluating ?? false, rules: view ? view.rules : fileRules.map((r) => alertRuleView(r, null)) });
  });
  return router;
}
