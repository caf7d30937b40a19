import type { Authenticator, Principal } from '../../core/security/authenticator';
import { SessionStore, type Session } from '../../core/security/sessions';
import type { TokenView } from '../../core/security/token-store';
import { ValidationError } from '../../core/errors';
import { DEFAULT_TENANT, tenantNameOf } from '../../core/security/tenants';

/** Logging in and out of the UI, and managing tokens (admin API), over the one token store. */
export class AccessService {
  constructor(readonly authenticator: Authenticator) {}

  /** Exchanges a token for a UI session (401 for an unknown or revoked token). */
  login(token: unknown, secure = false): { session: Session; cookie: string } | undefined {
    if (typeof token !== 'string' || token === '') throw new ValidationError('token must be a non-empty string', 'token');
    const principal = this.authenticator.verifyAuthorization(`Bearer ${token}`);
    if (!principal) return undefined;
    const session = this.authenticator.sessions.open(principal.tokenId, principal.role, principal.tenant);
    return { session, cookie: SessionStore.cookie(session, secure) };
  }

  logout(sessionId: string | undefined): string {
    if (sessionId) this.authenticator.sessions.close(sessionId);
    return SessionStore.cookie(null);
  }

  listTokens(): TokenView[] {
    return this.authenticator.tokens.list();
  }

  createToken(name: unknown, role: unknown, tenant: unknown = DEFAULT_TENANT): { token: string; record: TokenView } {
    if (typeof name !== 'string') throw new ValidationError('name must be a string', 'name');
    if (typeof role !== 'string') throw new ValidationError('role must be ingest, read or admin', 'role');
    return this.authenticator.tokens.create(name, role, tenantNameOf(tenant));
  }

  revokeToken(id: string): TokenView {
    return this.authenticator.tokens.revoke(id);
  }

  whoami(principal: Principal | undefined): { auth: 'tokens'; role?: string; name?: string; tenant?: string } {
    return { auth: 'tokens', role: principal?.role, name: principal?.name, tenant: principal?.tenant };
  }
}
