import { Router } from 'express';
import { pathName, traceIdParam, type Query } from '../params';
import { traceSearchQuery } from '../trace-search-params';
import type { OperationsAnswer, ServicesAnswer, TraceSearchAnswer } from '../../core/wire';
import type { TraceService } from '../services/trace-service';
import { sendJson } from '../http/send-json';

export { DEFAULT_TRACES_LIMIT, MAX_ATTRIBUTE_FILTERS, MAX_DURATION_MS, MAX_TRACES_LIMIT } from '../trace-search-params';

export function tracesRouter(traces: TraceService): Router {
  const router = Router();

  router.get('/services', async (_req, res) => {
    res.json({ services: await traces.services() } satisfies ServicesAnswer);
  });

  router.get('/services/:service/operations', async (req, res) => {
    res.json({ operations: await traces.operations(pathName(req.params.service, 'service')) } satisfies OperationsAnswer);
  });

  router.get('/traces', async (req, res) => {
    const query = traceSearchQuery(req.query as Query, (parameter) => traces.requireAttributeSearch(parameter));
    res.json((await traces.findTraces(query)) satisfies TraceSearchAnswer);
  });

  router.get('/traces/:traceId', async (req, res) => {
    await sendJson(res, await traces.trace(traceIdParam(req.params.traceId)));
  });

  router.get('/traces/:traceId/otlp', async (req, res) => {
    const traceId = traceIdParam(req.params.traceId);
    const request = await traces.otlpJson(traceId);
    res.setHeader('Content-Disposition', `attachment; filename="trace-${traceId}.otlp.json"`);
    await sendJson(res, request);
  });

  return router;
}
