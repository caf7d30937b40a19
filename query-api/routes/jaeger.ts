import { Router, type ErrorRequestHandler } from 'express';
import { describeError } from '../error-middleware';
import { jaegerAnswer, jaegerError } from '../jaeger/jaeger-format';
import { jaegerDependencyWindow, jaegerTraceSearch } from '../jaeger/jaeger-params';
import type { JaegerService } from '../jaeger/jaeger-service';
import { MAX_SERVICE_NAME_LENGTH, pathName, requiredString, traceIdParam, type Query } from '../params';
import { sendJson } from '../http/send-json';
import { RateLimitedLog } from '../../core/util/rate-limited-log';

/**
 * jaeger-query's HTTP API (what Jaeger UI and Grafana's Jaeger data source
 * call), mounted at /jaeger/api: every answer and every error in Jaeger's
 * envelope `{ data, total, limit, offset, errors }`.
 */
export function jaegerRouter(jaeger: JaegerService, log?: (line: string) => void): Router {
  const router = Router();

  router.get('/services', async (_req, res) => {
    res.json(jaegerAnswer(await jaeger.services()));
  });

  router.get('/services/:service/operations', async (req, res) => {
    res.json(jaegerAnswer(await jaeger.operations(pathName(req.params.service, 'service'))));
  });

  // Chainscope keeps no span kind per operation: spanKind is "" (and a spanKind filter is not applied)
  router.get('/operations', async (req, res) => {
    const service = requiredString(req.query as Query, 'service', MAX_SERVICE_NAME_LENGTH);
    res.json(jaegerAnswer((await jaeger.operations(service)).map((name) => ({ name, spanKind: '' }))));
  });

  router.get('/traces', async (req, res) => {
    const search = jaegerTraceSearch(req.query as Query, Date.now() * 1000, () => jaeger.requireAttributeSearch());
    // as jaeger-query: traces answers carry total 0
    await sendJson(res, jaegerAnswer(await jaeger.findTraces(search), 0));
  });

  router.get('/traces/:traceId', async (req, res) => {
    const raw = req.params.traceId;
    const traceId = traceIdParam(raw.length < 32 ? raw.padStart(32, '0') : raw, 'traceID');
    // jaeger-query answers a trace by id with total 0
    await sendJson(res, jaegerAnswer([await jaeger.trace(traceId)], 0));
  });

  router.get('/dependencies', async (req, res) => {
    res.json(jaegerAnswer(await jaeger.dependencies(jaegerDependencyWindow(req.query as Query, Date.now()))));
  });

  router.use((req, res) => {
    res.status(404).json(jaegerError(404, `no Jaeger API route ${req.method} /jaeger/api${req.path}`));
  });
  const warn = new RateLimitedLog(log);
  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    const { status, message } = describeError(err);
    if (status >= 500) warn.warn(`jaeger:${status}`, `query-api: /jaeger/api ${status}: ${(err as Error)?.stack ?? err}`);
    if (res.headersSent) return void res.end();
    res.status(status).json(jaegerError(status, message));
  };
  router.use(errors);
  return router;
}
