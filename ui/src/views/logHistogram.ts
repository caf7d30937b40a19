import { axisBottom, axisLeft, brushX, scaleLinear, scaleTime, select, timeFormat } from 'd3';
import type { LogHistogramView } from '../api';
import { h } from '../dom';
import { formatTime } from '../format';
import { SEVERITY_STACK, stackSegments, tallest, tickPattern, timeDomain } from './logHistogramLayout';

export interface HistogramOptions {
  /** The queried window, epoch ms: the x axis spans it even where there are no lines. */
  startMs: number;
  endMs: number;
  /** A brushed time range, epoch ms. */
  onZoom(startMs: number, endMs: number): void;
}

const HEIGHT = 140;
const MARGIN = { top: 8, right: 16, bottom: 24, left: 44 };

/** Counts over time stacked by severity; drag across the chart to zoom the time range. */
export function drawLogHistogram(container: HTMLElement, hist: LogHistogramView, opts: HistogramOptions): void {
  container.replaceChildren();
  const width = Math.max(360, container.clientWidth || 900);
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const { segments, present } = stackSegments(hist);
  const [domainStart, domainEnd] = timeDomain(hist, opts.startMs, opts.endMs);
  const x = scaleTime().domain([new Date(domainStart), new Date(domainEnd)]).range([0, innerW]);
  const y = scaleLinear().domain([0, Math.max(1, tallest(hist))]).range([innerH, 0]).nice();
  const tickFormat = timeFormat(tickPattern(domainEnd - domainStart));

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
