/**
 * Process-wide counters, exposed in Prometheus text format on /metrics.
 * Per-item problems (rejected spans, dead-lettered messages) are counted here
 * instead of being logged one by one.
 *
 * A name may carry labels (`seriesName('x_total', { a: '1' })`): series of one
 * family are printed together under one HELP/TYPE. A family described as a
 * histogram groups its `_bucket`, `_sum` and `_count` series. Every value only
 * grows, so worker threads can ship deltas to their owner (ingest/thread/counter-deltas.ts).
 */
export type MetricType = 'counter' | 'histogram';

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

export class Counters {
  private readonly values = new Map<string, number>();
  private readonly help = new Map<string, string>();
  private readonly types = new Map<string, MetricType>();

  describe(name: string, help: string, type: MetricType = 'counter'): void {
    this.help.set(name, help);
    this.types.set(name, type);
    if (type === 'counter' && !this.values.has(name)) this.values.set(name, 0);
  }

  add(name: string, n = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + n);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /** Every series and its value, in the order they were first added. */
  entries(): IterableIterator<[string, number]> {
    return this.values.entries();
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }

  toPrometheus(): string {
    const families = new Map<string, { key: SortKey; line: string }[]>();
    for (const [series, value] of this.values) {
      const family = this.familyOf(series);
      let rows = families.get(family);
      if (!rows) families.set(family, (rows = []));
      rows.push({ key: sortKeyOf(series, family), line: `${series} ${value}` });
    }
    const lines: string[] = [];
    for (const family of [...families.keys()].sort()) {
      const help = this.help.get(family);
      if (help) lines.push(`# HELP ${family} ${help}`);
      lines.push(`# TYPE ${family} ${this.types.get(family) ?? 'counter'}`);
      const rows = families.get(family)!.sort((a, b) => compareKeys(a.key, b.key));
      for (const row of rows) lines.push(row.line);
    }
    return lines.join('\n') + '\n';
  }

  private familyOf(series: string): string {
    const brace = series.indexOf('{');
    const base = brace < 0 ? series : series.slice(0, brace);
    for (const suffix of HISTOGRAM_SUFFIXES) {
      if (base.endsWith(suffix)) {
        const family = base.slice(0, -suffix.length);
        if (this.types.get(family) === 'histogram') return family;
      }
    }
    return base;
  }
}

/** `name{k="v",…}` with Prometheus escaping of label values; label order is kept. */
export function seriesName(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

interface SortKey {
  labels: string;
  /** 0 bucket, 1 sum, 2 count (plain series: 0). */
  order: number;
  bound: number;
}

/** Groups a histogram's series per label set: buckets by ascending `le`, then `_sum`, then `_count`. */
function sortKeyOf(series: string, family: string): SortKey {
  const brace = series.indexOf('{');
  const base = brace < 0 ? series : series.slice(0, brace);
  let labels = brace < 0 ? '' : series.slice(brace);
  let bound = 0;
  const le = /,?le="([^"]*)"/.exec(labels);
  if (le) {
    labels = labels.replace(le[0], '');
    bound = le[1] === '+Inf' ? Infinity : Number(le[1]);
  }
  const suffix = base.slice(family.length);
  return { labels, order: suffix === '_sum' ? 1 : suffix === '_count' ? 2 : 0, bound };
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a.labels !== b.labels) return a.labels < b.labels ? -1 : 1;
  return a.order - b.order || a.bound - b.bound;
}
