/** What a credential may do: `ingest` writes telemetry only, `read` reads it, `admin` does both and manages tokens. */
export const ACCESS_ROLES = ['ingest', 'read', 'admin'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

export function isAccessRole(value: unknown): value is AccessRole {
  return typeof value === 'string' && (ACCESS_ROLES as readonly string[]).includes(value);
}

/** Whether a credential of role `held` may do what `needed` allows (admin may do everything). */
export function roleAllows(held: AccessRole, needed: AccessRole): boolean {
  return held === 'admin' || held === needed;
}
