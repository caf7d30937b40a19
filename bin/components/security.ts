import type { Config } from '../../core/config';
import { CannotStartError } from '../../core/errors';
import { isLoopbackHost } from '../listen-address';
import type { ComponentFactory } from './component';

interface SecuritySettings {
  auth: Config['auth'];
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

/** The exposure check of every role (runs in the validation phase, before anything starts). */
export const securityFactory: ComponentFactory<SecuritySettings> = {
  name: 'security',
  settings: (config) => {
    checkExposure(config);
    return { auth: config.auth };
  },
  create: () => ({ async start() {}, async shutdown() {} }),
};
