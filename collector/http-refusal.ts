import { ChainscopeError, OverloadedError, RateLimitedError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors';
import { BodyIdleTimeoutError } from './otlp-http/read-body';

/** The HTTP answer of the receivers (OTLP/HTTP, Zipkin) to a request they refuse. */
export interface HttpRefusal {
  status: 400 | 408 | 413 | 415 | 429 | 500 | 503;
  /** Seconds, sent as Retry-After (OTLP and Zipkin clients retry 429s and 503s). */
  retryAfter?: number;
  /** The message the sender sees: the error's own for our errors, never an internal one's. */
  message: string;
}

export function httpRefusalFor(err: unknown): HttpRefusal {
  const message = err instanceof ChainscopeError ? err.message : 'internal error';
  if (err instanceof PayloadTooLargeError) return { status: 413, message };
  if (err instanceof BodyIdleTimeoutError) return { status: 408, message };
  if (err instanceof UnsupportedMediaTypeError) return { status: 415, message };
  if (err instanceof ValidationError) return { status: 400, message };
  if (err instanceof RateLimitedError) return { status: 429, retryAfter: err.retryAfterSeconds, message };
  if (err instanceof OverloadedError) return { status: 503, retryAfter: err.retryAfterSeconds, message };
  if (err instanceof ChainscopeError && err.retriable) return { status: 503, retryAfter: 2, message };
  return { status: 500, message };
}
