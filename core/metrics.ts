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
  /** The page's lines in order, a series line as its name (`isSeries`), until a series or description is added. */
  private layout: { lines: string[]; isSeries: boolean[] } | null = null;

  describe(name: string, help: string, type: MetricType = 'counter'): void {
    this.help.set(name, help);
    this.types.set(name, type);
    if (type === 'counter' && !this.values.has(name)) this.values.set(name, 0);
    this.layout = null;
  }

  add(name: string, n = 1): void {
    const value = this.values.get(name);
    if (value === undefined) this.layout = null;
    this.values.set(name, (value ?? 0) + n);
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

  /** The page; the order of its lines is worked out again only after a new series or description (a scrape of thousands of series then costs a lookup per series). */
  toPrometheus(): string {
    const layout = (this.layout ??= this.layOut());
    const page = new Array<string>(layout.lines.length);
    for (let i = 0; i < page.length; i++) {
      const line = layout.lines[i];
      page[i] = layout.isSeries[i] ? `${line} ${this.values.get(line)}` : line;
    }
    return page.join('\n') + '\n';
  }

  private layOut(): { lines: string[]; isSeries: boolean[] } {
    const families = new Map<string, { key: SortKey; series: string }[]>();
    for (const series of this.values.keys()) {
      const family = this.familyOf(series);
      let rows = families.get(family);
      if (!rows) families.set(family, (rows = []));
      rows.push({ key: sortKeyOf(series, family), series });
    }
    const lines: string[] = [];
    const isSeries: boolean[] = [];
    const header = (line: string) => {
      lines.push(line);
      isSeries.push(false);
    };
    for (const family of [...families.keys()].sort()) {
      const help = this.help.get(family);
      if (help) header(`# HELP ${family} ${help}`);
      header(`# TYPE ${family} ${this.types.get(family) ?? 'counter'}`);
      for (const row of families.get(family)!.sort((a, b) => compareKeys(a.key, b.key))) {
        lines.push(row.series);
        isSeries.push(true);
      }
    }
    return { lines, isSeries };
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
