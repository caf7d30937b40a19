import { axisBottom, axisLeft, line, scaleLinear, scaleTime, select, timeFormat } from 'd3';
import type { StatsPoint } from '../api';
import { h } from '../dom';
import { lonelyPoints, tickPattern, timeExtent, valueTop } from './redChartsLayout';

interface Series {
  name: string;
  cls: string;
  value(p: StatsPoint): number | null;
}

const W_MIN = 300;
const HEIGHT = 118;
const M = { top: 8, right: 10, bottom: 20, left: 46 };

/** Rate, error rate and latency percentiles of one service over time, as three small line charts. */
export function drawRedCharts(container: HTMLElement, points: StatsPoint[]): void {
  container.replaceChildren();
  const sorted = [...points].sort((a, b) => a.tUs - b.tUs);
  if (!sorted.length) {
    container.appendChild(h('p', { class: 'muted' }, 'No calls in this window.'));
    return;
  }
  chart(container, 'Rate', (v) => `${trimNum(v)}/s`, [{ name: 'req/s', cls: 'red-rate', value: (p) => p.ratePerSec }], sorted);
  chart(container, 'Error rate', (v) => `${trimNum(v * 100)}%`, [{ name: 'errors', cls: 'red-errors', value: (p) => p.errorRate }], sorted, 0.01);
  chart(
    container,
    'Latency',
    (v) => `${trimNum(v)}ms`,
    [
      { name: 'p50', cls: 'red-p50', value: (p) => p.p50Ms },
      { name: 'p95', cls: 'red-p95', value: (p) => p.p95Ms },
      { name: 'p99', cls: 'red-p99', value: (p) => p.p99Ms },
    ],
    sorted,
  );
}

function trimNum(v: number): string {
  const a = Math.abs(v);
  return String(Number(v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2)));
}

function chart(container: HTMLElement, title: string, fmt: (v: number) => string, series: Series[], points: StatsPoint[], minMax = 0): void {
  const box = h(
    'div',
    { class: 'red-chart', data: { chart: title.toLowerCase().replace(/\s+/g, '-') } },
    h(
      'div',
      { class: 'red-title' },
      title,
      series.length > 1 ? h('span', { class: 'red-legend' }, ...series.map((s) => h('span', { class: `red-key ${s.cls}` }, s.name))) : null,
    ),
  );
  container.appendChild(box);
  const width = Math.max(W_MIN, container.clientWidth || 380);
  const innerW = width - M.left - M.right;
  const innerH = HEIGHT - M.top - M.bottom;
  const [t0, t1] = timeExtent(points);
  const x = scaleTime().domain([new Date(t0), new Date(t1)]).range([0, innerW]);
  const y = scaleLinear().domain([0, valueTop(series.map((s) => s.value), points, minMax)]).range([innerH, 0]).nice();
  const tf = timeFormat(tickPattern(t1 - t0));
  const svg = select(box).append('svg').attr('width', width).attr('height', HEIGHT);
  const g = svg.append('g').attr('transform', `translate(${M.left},${M.top})`);
  g.append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${innerH})`)
    .call(
      axisBottom(x)
        .ticks(Math.max(2, Math.floor(innerW / 80)))
        .tickFormat((d) => tf(d as Date)),
    );
  g.append('g')
    .attr('class', 'axis y')
    .call(axisLeft(y).ticks(3).tickFormat((d) => fmt(Number(d))));
  for (const s of series) {
    const l = line<StatsPoint>()
      .defined((p) => Number.isFinite(s.value(p) as number))
      .x((p) => x(new Date(p.tUs / 1000)))
      .y((p) => y(s.value(p) as number));
    g.append('path').attr('class', `red-line ${s.cls}`).attr('d', l(points) ?? '');
    // Points with no measured neighbour draw no line: give them a dot.
    const lonely = lonelyPoints(points, s.value);
    if (lonely.length) {
      g.selectAll(`circle.${s.cls}`)
        .data(lonely)
        .join('circle')
        .attr('class', `red-dot ${s.cls}`)
        .attr('r', 2.5)
        .attr('cx', (p) => x(new Date(p.tUs / 1000)))
        .attr('cy', (p) => y(s.value(p) as number));
    }
  }
}
