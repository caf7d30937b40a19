import { ACCESS_ROLES } from '../../core/security/roles';
import { SESSION_COOKIE } from '../../core/security/sessions';
import { TENANT_NAME_PATTERN } from '../../core/security/tenants';
import { MAX_TOKEN_NAME_CHARS } from '../../core/security/token-store';
import { pathParam, type Schema } from './parameters';
import { ref } from './schemas';

/**
 * The paths that exist only with AUTH=tokens (query-api/routes/access.ts):
 * the UI log-in exchange and the admin API for tokens, with their request
 * bodies and every answer they give; and the security schemes every other
 * operation then needs (docs/security.md).
 */
const json = (schema: Schema) => ({ 'application/json': { schema } });
const answer = (description: string, schema: Schema = ref('Error')) => ({ description, content: json(schema) });
const jsonBody = (schema: Schema) => ({ required: true, content: json(schema) });

/** The guard in front of every route that needs a credential: none or a bad one, or a role that may not. */
export const GUARD_REFUSALS = {
  401: answer('No credential, or one that is unknown, revoked, expired or otherwise refused (the reason said); WWW-Authenticate: Bearer'),
  403: answer('The credential\'s role may not do this (the role needed named), or a cookie call without its X-CSRF-Token'),
};
// Node's HTTP server answers this itself, before any route, for a request line plus headers over 16 KiB
const HEADERS_TOO_LARGE = { 431: { description: 'Request line or headers too large' } };

const role = { type: 'string', enum: [...ACCESS_ROLES] };
const tenant = { type: 'string', pattern: TENANT_NAME_PATTERN.source };

export const ACCESS_SCHEMAS: Record<string, Schema> = {
  TokenView: {
    type: 'object',
    required: ['id', 'name', 'role', 'tenant', 'createdAt'],
    properties: { id: { type: 'string' }, name: { type: 'string' }, role, tenant, createdAt: { type: 'string', format: 'date-time' }, revokedAt: { type: 'string', format: 'date-time' } },
  },
  CreatedToken: {
    allOf: [ref('TokenView'), { type: 'object', required: ['token'], properties: { token: { type: 'string', pattern: '^cs_[A-Za-z0-9_-]{43}$' }, by: { type: 'string' } } }],
  },
  Session: { type: 'object', required: ['role', 'tenant', 'csrfToken'], properties: { role, tenant, csrfToken: { type: 'string' } } },
  WhoAmI: { type: 'object', required: ['auth'], properties: { auth: { type: 'string', enum: ['tokens'] }, role, name: { type: 'string' }, tenant, error: { type: 'string' } } },
};

/** Bearer API token or JWT, or the UI's session cookie. */
export const ACCESS_SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'An API token (cs_…, chainscope tokens create) or, with JWT_ISSUER, a JWT of the identity provider' },
  session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The UI session from POST /api/session; state-changing calls also send X-CSRF-Token' },
};

/** Every operation needs one of the two, unless it says `security: []`. */
export const ACCESS_SECURITY = [{ bearer: [] }, { session: [] }];

const OPEN: unknown[] = [];

const page = (operationId: string, summary: string, type: string) => ({
  get: { operationId, summary, security: OPEN, parameters: [], responses: { 200: { description: 'OK', content: { [type]: { schema: { type: 'string' } } } }, ...HEADERS_TOO_LARGE } },
});

/** The access paths; the guard's 401/403 are added to those that need a credential by the document (GUARD_REFUSALS). */
export function accessPaths(): Record<string, unknown> {
  return {
    '/login': page('loginPage', 'The UI\'s log-in page (HTML; its script is /login.js, no inline script)', 'text/html'),
    '/login.js': page('loginScript', 'The log-in page\'s script', 'application/javascript'),
    '/api/session': {
      get: {
        operationId: 'whoAmI',
        summary: 'Who the caller is: role, name and tenant of its credential',
        parameters: [],
        responses: { 200: answer('The caller', ref('WhoAmI')), 401: answer('Not logged in (the reason said)', ref('WhoAmI')), ...HEADERS_TOO_LARGE },
      },
      post: {
        operationId: 'logIn',
        summary: 'UI log-in: exchanges an API token or JWT of role read or admin for an HttpOnly, SameSite=Strict session cookie (12 hours, or until the JWT expires)',
        security: OPEN,
        parameters: [],
        requestBody: jsonBody({ type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1 } } }),
        responses: {
          200: { description: 'Logged in; Set-Cookie holds the session', headers: { 'Set-Cookie': { schema: { type: 'string' } } }, content: json(ref('Session')) },
          400: answer('token is missing or not a string; `parameter` names it'),
          401: answer('The token or JWT is not accepted (the reason said)'),
          413: answer('The body is over 4 KiB'),
          503: { description: 'A JWT cannot be checked yet (its identity provider\'s keys are not loaded)', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: json(ref('Error')) },
          ...HEADERS_TOO_LARGE,
        },
      },
      delete: {
        operationId: 'logOut',
        summary: 'Ends the session of the cookie sent (if any) and clears the cookie',
        security: OPEN,
        parameters: [],
        responses: { 204: { description: 'Logged out' }, ...HEADERS_TOO_LARGE },
      },
    },
    '/api/admin/tokens': {
      get: {
        operationId: 'listTokens',
        summary: 'Every API token (role admin): id, name, role, tenant, when made and revoked; never a token or its hash',
        parameters: [],
        responses: { 200: answer('The tokens', { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: ref('TokenView') } } }), ...HEADERS_TOO_LARGE },
      },
      post: {
        operationId: 'createToken',
        summary: 'Makes an API token (role admin); the answer holds the token, shown this once',
        parameters: [],
        requestBody: jsonBody({
          type: 'object',
          required: ['name', 'role'],
          properties: { name: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_NAME_CHARS }, role, tenant },
        }),
        responses: {
          201: answer('Made; Cache-Control: no-store', ref('CreatedToken')),
          400: answer('name, role or tenant is missing or malformed; `parameter` names it'),
          413: answer('The body is over 4 KiB'),
          ...HEADERS_TOO_LARGE,
        },
      },
    },
    '/api/admin/tokens/{id}': {
      delete: {
        operationId: 'revokeToken',
        summary: 'Revokes an API token (role admin): it and its UI sessions stop working at once; revoking again keeps the first time',
        parameters: [pathParam('id', 'The token id (from the list).', { type: 'string', minLength: 1, maxLength: 100 })],
        responses: { 200: answer('The revoked token', ref('TokenView')), 404: answer('No token with this id'), ...HEADERS_TOO_LARGE },
      },
    },
  };
}
