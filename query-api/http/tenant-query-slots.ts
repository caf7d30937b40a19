import type http from 'node:http';
import { RateLimitedError } from '../../core/errors';
import { pathOf, QUERY_PORT_NEEDS, tenantOf } from '../../core/security/access-guard';
import type { TenantQueryLimiter } from '../../core/security/tenant-limits';

/** Live streams (SSE) hold their response for minutes and have their own caps (MAX_DASHBOARD_STREAMS, the tail's): they take no query slot. */
const LIVE_STREAM_PATH = /^\/api\/(logs\/tail|dashboards\/[^/]+\/stream)$/;

/**
 * Wraps the query port's listener (inside the access guard, which has set
 * the tenant): every API, Jaeger API and /metrics request holds one of its
 * tenant's TENANT_QUERY_CONCURRENCY slots until its response is finished or
 * cut; one more is answered 429 + Retry-After at once, naming the limit. The
 * UI's files, the login page and health take no slot.
 */
export function withTenantQuerySlots(handler: http.RequestListener, limiter: TenantQueryLimiter | undefined): http.RequestListener {
  if (!limiter?.enabled) return handler;
  return (req, res) => {
    if (QUERY_PORT_NEEDS(req) === null || LIVE_STREAM_PATH.test(pathOf(req))) return handler(req, res);
    let leave: () => void;
    try {
      leave = limiter.enter(tenantOf(req));
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      const limited = err;
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(limited.retryAfterSeconds) });
      res.end(JSON.stringify({ error: limited.message, limit: limited.limit, tenant: limited.tenant }));
      return;
    }
    res.once('close', leave);
    handler(req, res);
  };
}
