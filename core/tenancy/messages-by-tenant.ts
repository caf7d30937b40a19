import { TENANT_HEADER, type BusMessage } from '../contracts/bus';
import { DEFAULT_TENANT, isTenantName, TENANT_NAME_PATTERN } from '../security/tenants';

export interface TenantGroups {
  /** Messages per tenant, in the order they came. */
  byTenant: Map<string, BusMessage[]>;
  /** Messages whose tenant header is not a tenant name, with the reason to dead-letter them. */
  invalid: { message: BusMessage; reason: string }[];
}

/** The tenant of a bus message: its TENANT_HEADER, DEFAULT_TENANT without one, null when the header is not a tenant name. */
export function tenantOfMessage(message: BusMessage): string | null {
  const sent = message.headers?.[TENANT_HEADER];
  if (sent === undefined) return DEFAULT_TENANT;
  return isTenantName(sent) ? sent : null;
}

/** Splits a bus batch by tenant (ingest writes each tenant's part to that tenant's stores). */
export function messagesByTenant(messages: readonly BusMessage[]): TenantGroups {
  const byTenant = new Map<string, BusMessage[]>();
  const invalid: TenantGroups['invalid'] = [];
  for (const message of messages) {
    const tenant = tenantOfMessage(message);
    if (tenant === null) {
      invalid.push({ message, reason: `header ${TENANT_HEADER} must match ${TENANT_NAME_PATTERN.source}, got "${String(message.headers?.[TENANT_HEADER]).slice(0, 70)}"` });
      continue;
    }
    let group = byTenant.get(tenant);
    if (!group) byTenant.set(tenant, (group = []));
    group.push(message);
  }
  return { byTenant, invalid };
}
