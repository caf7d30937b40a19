import { ValidationError } from '../errors';

/**
 * The tenant of single-tenant installs, of AUTH=none and of the process's own
 * senders: its data stays where it has always been, so nothing needs set-up.
 */
export const DEFAULT_TENANT = 'default';

/** Lower-case letters, digits, '_' and '-', starting with a letter or digit, at most 63: safe as a directory, index prefix and SQL value alike. */
export const TENANT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isTenantName(value: unknown): value is string {
  return typeof value === 'string' && TENANT_NAME_PATTERN.test(value);
}

/** The tenant name, checked (400 naming `parameter` when it is not one). */
export function tenantNameOf(value: unknown, parameter = 'tenant'): string {
  if (isTenantName(value)) return value;
  throw new ValidationError(`${parameter} must match ${TENANT_NAME_PATTERN.source} (lower-case letters, digits, '_' and '-'), got "${String(value).slice(0, 70)}"`, parameter);
}

/**
 * The tenant as a part of a storage name (ClickHouse database, search index
 * prefix): '_' written '__' and '-' written '_h', so the result is
 * [a-z0-9_] only, no two tenants share it, and no tenant's name is another's
 * followed by more (a '-' after it always ends it).
 */
export function tenantStorageName(tenant: string): string {
  return tenantNameOf(tenant).replace(/_/g, '__').replace(/-/g, '_h');
}
