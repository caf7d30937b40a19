import { Router } from 'express';
import { ValidationError } from '../../core/errors';
import { optionalNumber, type Query } from '../params';
import type { LogContextService } from '../services/log-context-service';

export const DEFAULT_CONTEXT_LINES = 20;
export const MAX_CONTEXT_LINES = 200;
/** Log ids are 32 hex digits today; stores may use other URL-safe ids, never longer than this. */
const LOG_ID = /^[0-9A-Za-z_.:-]{1,128}$/;

function contextSide(query: Query, name: string): number {
  const n = optionalNumber(query, name, 0, MAX_CONTEXT_LINES);
  if (n === undefined) return DEFAULT_CONTEXT_LINES;
  if (!Number.isInteger(n)) throw new ValidationError(`${name} must be a whole number, got ${n}`, name);
  return n;
}

/** GET /logs/:id/context?before=&after= → { anchorId, logs } (oldest first, anchor included). */
export function logContextRouter(service: LogContextService): Router {
  const router = Router();
  router.get('/logs/:id/context', async (req, res) => {
    const query = req.query as Query;
    const id = req.params.id;
    if (!LOG_ID.test(id)) throw new ValidationError('id must be a log record id (letters, digits, _ . : -, at most 128)', 'id');
    const before = contextSide(query, 'before');
    const after = contextSide(query, 'after');
    res.json(await service.context(id, before, after));
  });
  return router;
}
