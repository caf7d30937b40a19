import { Router } from 'express';
import type { AlertsView } from '../../alerting/evaluator';

/** With no evaluator in this process (no ALERT_RULES_DIR, or a role that runs none). */
const NO_EVALUATOR: AlertsView = { evaluating: false, leading: false, intervalMs: 0, lastEvaluationMs: null, rules: [], alerts: [] };

export function alertsRouter(alerts: (() => AlertsView | undefined) | undefined): Router {
  const router = Router();
  router.get('/alerts', (_req, res) => {
    res.json(alerts?.() ?? NO_EVALUATOR);
  });
  return router;
}
