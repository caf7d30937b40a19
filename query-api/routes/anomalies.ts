import { Router } from 'express';
import { timeWindow, type Query } from '../params';
import type { AnomalyService } from '../services/anomaly-service';

export function anomaliesRouter(anomalies: AnomalyService): Router {
  const router = Router();
  router.get('/anomalies', async (req, res) => {
    res.json(await anomalies.anomalies(timeWindow(req.query as Query)));
  });
  return router;
}
