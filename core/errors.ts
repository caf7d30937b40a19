/**
 * Domain errors. Each carries `retriable`: permanent ones go to a dead-letter
 * path and a counter, retriable ones are backed off and tried again. The query
 * API maps them to HTTP status codes in one error middleware.
 */
export class ChainscopeError extends Error {
  readonly retriable: boolean;
  constructor(message: string, retriable = false) {
    super(message);
    this.name = new.target.name;
    this.retriable = retriable;
  }
}

/** Bad input from a caller (HTTP 400). `parameter` names the offending field when there is one. */
export class ValidationError extends ChainscopeError {
  constructor(message: string, readonly parameter?: string) {
    super(message, false);
  }
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends ChainscopeError {}

/** The backend cannot do this at all (HTTP 501); never answered with a silent empty result. */
export class UnsupportedError extends ChainscopeError {}

/** Input larger than a configured limit (HTTP 413). */
export class PayloadTooLargeError extends ChainscopeError {
  constructor(message: string, readonly limitBytes: number) {
    super(message, false);
  }
}

/** Content type we do not accept (HTTP 415). */
export class UnsupportedMediaTypeError extends ChainscopeError {}

/** A bounded queue or pipeline is full; try again later (HTTP 503 + Retry-After). */
export class OverloadedError extends ChainscopeError {
  constructor(message: string, readonly retryAfterSeconds = 1) {
    super(message, true);
  }
}

/**
 * A caller is over one of its own limits (a tenant's ingest rate or query
 * concurrency): HTTP 429 + Retry-After, OTLP/gRPC RESOURCE_EXHAUSTED + RetryInfo.
 * `limit` and `tenant` name what was exceeded and whose.
 */
export class RateLimitedError extends OverloadedError {
  constructor(message: string, readonly limit: string, readonly tenant: string, retryAfterSeconds: number) {
    super(message, retryAfterSeconds);
  }
}

/** A backend (bus, store) is unreachable or failed transiently. */
export class BackendUnavailableError extends ChainscopeError {
  constructor(message: string, readonly cause?: unknown) {
    super(message, true);
  }
}

/**
 * The process cannot start as configured on this machine (e.g. no disk space
 * for what it must keep); the entry point prints one line and exits 2.
 */
export class CannotStartError extends ChainscopeError {}

export function isRetriable(err: unknown): boolean {
  return err instanceof ChainscopeError ? err.retriable : true;
}
