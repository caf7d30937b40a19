import type { ServiceSummary } from '../api';

/** The services table's order and sparkline geometry: pure, no DOM (servicesTable.ts draws them). */

export type ServiceSortKey = 'service' | 'rate' | 'errors' | 'p50' | 'p95' | 'p99';
export interface ServiceSort {
  key: ServiceSortKey;
  desc: boolean;
}

const VALUE: Record<Exclude<ServiceSortKey, 'service'>, (r: ServiceSummary) => number | null> = {
  rate: (r) => r.ratePerSec,
  errors: (r) => r.errorRate,
  p50: (r) => r.p50Ms,
  p95: (r) => r.p95Ms,
  p99: (r) => r.p99Ms,
};

/** Rows in the asked order; rows without a value (no calls: null latency) last either way, ties by name. */
export function sortServices(rows: readonly ServiceSummary[], sort: ServiceSort): ServiceSummary[] {
  const byName = (a: ServiceSummary, b: ServiceSummary) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0);
  if (sort.key === 'service') return [...rows].sort((a, b) => (sort.desc ? -byName(a, b) : byName(a, b)));
  const value = VALUE[sort.key];
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? byName(a, b) : va === null ? 1 : -1;
    return (sort.desc ? vb - va : va - vb) || byName(a, b);
  });
}

/** The `d` of a sparkline through `values` (null: no value, the line breaks; a lone value is a dot) in a width × height box, 0 at the bottom. */
/** The largest finite value, 0 when there is none or all are below it (one loop: a wall screen runs this on every push, docs/benchmarks.md). */
export function largestOrZero(values: readonly (number | null | undefined)[]): number {
  let top = 0;
  for (const v of values) if (v !== null && v !== undefined && v > top && v !== Infinity) top = v;
  return top;
}

export function sparkPath(values: readonly (number | null)[], width: number, height: number): string {
  const top = largestOrZero(values);
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const y = (v: number) => (top > 0 ? height - 1 - (v / top) * (height - 2) : height - 1);
  const known = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  let d = '';
  values.forEach((v, i) => {
    if (!known(v)) return;
    const starts = !known(values[i - 1]);
    d += `${starts ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    // a value alone between gaps: a zero-length segment, drawn as a dot by the round line cap
    if (starts && !known(values[i + 1])) d += 'h0.01';
  });
  return d;
}
