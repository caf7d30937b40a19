import { Router } from 'express';
import type { AttributeFilter } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import { limit, MAX_DURATION_US, MAX_SERVICE_NAME_LENGTH, optionalNumber, optionalString, pathName, stringList, timeWindow, traceIdParam, type Query } from '../params';
import type { OperationsAnswer, ServicesAnswer, TraceSearchAnswer } from '../../core/wire';
import type { TraceService } from '../services/trace-service';
import { sendJson } from '../http/send-json';

export const MAX_TRACES_LIMIT = 1000;
export const DEFAULT_TRACES_LIMIT = 20;
export const MAX_ATTRIBUTE_FILTERS = 16;
/** minDurationMs / maxDurationMs: 0 up to the longest duration any parameter may give. */
export const MAX_DURATION_MS = MAX_DURATION_US / 1000;

export function tracesRouter(traces: TraceService): Router {
  const router = Router();

  router.get('/services', async (_req, res) => {
    res.json({ services: await traces.services() } satisfies ServicesAnswer);
  });

  router.get('/services/:service/operations', async (req, res) => {
    res.json({ operations: await traces.operations(pathName(req.params.service, 'service')) } satisfies OperationsAnswer);
  });

  router.get('/traces', async (req, res) => {
    const query = req.query as Query;
    const minDurationMs = optionalNumber(query, 'minDurationMs', 0, MAX_DURATION_MS);
    const maxDurationMs = optionalNumber(query, 'maxDurationMs', 0, MAX_DURATION_MS);
    if (minDurationMs !== undefined && maxDurationMs !== undefined && minDurationMs > maxDurationMs) {
      throw new ValidationError('minDurationMs must not exceed maxDurationMs', 'minDurationMs');
    }
    const found = await traces.findTraces({
      ...timeWindow(query),
      service: optionalString(query, 'service', MAX_SERVICE_NAME_LENGTH),
      operation: optionalString(query, 'operation'),
      attributes: attributeFilters(query, traces),
      minDurationUs: minDurationMs === undefined ? undefined : Math.round(minDurationMs * 1000),
      maxDurationUs: maxDurationMs === undefined ? undefined : Math.round(maxDurationMs * 1000),
      limit: limit(query, 'limit', DEFAULT_TRACES_LIMIT, MAX_TRACES_LIMIT),
    });
    res.json({ traces: found } satisfies TraceSearchAnswer);
  });

  router.get('/traces/:traceId', async (req, res) => {
    await sendJson(res, await traces.trace(traceIdParam(req.params.traceId)));
  });

  return router;
}

/** `attr=key:value` (repeated) and Jaeger's `tags={"key":"value"}` together: all must match, at most MAX_ATTRIBUTE_FILTERS. */
function attributeFilters(query: Query, traces: TraceService): AttributeFilter[] {
  const attr = stringList(query, 'attr', MAX_ATTRIBUTE_FILTERS);
  const tags = stringList(query, 'tags', MAX_ATTRIBUTE_FILTERS);
  if (attr.length > 0) traces.requireAttributeSearch('attr');
  if (tags.length > 0) traces.requireAttributeSearch('tags');
  const filters = attr.map(attributeFilter);
  for (const raw of tags) filters.push(...tagFilters(raw));
  if (filters.length > MAX_ATTRIBUTE_FILTERS) {
    throw new ValidationError(`attr and tags may hold at most ${MAX_ATTRIBUTE_FILTERS} filters together (got ${filters.length})`, 'tags');
  }
  return filters;
}

/**
 * A JSON object of key to value, as Jaeger's API takes `tags`. Values are compared as text: a
 * number or boolean value is the same filter as its string (`{"http.status_code":503}` = `"503"`).
 */
function tagFilters(raw: string): AttributeFilter[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError('tags must be a JSON object like {"order.id":"ORD-1"}', 'tags');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('tags must be a JSON object like {"order.id":"ORD-1"}', 'tags');
  }
  return Object.entries(parsed).map(([key, value]) => {
    if (key === '') throw new ValidationError('tags must not have an empty key', 'tags');
    if (typeof value === 'string') return { key, value };
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return { key, value: String(value) };
    throw new ValidationError(`tags value of "${key}" must be a string, number or boolean`, 'tags');
  });
}

/** `key:value`; the key is everything before the first colon. */
function attributeFilter(raw: string): AttributeFilter {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new ValidationError(`attr must look like key:value, got "${raw}"`, 'attr');
  return { key: raw.slice(0, colon), value: raw.slice(colon + 1) };
}
