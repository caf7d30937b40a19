import crypto from 'node:crypto';
import type http from 'node:http';
import { roleAllows, type AccessRole } from './roles';
import { sameSecret, sessionIdOf, type SessionStore } from './sessions';
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
}

export type Verdict = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; message: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Checks the credential of a request (AUTH=tokens): a bearer token, or the UI's session cookie with its CSRF token on writes. */
export class Authenticator {
  /**
   * The process's own ingest credential (the all-in-one's demo and log shipper
   * post to its own receiver): random per start, held in memory only.
   */
  private readonly internalToken = `cs_${crypto.randomBytes(32).toString('base64url')}`;

  constructor(
    readonly tokens: TokenStore,
    readonly sessions: SessionStore,
  ) {}

  /** Authorization header value for this process's own senders (role ingest). */
  internalAuthorization(): string {
    return `Bearer ${this.internalToken}`;
  }

  /** The credential in an Authorization value (`Bearer <token>`), checked. */
  verifyAuthorization(authorization: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match && sameSecret(match[1], this.internalToken)) return { tokenId: 'internal', name: 'this process', role: 'ingest', tenant: DEFAULT_TENANT, via: 'bearer' };
    const token = match && this.tokens.verify(match[1]);
    return token ? { tokenId: token.id, name: token.name, role: token.role, tenant: token.tenant, via: 'bearer' } : undefined;
  }

  /** Whether this request may do what `needed` allows. */
  check(req: http.IncomingMessage, needed: AccessRole): Verdict {
    const authorization = req.headers.authorization;
    let principal: Principal | undefined;
    if (authorization !== undefined) {
      principal = this.verifyAuthorization(authorization);
      if (!principal) return { ok: false, status: 401, message: 'the bearer token is unknown or revoked (Authorization: Bearer <token>; see docs/security.md)' };
    } else {
      const sessionId = sessionIdOf(req.headers.cookie);
      const session = sessionId !== undefined ? this.sessions.find(sessionId) : undefined;
      if (!session || !this.tokens.isLive(session.tokenId)) {
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
