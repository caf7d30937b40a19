import { Router } from 'express';
import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../../core/limits';
import { limit, optionalEnum, requiredString, timeWindow, type Query } from '../params';
import type { SlowChainsAnswer } from '../../core/wire';
import { SLOW_CHAIN_SORTS, type ChainService } from '../services/chain-service';
import { sendJson } from '../http/send-json';

export const DEFAULT_SLOW_CHAINS_LIMIT = 20;
export const MAX_SLOW_CHAINS_LIMIT = 100;
export const SLOW_CHAIN_ORDERS = ['desc', 'asc'] as const;
const BOOLEANS = ['false', 'true'] as const;

export function chainsRouter(chains: ChainService): Router {
  const router = Router();

  router.get('/chains/slow', async (req, res) => {
    const query = req.query as Query;
    const found = await chains.slowest(requiredString(query, 'key'), timeWindow(query), {
      limit: limit(query, 'limit', DEFAULT_SLOW_CHAINS_LIMIT, MAX_SLOW_CHAINS_LIMIT),
      sort: optionalEnum(query, 'sort', SLOW_CHAIN_SORTS, 'duration'),
      order: optionalEnum(query, 'order', SLOW_CHAIN_ORDERS, 'desc'),
      errorsOnly: optionalEnum(query, 'errorsOnly', BOOLEANS, 'false') === 'true',
      excludeIntendedWaits: optionalEnum(query, 'excludeIntendedWaits', BOOLEANS, 'false') === 'true',
    });
    res.json({ chains: found } satisfies SlowChainsAnswer);
  });

  router.get('/chains', async (req, res) => {
    const query = req.query as Query;
    const key = requiredString(query, 'key');
    const value = requiredString(query, 'value', MAX_BUSINESS_KEY_VALUE_LENGTH);
    await sendJson(res, await chains.chain(key, value, timeWindow(query)));
  });

  return router;
}
