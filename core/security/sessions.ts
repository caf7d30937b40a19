import crypto from 'node:crypto';
import type { Principal } from './authenticator';
import type { AccessRole } from './roles';
import { setBounded } from '../util/bounded-map';

export interface Session {
  id: string;
  tokenId: string;
  role: AccessRole;
  tenant: string;
  /** Sent back by the UI in X-CSRF-Token on every state-changing call. */
  csrfToken: string;
  expiresAtMs: number;
  /** Opened with an API token: it ends when that token is revoked. A JWT's session ends at the JWT's expiry instead. */
  revocable: boolean;
}

export const SESSION_COOKIE = 'chainscope_session';
const SESSION_TTL_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

/**
 * UI sessions, in memory: a login exchanges a token for a random session id
 * in an HttpOnly, SameSite=Strict cookie. A restart logs everybody out, which
 * is the safe side. Bounded: past MAX_SESSIONS the oldest is dropped.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  /** A session for a verified credential: 12 hours, or until a JWT's expiry when that comes first. */
  open(principal: Pick<Principal, 'tokenId' | 'role' | 'tenant' | 'expiresAtMs'>): Session {
    const { tokenId, role, tenant, expiresAtMs } = principal;
    const session: Session = {
      id: crypto.randomBytes(32).toString('base64url'),
      tokenId,
      role,
      tenant,
      csrfToken: crypto.randomBytes(32).toString('base64url'),
      expiresAtMs: Math.min(Date.now() + SESSION_TTL_MS, expiresAtMs ?? Infinity),
      revocable: expiresAtMs === undefined,
    };
    setBounded(this.sessions, session.id, session, MAX_SESSIONS);
    return session;
  }

  find(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session && session.expiresAtMs <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /** The Set-Cookie value that holds a session (or clears it); `secure` (HTTPS, directly or behind a proxy) adds Secure. */
  static cookie(session: Session | null, secure = false): string {
    const value = session ? session.id : '';
    const maxAge = session ? Math.max(0, Math.floor((session.expiresAtMs - Date.now()) / 1000)) : 0;
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
  }
}

/** The session id in a Cookie header, if any. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Compares without telling by timing where two strings first differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
