/**
 * Sets `key` in `map`, then drops the oldest entries until at most `max` remain
 * (a Map iterates in insertion order, so the first keys are the oldest). The one
 * eviction rule of the caches that hold what requests create: sessions, verified
 * JWTs, per-tenant limits, settled slow-order rows.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
