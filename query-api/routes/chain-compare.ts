import { Router } from 'express';
import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../../core/limits';
import { optionalString, requiredString, type Query } from '../params';
import type { ChainCompareService } from '../services/chain-compare-service';

/** GET /chains/compare?key=&a=&b= — b absent: compared with a typical order of the same journey. */
export function chainCompareRouter(compare: ChainCompareService): Router {
  const router = Router();

  router.get('/chains/compare', async (req, res) => {
    const query = req.query as Query;
    const key = requiredString(query, 'key');
    const a = requiredString(query, 'a', MAX_BUSINESS_KEY_VALUE_LENGTH, 'the order (business key value) to compare');
    const b = optionalString(query, 'b', MAX_BUSINESS_KEY_VALUE_LENGTH);
    res.json(await compare.compare(key, a, b));
  });

  return router;
}
