import { axisBottom, axisLeft, brushX, max, scaleLinear, scaleTime, select, timeFormat } from 'd3';
import type { LogHistogramView } from '../api';
import { h } from '../dom';
import { formatTime } from '../format';

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

export interface HistogramOptions {
  /** The queried window, epoch ms: the x axis spans it even where there are no lines. */
  startMs: number;
  endMs: number;
  /** A brushed time range, epoch ms. */
  onZoom(startMs: number, endMs: number): void;
}

interface Segment {
  key: string;
  color: string;
  t0: number;
  t1: number;
  y0: number;
  y1: number;
  count: number;
}

const HEIGHT = 140;
const MARGIN = { top: 8, right: 16, bottom: 24, left: 44 };

/** Counts over time stacked by severity; drag across the chart to zoom the time range. */
export function drawLogHistogram(container: HTMLElement, hist: LogHistogramView, opts: HistogramOptions): void {
  container.replaceChildren();
  const width = Math.max(360, container.clientWidth || 900);
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
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

  const domainStart = Math.min(opts.startMs, ...hist.buckets.map((b) => b.tUs / 1000));
  const domainEnd = Math.max(opts.endMs, ...hist.buckets.map((b) => b.tUs / 1000 + intervalMs));
  const x = scaleTime().domain([new Date(domainStart), new Date(domainEnd)]).range([0, innerW]);
  const top = max(hist.buckets, (b) => b.total) ?? 0;
  const y = scaleLinear().domain([0, Math.max(1, top)]).range([innerH, 0]).nice();
  const spanMs = domainEnd - domainStart;
  const tickFormat = timeFormat(spanMs < 10_000 ? '%H:%M:%S.%L' : spanMs < 600_000 ? '%H:%M:%S' : spanMs < 86_400_000 ? '%H:%M' : '%b %d %H:%M');

  const svg = select(container)
    .append('svg')
    .attr('class', 'log-histogram')
    .attr('width', width)
    .attr('height', HEIGHT)
    .attr('role', 'img')
    .attr('aria-label', 'Log lines over time by severity; drag to zoom');
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  g.append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${innerH})`)
    .call(axisBottom(x).ticks(Math.max(2, Math.floor(innerW / 120))).tickFormat((d) => tickFormat(d as Date)));
  g.append('g').attr('class', 'axis y').call(axisLeft(y).ticks(4).tickFormat((d) => String(d)));

  const bars = g.append('g').attr('class', 'hist-bars');
  bars
    .selectAll('rect')
    .data(segments)
    .join('rect')
    .attr('class', (d) => `hist-bar sev-${d.key}`)
    .attr('data-t', (d) => String(d.t0))
    .attr('x', (d) => x(new Date(d.t0)))
    .attr('width', (d) => Math.max(1, x(new Date(d.t1)) - x(new Date(d.t0)) - 1))
    .attr('y', (d) => y(d.y1))
    .attr('height', (d) => Math.max(0, y(d.y0) - y(d.y1)))
    .attr('fill', (d) => d.color)
    .append('title')
    .text((d) => `${formatTime(d.t0 * 1000)}: ${d.count} ${SEVERITY_STACK.find((s) => s.key === d.key)?.label ?? d.key}`);

  const brush = brushX()
    .extent([
      [0, 0],
      [innerW, innerH],
    ])
    .on('end', (event: { selection: [number, number] | null; sourceEvent?: unknown }) => {
      if (!event.selection || !event.sourceEvent) return;
      const [a, b] = event.selection;
      if (b - a < 3) return;
      opts.onZoom(+x.invert(a), +x.invert(b));
    });
  g.append('g').attr('class', 'hist-brush').call(brush);

  const legend = h(
    'div',
    { class: 'hist-legend' },
    ...SEVERITY_STACK.filter((s) => present.has(s.key)).map((s) =>
      h('span', { class: 'hist-key' }, h('span', { class: 'hist-swatch', style: { background: s.color } }), s.label),
    ),
    hist.buckets.length === 0 ? h('span', { class: 'muted' }, 'No lines in this range.') : null,
  );
  container.appendChild(legend);
}
