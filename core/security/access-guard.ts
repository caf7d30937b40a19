import type http from 'node:http';
import { seriesName, type Counters } from '../metrics';
import type { Authenticator, Principal } from './authenticator';
import { NO_BROWSER_ACCESS, refuseForeignBrowser, type BrowserPolicy } from './browser-guard';
import type { AccessRole } from './roles';
import type { TenantLimiters } from './tenant-limits';
import { DEFAULT_TENANT } from './tenants';

/** Everything one server checks before its routes: browsers (Host, Origin, headers) and, with AUTH=tokens, credentials. */
export interface Access {
  browser: BrowserPolicy;
  /** Absent: AUTH=none, nobody is asked for a credential. */
  authenticator?: Authenticator;
  /** Where refusals are counted (ACCESS_REFUSED_COUNTER, by reason). */
  counters?: Counters;
  /** Per-tenant ingest rate and query concurrency (TENANT_*); absent: none. */
  limits?: TenantLimiters;
}

/** Requests refused before any route, by reason: host, origin, unauthenticated, forbidden. */
export const ACCESS_REFUSED_COUNTER = 'chainscope_access_refused_total';

/** What a request to a port needs: a role, or null for what anyone may reach (health, the login page). */
export type RoleNeeded = (req: http.IncomingMessage) => AccessRole | null;

/** No browser from elsewhere, no credential: what a server uses when its owner gave no policy. */
export const DEFAULT_ACCESS: Access = { browser: NO_BROWSER_ACCESS };

const principals = new WeakMap<http.IncomingMessage, Principal>();

/** The verified credential of a request that passed the guard with AUTH=tokens. */
export function principalOf(req: http.IncomingMessage): Principal | undefined {
  return principals.get(req);
}

/** The tenant a request writes and reads: its verified credential's, DEFAULT_TENANT with AUTH=none (never a client header). */
export function tenantOf(req: http.IncomingMessage): string {
  return principals.get(req)?.tenant ?? DEFAULT_TENANT;
}

/** Who made a request, as the audit log names it: `token:<id>` of its verified credential, `anonymous` with AUTH=none. */
export function actorOf(req: http.IncomingMessage): string {
  const principal = principals.get(req);
  return principal ? `token:${principal.tokenId}` : 'anonymous';
}

/**
 * Wraps a server's request listener: every request of that port passes the
 * checks first, whatever route it is for (routes added later included).
 */
export function guarded(handler: http.RequestListener, access: Access = DEFAULT_ACCESS, needed: RoleNeeded = () => 'read'): http.RequestListener {
  return (req, res) => {
    const browser = refuseForeignBrowser(req, res, access.browser);
    if (browser === 'preflight') return;
    if (browser !== null) return void access.counters?.add(seriesName(ACCESS_REFUSED_COUNTER, { reason: browser }));
    const role = access.authenticator ? needed(req) : null;
    if (role === null || !access.authenticator) return handler(req, res);
    // a JWT may wait for its identity provider's keys; the request body stays paused until the handler reads it
    access.authenticator.check(req, role).then(
      (verdict) => {
        if (!verdict.ok) return refuse(res, access, verdict);
        if (verdict.principal.tenant !== DEFAULT_TENANT && pathOf(req) === '/metrics') {
          // the process's counters name every tenant's services (span metrics): the default tenant's (the operator's) only
          return refuse(res, access, { status: 403, message: `/metrics counts every tenant's telemetry: a credential of tenant ${DEFAULT_TENANT} reads it, not one of tenant ${verdict.principal.tenant}` });
        }
        principals.set(req, verdict.principal);
        handler(req, res);
      },
      () => refuse(res, access, { status: 503, message: 'the credential could not be checked; try again' }),
    );
  };
}

function refuse(res: http.ServerResponse, access: Access, verdict: { status: 401 | 403 | 503; message: string }): void {
  access.counters?.add(seriesName(ACCESS_REFUSED_COUNTER, { reason: verdict.status === 403 ? 'forbidden' : 'unauthenticated' }));
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Connection: 'close' };
  if (verdict.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="chainscope"';
  if (verdict.status === 503) headers['Retry-After'] = '5';
  if (!res.headersSent && !res.destroyed) res.writeHead(verdict.status, headers).end(JSON.stringify({ error: verdict.message }));
}

/** Receivers: every request writes telemetry. */
export const INGEST_ONLY: RoleNeeded = () => 'ingest';

/** Health is open (probes), /metrics and everything else need `read`. */
export const OPS_NEEDS: RoleNeeded = (req) => (isHealthPath(pathOf(req)) ? null : 'read');

/**
 * The query port: the UI's files, the login page and exchange, and health are
 * open; the admin API needs `admin`; every other API, SSE stream, the Jaeger
 * API and /metrics need `read`. Unknown paths count as API, not as open.
 */
export const QUERY_PORT_NEEDS: RoleNeeded = (req) => {
  const path = pathOf(req);
  if (isHealthPath(path) || path === '/api/session' || path === '/login' || path === '/login.js') return null;
  if (path === '/api/admin' || path.startsWith('/api/admin/')) return 'admin';
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/jaeger/') || path === '/metrics') return 'read';
  return null;
};

function isHealthPath(path: string): boolean {
  return path === '/health' || path === '/api/health';
}

/** The path as the router will see it: decoded dot segments and doubled slashes cannot slip past a prefix check. */
export function pathOf(req: http.IncomingMessage): string {
  const raw = (req.url ?? '/').split('?')[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return raw;
  }
  return new URL(decoded.replace(/\/{2,}/g, '/'), 'http://x').pathname.toLowerCase();
}
