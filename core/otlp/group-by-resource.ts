import type { Attributes, InstrumentationScope } from '../model';
import { serviceOf } from './decode-report';
import { stableStringify } from './stable-json';

export interface ResourceGroup<T> {
  resource: Attributes;
  scopes: ScopeGroup<T>[];
}

export interface ScopeGroup<T> {
  scope: InstrumentationScope;
  items: T[];
}

export interface Groupable {
  resource: Attributes;
  scope: InstrumentationScope;
  service: string;
}

/**
 * Groups items by resource (same object, or equal attributes) and then by scope
 * (name + version), keeping first-seen order, as an OTLP request nests them.
 *
 * The model derives `service` from the resource attribute service.name; an item
 * whose service disagrees with its resource (hand-built objects) gets a resource
 * with service.name set to its service, so decoding the encoded bytes gives the
 * same service back.
 */
export function groupByResourceAndScope<T extends Groupable>(items: readonly T[]): ResourceGroup<T>[] {
  const groups: ResourceGroup<T>[] = [];
  const byKey = new Map<string, { group: ResourceGroup<T>; scopes: Map<string, ScopeGroup<T>> }>();
  // Items of one request usually share resource objects: serialise each object once per service.
  const keyOfObject = new Map<Attributes, { service: string; key: string; resource: Attributes }[]>();
  // Items usually come in runs sharing resource, service and scope objects: such an item joins the previous one's group.
  let previous: T | undefined;
  let previousGroup: ScopeGroup<T> | undefined;
  for (const item of items) {
    if (previous && previousGroup && item.resource === previous.resource && item.service === previous.service && item.scope === previous.scope && item.resource && item.scope) {
      previousGroup.items.push(item);
      continue;
    }
    previous = item;
    const resource = item.resource ?? {};
    let known = keyOfObject.get(resource);
    if (!known) keyOfObject.set(resource, (known = []));
    let entry = known.find((k) => k.service === item.service);
    if (!entry) {
      const effective = serviceOf(resource) === item.service ? resource : { ...resource, 'service.name': item.service };
      entry = { service: item.service, key: stableStringify(effective), resource: effective };
      known.push(entry);
    }
    let slot = byKey.get(entry.key);
    if (!slot) {
      slot = { group: { resource: entry.resource, scopes: [] }, scopes: new Map() };
      byKey.set(entry.key, slot);
      groups.push(slot.group);
    }
    const scope = item.scope ?? { name: '', version: '' };
    const scopeKey = `${scope.name}\u0000${scope.version}`;
    let scopeGroup = slot.scopes.get(scopeKey);
    if (!scopeGroup) {
      scopeGroup = { scope, items: [] };
      slot.scopes.set(scopeKey, scopeGroup);
      slot.group.scopes.push(scopeGroup);
    }
    scopeGroup.items.push(item);
    previousGroup = scopeGroup;
  }
  return groups;
}
