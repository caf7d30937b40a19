import crypto from 'node:crypto';
import type { Principal } from './authenticator';
import type { JwksSource } from './jwks-source';
import { ACCEPTED_JWS_ALGORITHMS, isAcceptedAlgorithm, keyFitsAlgorithm, signatureVerifies } from './jws';
import { ACCESS_ROLES, isAccessRole, type AccessRole } from './roles';
import { DEFAULT_TENANT, isTenantName, TENANT_NAME_PATTERN } from './tenants';
import { setBounded } from '../util/bounded-map';

/** What a JWT must say to be let in (AUTH=jwt, docs/security.md). */
export interface JwtSettings {
  /** The `iss` every token must carry (the identity provider's issuer URL). */
  issuer: string;
  /** `aud` must hold one of these. */
  audiences: string[];
  /** Leeway on exp, nbf and iat for clocks that differ. */
  clockSkewSeconds: number;
  /** Claim (a dotted path for nested ones, e.g. `realm_access.roles`) holding ingest, read or admin: a string, a space-separated list or an array. */
  roleClaim: string;
  /** Claim holding the tenant; '' = every token is of the default tenant. */
  tenantClaim: string;
}

export type JwtVerdict = { ok: true; principal: Principal } | { ok: false; status: 401 | 503; message: string };

/** Longest JWT looked at; identity providers' tokens are a few KiB. */
const MAX_JWT_CHARS = 16 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/**
 * A JWT verified once is remembered (by its SHA-256) for this long at most,
 * and never past its exp: an exporter sends the same JWT with every request,
 * and a signature check costs a few hundred µs where a lookup costs one or
 * two. The price: a key removed from the JWKS stops accepting its tokens up
 * to this much later.
 */
export const VERIFIED_JWT_TTL_MS = 5 * 60_000;
/** JWTs remembered at once; past it the oldest go first. */
const MAX_VERIFIED_JWTS = 10_000;
/** With several roles in the claim the one that may do most is taken. */
const ROLE_STRENGTH: Record<AccessRole, number> = { ingest: 0, read: 1, admin: 2 };

/** Whether a bearer credential is a compact JWS (three base64url parts), as opposed to an API token. */
export function looksLikeJwt(credential: string): boolean {
  return credential.length <= MAX_JWT_CHARS && JWT_SHAPE.test(credential);
}

/**
 * Verifies JWTs an identity provider signed (OIDC access or ID tokens):
 * signature by a key of its JWKS (RS*, PS256, ES256/384, EdDSA; never
 * `none` or HS*), then iss, aud, exp, nbf, iat with the clock skew; the role
 * and the tenant come from configured claims. Every refusal says which check
 * failed, never anything of the keys.
 */
export class JwtVerifier {
  private readonly verified = new Map<string, { principal: Principal; untilMs: number }>();

  constructor(
    readonly settings: JwtSettings,
    private readonly keys: JwksSource,
  ) {}

  async verify(token: string, nowMs = Date.now()): Promise<JwtVerdict> {
    if (!looksLikeJwt(token)) return refuse('the bearer credential is not a JWT (three base64url parts) nor an API token');
    const digest = crypto.createHash('sha256').update(token).digest('base64');
    const known = this.verified.get(digest);
    if (known && nowMs < known.untilMs) return { ok: true, principal: known.principal };
    if (known) this.verified.delete(digest);
    const verdict = await this.check(token, nowMs);
    if (verdict.ok) this.remember(digest, verdict.principal, nowMs);
    return verdict;
  }

  private remember(digest: string, principal: Principal, nowMs: number): void {
    const untilMs = Math.min(nowMs + VERIFIED_JWT_TTL_MS, (principal.expiresAtMs ?? nowMs) + this.settings.clockSkewSeconds * 1000);
    setBounded(this.verified, digest, { principal, untilMs }, MAX_VERIFIED_JWTS);
  }

  /** The whole check of a compact JWS: header, signature, then claims. */
  private async check(token: string, nowMs: number): Promise<JwtVerdict> {
    const [headerPart, payloadPart, signaturePart] = token.split('.');
    const header = jsonPart(headerPart);
    const claims = jsonPart(payloadPart);
    if (!header || !claims) return refuse('the JWT is malformed: its header and payload must be base64url JSON objects');
    if (!isAcceptedAlgorithm(header.alg)) {
      return refuse(`the JWT's alg ${JSON.stringify(String(header.alg).slice(0, 20))} is not accepted: only ${ACCEPTED_JWS_ALGORITHMS.join(', ')} (never none or HS*)`);
    }
    if (header.crit !== undefined) return refuse('the JWT has critical header extensions (crit), which are not understood');
    const kid = header.kid === undefined ? undefined : typeof header.kid === 'string' ? header.kid : null;
    if (kid === null) return refuse('the JWT\'s kid must be a string');
    const alg = header.alg;
    const keys = (await this.keys.keysFor(kid)).filter((k) => keyFitsAlgorithm(k, alg));
    if (keys.length === 0) {
      if (this.keys.size === 0) return { ok: false, status: 503, message: `JWT keys are not available yet (${this.keys.error ?? this.keys.location}); try again` };
      return refuse(kid !== undefined ? `the JWT's key id (kid) ${JSON.stringify(kid.slice(0, 100))} is not in the JWKS (${this.keys.location}) for alg ${alg}` : `the JWT names no kid and the JWKS has no ${alg} key`);
    }
    const signature = Buffer.from(signaturePart, 'base64url');
    const signingInput = `${headerPart}.${payloadPart}`;
    if (!keys.some((key) => signatureVerifies(alg, key, signingInput, signature))) return refuse('the JWT\'s signature does not verify with the JWKS key');
    return this.checkClaims(claims, nowMs);
  }

  private checkClaims(claims: Record<string, unknown>, nowMs: number): JwtVerdict {
    const { issuer, audiences, clockSkewSeconds: skew } = this.settings;
    const now = nowMs / 1000;
    if (claims.iss !== issuer) return refuse(`the JWT's issuer (iss) ${JSON.stringify(String(claims.iss ?? '').slice(0, 200))} is not ${JSON.stringify(issuer)}`);
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((a) => audiences.includes(a))) {
      return refuse(`the JWT's audience (aud) ${JSON.stringify(aud.map((a) => String(a).slice(0, 100)).slice(0, 5))} does not include ${audiences.map((a) => JSON.stringify(a)).join(' or ')}`);
    }
    if (!isNumericDate(claims.exp)) return refuse('the JWT has no expiry (exp): tokens that never expire are not accepted');
    if (now > claims.exp + skew) return refuse(`the JWT has expired (exp ${isoOf(claims.exp)}, now ${isoOf(now)}, clock skew ${skew} s)`);
    if (claims.nbf !== undefined && (!isNumericDate(claims.nbf) || now < claims.nbf - skew)) return refuse(`the JWT is not valid yet (nbf ${isoOf(claims.nbf)}, now ${isoOf(now)}, clock skew ${skew} s)`);
    if (claims.iat !== undefined && (!isNumericDate(claims.iat) || claims.iat > now + skew)) return refuse(`the JWT was issued in the future (iat ${isoOf(claims.iat)}, now ${isoOf(now)}, clock skew ${skew} s)`);
    const role = this.roleOf(claims);
    if (typeof role === 'string' && !isAccessRole(role)) return refuse(role);
    const tenant = this.tenantOf(claims);
    if (!tenant.ok) return refuse(tenant.message);
    const subject = typeof claims.sub === 'string' ? claims.sub.slice(0, 100) : 'unknown';
    return { ok: true, principal: { tokenId: `jwt:${subject}`, name: subject, role: role as AccessRole, tenant: tenant.tenant, via: 'bearer', expiresAtMs: (claims.exp as number) * 1000 } };
  }

  /** The role, or a message saying why there is none. */
  private roleOf(claims: Record<string, unknown>): AccessRole | string {
    const { roleClaim } = this.settings;
    const value = claimAt(claims, roleClaim);
    const values = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
    const roles = values.filter(isAccessRole);
    if (roles.length === 0) return `the JWT's ${roleClaim} claim holds none of the roles ${ACCESS_ROLES.join(', ')}`;
    return roles.reduce((a, b) => (ROLE_STRENGTH[b] > ROLE_STRENGTH[a] ? b : a));
  }

  private tenantOf(claims: Record<string, unknown>): { ok: true; tenant: string } | { ok: false; message: string } {
    const { tenantClaim } = this.settings;
    if (tenantClaim === '') return { ok: true, tenant: DEFAULT_TENANT };
    const value = claimAt(claims, tenantClaim);
    if (value === undefined) return { ok: false, message: `the JWT has no ${tenantClaim} claim (the tenant)` };
    if (!isTenantName(value)) return { ok: false, message: `the JWT's ${tenantClaim} claim is not a tenant name (${TENANT_NAME_PATTERN.source})` };
    return { ok: true, tenant: value };
  }
}

function refuse(message: string): JwtVerdict {
  return { ok: false, status: 401, message };
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A claim by name, or by dotted path into nested objects when no claim has the whole name. */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const step of name.split('.')) {
    if (!value || typeof value !== 'object' || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isoOf(seconds: unknown): string {
  return isNumericDate(seconds) && Math.abs(seconds) < 1e11 ? new Date(seconds * 1000).toISOString() : String(seconds).slice(0, 30);
}
