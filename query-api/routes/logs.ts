import { Router } from 'express';
import { parseTextQuery } from '../../core/text-query';
import { limit, optionalString, spanIdParam, timeWindow, traceIdParam, type Query } from '../params';
import type { LogService } from '../services/log-service';

export const MAX_LOGS_LIMIT = 1000;
export const DEFAULT_LOGS_LIMIT = 100;

export function logsRouter(logs: LogService): Router {
  const router = Router();

  router.get('/logs', async (req, res) => {
    const query = req.query as Query;
    const q = optionalString(query, 'q');
    const traceId = optionalString(query, 'traceId');
    const spanId = optionalString(query, 'spanId');
    res.json(
      await logs.search({
        ...timeWindow(query),
        text: q === undefined ? undefined : parseTextQuery(q),
        service: optionalString(query, 'service'),
        severity: optionalString(query, 'severity'),
        traceId: traceId === undefined ? undefined : traceIdParam(traceId),
        spanId: spanId === undefined ? undefined : spanIdParam(spanId),
        limit: limit(query, 'limit', DEFAULT_LOGS_LIMIT, MAX_LOGS_LIMIT),
      }),
    );
  });

  return router;
}
