import type http from 'node:http';
import net from 'node:net';

/** Which browsers' requests a server answers: the Host names it is known by and the web origins allowed to call it. */
export interface BrowserPolicy {
  /** Host names besides loopback names and IP addresses (lower case); `*` = any. */
  allowedHosts: readonly string[];
  /** Origins (scheme://host[:port]) whose pages may call this server (CORS). */
  corsAllowedOrigins: readonly string[];
}

export const NO_BROWSER_ACCESS: BrowserPolicy = { allowedHosts: [], corsAllowedOrigins: [] };

/**
 * Headers a scanner expects on every answer. The API's own CSP forbids
 * everything; the UI's static files set their own (strict, no inline script)
 * over it, with frame-ancestors 'none' too.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** The UI's CSP: its own scripts and styles only, never framed. */
export const UI_CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const CORS_ALLOWED_HEADERS = 'Content-Type, Content-Encoding, Authorization, X-CSRF-Token';

/**
 * Checks one request against the policy before any route sees it, and
 * answers it when refused: 'host' or 'origin' (refused), 'preflight' (a listed origin's preflight, answered), null (go on).
 * - Host: a DNS-rebinding page reaches us under its own name; loopback
 *   names and IP literals cannot be rebound, other names must be listed (421).
 * - Origin: a browser sends it on cross-origin writes; an origin that is
 *   neither this server nor listed is refused (403), so a page on another
 *   site can neither post telemetry nor call the API. Listed origins get
 *   CORS headers and their preflights are answered here.
 */
export function refuseForeignBrowser(req: http.IncomingMessage, res: http.ServerResponse, policy: BrowserPolicy): 'host' | 'origin' | 'preflight' | null {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const host = req.headers.host;
  if (host !== undefined && !hostAllowed(hostName(host), policy.allowedHosts)) {
    refuse(res, 421, `Host "${host.slice(0, 200)}" is not a name of this server: add it to ALLOWED_HOSTS if it is (requests under other names are refused against DNS rebinding)`);
    return 'host';
  }
  const origin = req.headers.origin;
  if (origin === undefined || isSameOrigin(origin, host)) return null;
  if (!policy.corsAllowedOrigins.includes(origin)) {
    refuse(res, 403, `cross-origin request from ${origin.slice(0, 200)} refused: add it to CORS_ALLOWED_ORIGINS to let its pages call this server`);
    return 'origin';
  }
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Credentials', 'false');
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
    }).end();
    return 'preflight';
  }
  return null;
}

/** The name part of a Host header (no port; IPv6 without brackets), lower case. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

function hostAllowed(name: string, allowed: readonly string[]): boolean {
  if (net.isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.includes('*') || allowed.some((a) => a.toLowerCase() === name);
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' }).end(JSON.stringify({ error: message }));
}
