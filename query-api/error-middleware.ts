import type { ErrorRequestHandler } from 'express';
import {
  ChainscopeError,
  NotFoundError,
  OverloadedError,
  RateLimitedError,
  UnsupportedError,
  ValidationError,
} from '../core/errors';
import { LogQuerySyntaxError } from '../core/logql';
import type { ErrorView } from '../core/wire';
import { RateLimitedLog } from '../core/util/rate-limited-log';

/** Maps domain errors to HTTP in one place; every error answer is JSON `{ error, parameter?, position?, expected? }`. */
export function errorMiddleware(log?: (line: string) => void): ErrorRequestHandler {
  const warn = new RateLimitedLog(log);
  return (err, _req, res, _next) => {
    const { status, message } = describeError(err);
    if (status >= 500) warn.warn(`api:${status}`, `query-api: ${status}: ${(err as Error)?.stack ?? err}`);
    if (res.headersSent) return void res.end();
    if (err instanceof OverloadedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    // a query-language error also says where it went wrong and what was expected there, for the query box
    const body: ErrorView = err instanceof LogQuerySyntaxError ? err.toJSON() : { error: message };
    if (err instanceof ValidationError && err.parameter) body.parameter = err.parameter;
    res.status(status).json(body);
  };
}

/** The HTTP status and the message a caller may see for an error (also used by the Jaeger API's own envelope). */
export function describeError(err: unknown): { status: number; message: string } {
  if (err instanceof ValidationError) return { status: 400, message: err.message };
  if (err instanceof NotFoundError) return { status: 404, message: err.message };
  if (err instanceof UnsupportedError) return { status: 501, message: err.message };
  if (err instanceof RateLimitedError) return { status: 429, message: err.message };
  if (err instanceof ChainscopeError && err.retriable) return { status: 503, message: err.message };
  // express' own errors (bad JSON body, URI malformed) carry a 4xx status.
  const status = (err as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: (err as Error).message };
  return { status: 500, message: 'internal error' };
}
