import { Router } from 'express';
import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../../core/limits';
import { requiredString, timeWindow, type Query } from '../params';
import type { RcaService } from '../services/rca-service';

export function rcaRouter(rca: RcaService): Router {
  const router = Router();
  router.get('/rca', async (req, res) => {
    const query = req.query as Query;
    const key = requiredString(query, 'key');
    const value = requiredString(query, 'value', MAX_BUSINESS_KEY_VALUE_LENGTH);
    res.json(await rca.rank(key, value, timeWindow(query)));
  });
  return router;
}
