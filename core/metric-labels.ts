import type { MetricLabel } from './contracts/metric-store';

/**
 * The labels of a stored metric series, the same for every metric store:
 * the point attributes (stored as stable JSON) as strings, nested values as
 * their JSON text, plus `service` (the resource's service.name).
 */
export function seriesLabels(service: string, attributesJson: string): Record<string, string> {
  const labels: Record<string, string> = Object.create(null);
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(attributesJson) as Record<string, unknown>;
  } catch {
    // written by stableStringify: never malformed, but a read must not throw on it
  }
  for (const [key, value] of Object.entries(attributes)) labels[key] = typeof value === 'string' ? value : JSON.stringify(value);
  labels.service = service;
  return labels;
}

/** Label keys (sorted) with up to `maxValues` values each (the first seen, sorted), over series in the order given. */
export function labelValues(series: Iterable<Record<string, string>>, maxValues: number): MetricLabel[] {
  const values = new Map<string, Set<string>>();
  for (const labels of series) {
    for (const [key, value] of Object.entries(labels)) {
      let set = values.get(key);
      if (!set) values.set(key, (set = new Set()));
      if (set.size < maxValues) set.add(value);
    }
  }
  return [...values.entries()].sort(([a], [b]) => compareText(a, b)).map(([key, set]) => ({ key, values: [...set].sort() }));
}

/**
 * The order every metric store answers series in: by their labels (sorted
 * keys compared pair by pair, key then value; a label set that is a prefix of
 * another comes first), so answers and group order do not depend on which
 * backend or which writer saw a series first. Series with equal labels (they
 * differ only in resource) keep the backend's order.
 */
export function inLabelOrder<T extends { labels: Record<string, string> }>(series: T[]): T[] {
  const keyed = series.map((s) => ({ s, pairs: Object.keys(s.labels).sort(compareText).flatMap((k) => [k, s.labels[k]]) }));
  keyed.sort((a, b) => comparePairs(a.pairs, b.pairs));
  return keyed.map(({ s }) => s);
}

function comparePairs(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareText(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
