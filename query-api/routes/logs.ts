import { Router } from 'express';
import type { LogQuery } from '../../core/contracts/log-store';
import { LOGQL_LIMITS, parseLogQuery } from '../../core/logql';
import {
  limit,
  MAX_SERVICE_NAME_LENGTH,
  optionalCursor,
  optionalDurationUs,
  optionalEnum,
  optionalString,
  spanIdParam,
  timeWindow,
  traceIdParam,
  type Query,
} from '../params';
import type { LogService } from '../services/log-service';

export const MAX_LOGS_LIMIT = 1000;
export const DEFAULT_LOGS_LIMIT = 100;
export const DEFAULT_FACETS_LIMIT = 10;
export const MAX_FACETS_LIMIT = 100;

/** `q` (query language) plus the old single-field filters, all ANDed. */
function filterQuery(query: Query): Omit<LogQuery, 'limit'> {
  const q = optionalString(query, 'q', LOGQL_LIMITS.length);
  const traceId = optionalString(query, 'traceId');
  const spanId = optionalString(query, 'spanId');
  return {
    ...timeWindow(query),
    filter: q === undefined ? undefined : parseLogQuery(q),
    service: optionalString(query, 'service', MAX_SERVICE_NAME_LENGTH),
    severity: optionalString(query, 'severity'),
    traceId: traceId === undefined ? undefined : traceIdParam(traceId),
    spanId: spanId === undefined ? undefined : spanIdParam(spanId),
  };
}

export function logsRouter(logs: LogService): Router {
  const router = Router();

  router.get('/logs', async (req, res) => {
    const query = req.query as Query;
    res.json(
      await logs.search({
        ...filterQuery(query),
        limit: limit(query, 'limit', DEFAULT_LOGS_LIMIT, MAX_LOGS_LIMIT),
        sort: optionalEnum(query, 'sort', ['time_desc', 'time_asc'] as const, 'time_desc'),
        cursor: optionalCursor(query),
      }),
    );
  });

  router.get('/logs/histogram', async (req, res) => {
    const query = req.query as Query;
    res.json(await logs.histogram(filterQuery(query), optionalDurationUs(query, 'interval')));
  });

  router.get('/logs/facets', async (req, res) => {
    const query = req.query as Query;
    res.json(await logs.facets(filterQuery(query), optionalString(query, 'field') ?? '', limit(query, 'limit', DEFAULT_FACETS_LIMIT, MAX_FACETS_LIMIT)));
  });

  return router;
}
