import type { Authenticator, Principal } from '../../core/security/authenticator';
import { SessionStore, type Session } from '../../core/security/sessions';
import type { TokenView } from '../../core/security/token-store';
import { ValidationError } from '../../core/errors';
import { DEFAULT_TENANT, tenantNameOf } from '../../core/security/tenants';

/** Logging in and out of the UI, and managing tokens (admin API), over the one token store. */
export class AccessService {
  constructor(readonly authenticator: Authenticator) {}

  /** Exchanges an API token or a JWT for a UI session; a refusal says why (401, or 503 while a JWT cannot be checked yet). */
  async login(token: unknown, secure = false): Promise<{ ok: true; session: Session; cookie: string } | { ok: false; status: 401 | 503; message: string }> {
    if (typeof token !== 'string' || token === '') throw new ValidationError('token must be a non-empty string', 'token');
    if (/\s/.test(token)) return { ok: false, status: 401, message: 'a token holds no white space' };
    const verdict = await this.authenticator.verifyAuthorization(`Bearer ${token}`);
    if (!verdict.ok) return verdict;
    const session = this.authenticator.sessions.open(verdict.principal);
    return { ok: true, session, cookie: SessionStore.cookie(session, secure) };
  }

  logout(sessionId: string | undefined): string {
    if (sessionId) this.authenticator.sessions.close(sessionId);
    return SessionStore.cookie(null);
  }

  listTokens(): TokenView[] {
    return this.authenticator.tokens.list();
  }

  /** `actor`: who asks, for the audit log (`token:<id>`). */
  createToken(name: unknown, role: unknown, tenant: unknown = DEFAULT_TENANT, actor?: string): { token: string; record: TokenView } {
    if (typeof name !== 'string') throw new ValidationError('name must be a string', 'name');
    if (typeof role !== 'string') throw new ValidationError('role must be ingest, read or admin', 'role');
    return this.authenticator.tokens.create(name, role, tenantNameOf(tenant), actor);
  }

  revokeToken(id: string, actor?: string): TokenView {
    return this.authenticator.tokens.revoke(id, actor);
  }

  whoami(principal: Principal | undefined): { auth: 'tokens'; role?: string; name?: string; tenant?: string } {
    return { auth: 'tokens', role: principal?.role, name: principal?.name, tenant: principal?.tenant };
  }
}
