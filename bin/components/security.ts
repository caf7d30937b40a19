import type { Config } from '../../core/config';
import { CannotStartError } from '../../core/errors';
import { ACCESS_REFUSED_COUNTER } from '../../core/security/access-guard';
import { Authenticator } from '../../core/security/authenticator';
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

/** The exposure check of every role (validation phase, before anything starts), then the access every server of the role applies. */
export const securityFactory: ComponentFactory<SecuritySettings> = {
  name: 'security',
  settings: (config) => {
    checkExposure(config);
    return { auth: config.auth, allowedHosts: [...config.allowedHosts, config.host].map((h) => h.toLowerCase()), corsAllowedOrigins: config.corsAllowedOrigins, tokensFile: tokensFileOf(config), limits: tenantLimitsFrom(config),
      syslogExposed: !isLoopbackHost(config.host) && (config.syslogTcpPort !== null || config.syslogUdpPort !== null) };
  },
  create: (settings, context) => ({
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
      context.access = { browser, counters, limits, authenticator: new Authenticator(tokens, new SessionStore()) };
      context.log(
        live > 0
          ? `chainscope: AUTH=tokens: ${live} live token(s) in ${settings.tokensFile}`
          : `chainscope: AUTH=tokens: no token yet in ${settings.tokensFile}; every request is refused until one is made: chainscope tokens create --role admin --name you`,
      );
    },
    async shutdown() {},
  }),
};
