import { Router } from 'express';
import { ValidationError } from '../../core/errors';
import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../../core/limits';
import { optionalString, requiredString, timeWindow, type Query } from '../params';
import type { IncidentService } from '../services/incident-service';
import type { RcaService } from '../services/rca-service';

/** GET /api/rca: one business chain (`key` + `value`) or one incident (`incident`). */
export function rcaRouter(rca: RcaService, incidents: IncidentService): Router {
  const router = Router();
  router.get('/rca', async (req, res) => {
    const query = req.query as Query;
    const incident = optionalString(query, 'incident');
    if (incident !== undefined) {
      if (query.key !== undefined || query.value !== undefined) throw new ValidationError('incident cannot be combined with key and value: give one or the other', 'incident');
      res.json(await incidents.rca(incident));
      return;
    }
    const key = requiredString(query, 'key', undefined, 'the business key of the chain to rank (or give incident)');
    const value = requiredString(query, 'value', MAX_BUSINESS_KEY_VALUE_LENGTH);
    res.json(await rca.rank(key, value, timeWindow(query)));
  });
  return router;
}
