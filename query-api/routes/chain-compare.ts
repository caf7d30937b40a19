import { Router } from 'express';
import { ValidationError } from '../../core/errors';
import { optionalString, type Query } from '../params';
import type { ChainCompareService } from '../services/chain-compare-service';
import { MAX_BUSINESS_KEY_VALUE_LENGTH } from './chains';

/** GET /chains/compare?key=&a=&b= — b absent: compared with a typical order of the same journey. */
export function chainCompareRouter(compare: ChainCompareService): Router {
  const router = Router();

  router.get('/chains/compare', async (req, res) => {
    const query = req.query as Query;
    const key = optionalString(query, 'key');
    if (key === undefined) throw new ValidationError('key is required', 'key');
    const a = optionalString(query, 'a', MAX_BUSINESS_KEY_VALUE_LENGTH);
    if (a === undefined) throw new ValidationError('a is required: the order (business key value) to compare', 'a');
    const b = optionalString(query, 'b', MAX_BUSINESS_KEY_VALUE_LENGTH);
    res.json(await compare.compare(key, a, b));
  });

  return router;
}
