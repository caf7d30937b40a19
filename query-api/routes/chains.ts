import { Router } from 'express';
import { ValidationError } from '../../core/errors';
import { limit, optionalEnum, optionalString, timeWindow, type Query } from '../params';
import { SLOW_CHAIN_SORTS, type ChainService } from '../services/chain-service';

/** Ingest indexes no longer values (ingest/business-keys.ts), so a longer one cannot match. */
export const MAX_BUSINESS_KEY_VALUE_LENGTH = 256;
export const DEFAULT_SLOW_CHAINS_LIMIT = 20;
export const MAX_SLOW_CHAINS_LIMIT = 100;
export const SLOW_CHAIN_ORDERS = ['desc', 'asc'] as const;
const BOOLEANS = ['false', 'true'] as const;

function required(query: Query, name: string): string {
  const value = optionalString(query, name);
  if (value === undefined) throw new ValidationError(`${name} is required`, name);
  return value;
}

export function chainsRouter(chains: ChainService): Router {
  const router = Router();

  router.get('/chains/slow', async (req, res) => {
    const query = req.query as Query;
    const found = await chains.slowest(required(query, 'key'), timeWindow(query), {
      limit: limit(query, 'limit', DEFAULT_SLOW_CHAINS_LIMIT, MAX_SLOW_CHAINS_LIMIT),
      sort: optionalEnum(query, 'sort', SLOW_CHAIN_SORTS, 'duration'),
      order: optionalEnum(query, 'order', SLOW_CHAIN_ORDERS, 'desc'),
      errorsOnly: optionalEnum(query, 'errorsOnly', BOOLEANS, 'false') === 'true',
      excludeIntendedWaits: optionalEnum(query, 'excludeIntendedWaits', BOOLEANS, 'false') === 'true',
    });
    res.json({ chains: found });
  });

  router.get('/chains', async (req, res) => {
    const query = req.query as Query;
    const key = required(query, 'key');
    const value = required(query, 'value');
    if (value.length > MAX_BUSINESS_KEY_VALUE_LENGTH) {
      throw new ValidationError(`value is longer than ${MAX_BUSINESS_KEY_VALUE_LENGTH} characters`, 'value');
    }
    res.json(await chains.chain(key, value, timeWindow(query)));
  });

  return router;
}
