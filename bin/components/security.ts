import type { Config } from '../../core/config';
import { CannotStartError } from '../../core/errors';
import { ACCESS_REFUSED_COUNTER } from '../../core/security/access-guard';
import { Authenticator } from '../../core/security/authenticator';
import { JwksSource } from '../../core/security/jwks-source';
import { JwtVerifier, type JwtSettings } from '../../core/security/jwt-verifier';
import { SessionStore } from '../../core/security/sessions';
import { createTenantLimiters, tenantLimitsFrom, type TenantLimits } from '../../core/security/tenant-limits';
import { TokenStore, tokensFileOf } from '../../core/security/token-store';
import { isLoopbackHost } from '../listen-address';
import type { ComponentFactory } from './component';

interface SecuritySettings {
  auth: Config['auth'];
  allowedHosts: string[];
  corsAllowedOrigins: string[];
  tokensFile: string;
  limits: TenantLimits;
  /** JWT_ISSUER: JWTs accepted besides API tokens. */
  jwt: (JwtSettings & { jwksUrl: string; jwksFile: string; refreshMs: number }) | null;
  /** Syslog listens beyond loopback: a protocol with no credential, said once at start. */
  syslogExposed: boolean;
}

/**
 * Refuses, before any port is bound, to expose a role beyond this machine
 * with nobody asked for a credential: HOST other than loopback needs
 * AUTH=tokens, or INSECURE=1 said on purpose.
 */
export function checkExposure(config: Pick<Config, 'host' | 'auth' | 'insecure'>): void {
  if (isLoopbackHost(config.host) || config.auth !== 'none' || config.insecure) return;
  throw new CannotStartError(
    `HOST=${config.host} exposes every port without authentication: set AUTH=tokens (create a token with "chainscope tokens create", docs/security.md), or INSECURE=1 to allow it anyway, or HOST=127.0.0.1`,
  );
}

/** An unknown kid fetches the JWKS again at once, but not more often than this. */
const JWKS_MIN_REFETCH_MS = 30_000;

/** The JWT settings, checked together: an issuer needs AUTH=tokens, an audience and exactly one JWKS source; JWT_* without an issuer is a mistake said at start. */
export function jwtSettingsOf(config: Config): SecuritySettings['jwt'] {
  if (config.jwtIssuer === '') {
    const stray = ([['jwtAudience', 'JWT_AUDIENCE'], ['jwtJwksUrl', 'JWT_JWKS_URL'], ['jwtJwksFile', 'JWT_JWKS_FILE'], ['jwtTenantClaim', 'JWT_TENANT_CLAIM']] as const).find(([key]) => config[key].length > 0);
    if (stray) throw new CannotStartError(`${stray[1]} is set but JWT_ISSUER is not: set JWT_ISSUER to accept JWTs (docs/security.md)`);
    return null;
  }
  if (config.auth !== 'tokens') throw new CannotStartError('JWT_ISSUER needs AUTH=tokens (JWTs are accepted besides API tokens; docs/security.md)');
  if (config.jwtAudience.length === 0) throw new CannotStartError('JWT_ISSUER needs JWT_AUDIENCE: the audience (aud) your identity provider puts in tokens meant for Chainscope');
  if ((config.jwtJwksUrl === '') === (config.jwtJwksFile === '')) throw new CannotStartError('JWT_ISSUER needs exactly one of JWT_JWKS_URL (the identity provider\'s jwks_uri) and JWT_JWKS_FILE');
  return {
    issuer: config.jwtIssuer,
    audiences: config.jwtAudience,
    clockSkewSeconds: config.jwtClockSkewSeconds,
    roleClaim: config.jwtRoleClaim,
    tenantClaim: config.jwtTenantClaim,
    jwksUrl: config.jwtJwksUrl,
    jwksFile: config.jwtJwksFile,
    refreshMs: config.jwtJwksRefreshSeconds * 1000,
  };
}

/** The exposure check of every role (validation phase, before anything starts), then the access every server of the role applies. */
export const securityFactory: ComponentFactory<SecuritySettings> = {
  name: 'security',
  settings: (config) => {
    checkExposure(config);
    return { auth: config.auth, allowedHosts: [...config.allowedHosts, config.host].map((h) => h.toLowerCase()), corsAllowedOrigins: config.corsAllowedOrigins, tokensFile: tokensFileOf(config), limits: tenantLimitsFrom(config), jwt: jwtSettingsOf(config),
      syslogExposed: !isLoopbackHost(config.host) && (config.syslogTcpPort !== null || config.syslogUdpPort !== null) };
  },
  create: (settings, context) => {
    let jwks: JwksSource | undefined;
    return {
      async start() {
        const browser = { allowedHosts: settings.allowedHosts, corsAllowedOrigins: settings.corsAllowedOrigins };
        const counters = context.counters;
        const limits = createTenantLimiters(settings.limits, counters);
        if (settings.syslogExposed) context.log(`chainscope: warning: syslog has no credentials; SYSLOG_TCP_PORT/SYSLOG_UDP_PORT on HOST=${context.config.host} take log lines from anyone who reaches them (keep them behind a firewall)`);
        counters.describe(ACCESS_REFUSED_COUNTER, 'Requests refused before any route: reason host (not an allowed Host), origin (foreign Origin), unauthenticated (no or bad token), forbidden (role or CSRF)');
        if (settings.auth === 'none') {
          context.access = { browser, counters, limits };
          return;
        }
        const tokens = new TokenStore(settings.tokensFile);
        let live: number;
        try {
          live = tokens.list().filter((t) => !t.revokedAt).length;
        } catch (err) {
          throw new CannotStartError(`TOKENS_FILE=${settings.tokensFile}: cannot be read: ${(err as Error).message}`);
        }
        const jwt = settings.jwt && (await startJwtVerifier(settings.jwt, context.log));
        jwks = jwt?.keys;
        context.access = { browser, counters, limits, authenticator: new Authenticator(tokens, new SessionStore(), jwt?.verifier) };
        context.log(
          live > 0 || jwt
            ? `chainscope: AUTH=tokens: ${live} live token(s) in ${settings.tokensFile}${jwt ? `; JWTs of ${settings.jwt!.issuer} (keys from ${jwt.keys.location})` : ''}`
            : `chainscope: AUTH=tokens: no token yet in ${settings.tokensFile}; every request is refused until one is made: chainscope tokens create --role admin --name you`,
        );
      },
      async shutdown() {
        jwks?.stop();
      },
    };
  },
};

/**
 * Loads the identity provider's keys before any port opens. A JWKS file that
 * cannot be read stops start-up (a mistake here); a JWKS URL that does not
 * answer yet is a warning: JWTs get 503 until a refresh loads the keys, API
 * tokens work meanwhile.
 */
async function startJwtVerifier(settings: NonNullable<SecuritySettings['jwt']>, log: (line: string) => void): Promise<{ verifier: JwtVerifier; keys: JwksSource }> {
  const keys = new JwksSource({ url: settings.jwksUrl || undefined, file: settings.jwksFile || undefined, refreshMs: settings.refreshMs, minRefetchMs: JWKS_MIN_REFETCH_MS, log });
  const error = await keys.start();
  if (error && settings.jwksFile) {
    keys.stop();
    throw new CannotStartError(`JWT_JWKS_FILE: ${error}`);
  }
  return { verifier: new JwtVerifier(settings, keys), keys };
}
