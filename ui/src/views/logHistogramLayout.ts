import type { LogHistogramView } from '../api';

/** Pure layout of the log histogram (no DOM, no D3): bars stacked by severity, the time domain, the tick format. logHistogram.ts draws it. */

/** Stack order, bottom to top, and the colour of each severity bucket. */
export const SEVERITY_STACK: Array<{ key: string; label: string; color: string }> = [
  { key: 'fatal', label: 'FATAL', color: '#8a1c1c' },
  { key: 'error', label: 'ERROR', color: '#d62828' },
  { key: 'warn', label: 'WARN', color: '#e8a317' },
  { key: 'info', label: 'INFO', color: '#59a14f' },
  { key: 'debug', label: 'DEBUG', color: '#4e79a7' },
  { key: 'trace', label: 'TRACE', color: '#9aa3ad' },
  { key: 'unknown', label: 'OTHER', color: '#cfd4dc' },
];

/** Histogram count keys (ERROR, WARN, warning, Information, '') → a stack bucket. */
export function severityBucket(key: string): string {
  const t = key.toLowerCase();
  if (t.startsWith('fatal') || t.startsWith('crit') || t.startsWith('emerg') || t.startsWith('alert')) return 'fatal';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('info') || t.startsWith('notice')) return 'info';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('trace')) return 'trace';
  return 'unknown';
}

export interface Segment {
  key: string;
  color: string;
  /** Bucket start and end, epoch ms. */
  t0: number;
  t1: number;
  /** Stacked count range, bottom to top. */
  y0: number;
  y1: number;
  count: number;
}

/**
 * A segment per bucket and severity group present, stacked in SEVERITY_STACK
 * order; count keys that fall in one group are summed, and lines the counts
 * miss (total above their sum) stack as `unknown`. `present`: the groups seen.
 */
export function stackSegments(hist: LogHistogramView): { segments: Segment[]; present: Set<string> } {
  const intervalMs = Math.max(1, hist.intervalUs / 1000);
  const segments: Segment[] = [];
  const present = new Set<string>();
  for (const b of hist.buckets) {
    const byKey = new Map<string, number>();
    for (const [k, n = 0] of Object.entries(b.counts)) {
      const key = severityBucket(k);
      byKey.set(key, (byKey.get(key) ?? 0) + n);
    }
    const counted = [...byKey.values()].reduce((a, n) => a + n, 0);
    if (b.total > counted) byKey.set('unknown', (byKey.get('unknown') ?? 0) + b.total - counted);
    let y = 0;
    const t0 = b.tUs / 1000;
    for (const s of SEVERITY_STACK) {
      const n = byKey.get(s.key) ?? 0;
      if (n <= 0) continue;
      present.add(s.key);
      segments.push({ key: s.key, color: s.color, t0, t1: t0 + intervalMs, y0: y, y1: y + n, count: n });
      y += n;
    }
  }
  return { segments, present };
}

/** The x axis spans the queried window [startMs, endMs] and every bucket, even where there are no lines (epoch ms). */
export function timeDomain(hist: LogHistogramView, startMs: number, endMs: number): [number, number] {
  const intervalMs = Math.max(1, hist.intervalUs / 1000);
  return [Math.min(startMs, ...hist.buckets.map((b) => b.tUs / 1000)), Math.max(endMs, ...hist.buckets.map((b) => b.tUs / 1000 + intervalMs))];
}

/** d3 time format of the axis ticks: finer for shorter spans. */
export function tickPattern(spanMs: number): string {
  return spanMs < 10_000 ? '%H:%M:%S.%L' : spanMs < 600_000 ? '%H:%M:%S' : spanMs < 86_400_000 ? '%H:%M' : '%b %d %H:%M';
}

/** The tallest bucket (0 when none): the y axis goes at least to 1. */
export function tallest(hist: LogHistogramView): number {
  return hist.buckets.reduce((m, b) => (b.total > m ? b.total : m), 0);
}
