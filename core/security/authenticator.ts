import crypto from 'node:crypto';
import type http from 'node:http';
import { roleAllows, type AccessRole } from './roles';
import { sameSecret, sessionIdOf, type SessionStore } from './sessions';
import { looksLikeJwt, type JwtVerifier } from './jwt-verifier';
import { DEFAULT_TENANT } from './tenants';
import type { TokenStore } from './token-store';

/** Who made a request, as its verified credential says. */
export interface Principal {
  tokenId: string;
  name?: string;
  role: AccessRole;
  /** Whose data this credential writes and reads: every write is stamped with it, every read scoped to it. */
  tenant: string;
  /** 'bearer': Authorization header; 'session': the UI's cookie. */
  via: 'bearer' | 'session';
  /** A JWT's expiry (ms): a session opened with it ends then. Absent for API tokens, which are revoked instead. */
  expiresAtMs?: number;
}

/** 503: a JWT that cannot be checked yet (its identity provider's keys are not loaded). */
export type CredentialVerdict = { ok: true; principal: Principal } | { ok: false; status: 401 | 503; message: string };
export type Verdict = { ok: true; principal: Principal } | { ok: false; status: 401 | 403 | 503; message: string };

const UNKNOWN_TOKEN = 'the bearer token is unknown or revoked (Authorization: Bearer <token>; see docs/security.md)';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Checks the credential of a request (AUTH=tokens): a bearer API token, a
 * bearer JWT of the configured identity provider (JWT_ISSUER), or the UI's
 * session cookie with its CSRF token on writes.
 */
export class Authenticator {
  /**
   * The process's own ingest credential (the all-in-one's demo and log shipper
   * post to its own receiver): random per start, held in memory only.
   */
  private readonly internalToken = `cs_${crypto.randomBytes(32).toString('base64url')}`;

  constructor(
    readonly tokens: TokenStore,
    readonly sessions: SessionStore,
    /** JWT_ISSUER: JWTs are accepted besides API tokens. */
    readonly jwt?: JwtVerifier,
  ) {}

  /** Authorization header value for this process's own senders (role ingest). */
  internalAuthorization(): string {
    return `Bearer ${this.internalToken}`;
  }

  /** The credential in an Authorization value (`Bearer <token>` or `Bearer <JWT>`), checked; a refusal says why. */
  async verifyAuthorization(authorization: string | undefined): Promise<CredentialVerdict> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, status: 401, message: 'the Authorization header must be "Bearer <token>" (see docs/security.md)' };
    const credential = match[1];
    if (sameSecret(credential, this.internalToken)) return { ok: true, principal: { tokenId: 'internal', name: 'this process', role: 'ingest', tenant: DEFAULT_TENANT, via: 'bearer' } };
    // API tokens (cs_…) hold no dot; a JWT is three dot-separated parts
    if (this.jwt && looksLikeJwt(credential)) return this.jwt.verify(credential);
    const token = this.tokens.verify(credential);
    return token ? { ok: true, principal: { tokenId: token.id, name: token.name, role: token.role, tenant: token.tenant, via: 'bearer' } } : { ok: false, status: 401, message: UNKNOWN_TOKEN };
  }

  /** Whether this request may do what `needed` allows. */
  async check(req: http.IncomingMessage, needed: AccessRole): Promise<Verdict> {
    const authorization = req.headers.authorization;
    let principal: Principal;
    if (authorization !== undefined) {
      const verdict = await this.verifyAuthorization(authorization);
      if (!verdict.ok) return verdict;
      principal = verdict.principal;
    } else {
      const sessionId = sessionIdOf(req.headers.cookie);
      const session = sessionId !== undefined ? this.sessions.find(sessionId) : undefined;
      if (!session || (session.revocable && !this.tokens.isLive(session.tokenId))) {
        return { ok: false, status: 401, message: 'authentication required: send Authorization: Bearer <token>, or log in at /login (docs/security.md)' };
      }
      if (!SAFE_METHODS.has(req.method ?? 'GET')) {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) return { ok: false, status: 403, message: 'missing or wrong X-CSRF-Token for this session' };
      }
      principal = { tokenId: session.tokenId, role: session.role, tenant: session.tenant, via: 'session' };
    }
    if (!roleAllows(principal.role, needed)) {
      return { ok: false, status: 403, message: `a token of role ${principal.role} may not do this: it needs role ${needed}` };
    }
    return { ok: true, principal };
  }
}
