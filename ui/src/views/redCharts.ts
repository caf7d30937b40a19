import { axisBottom, axisLeft, line, scaleLinear, scaleTime, select, timeFormat } from 'd3';
import type { StatsPoint } from '../api';
import type { Anomaly, SeriesMetric } from '../../../core/wire';
import { h } from '../dom';
import { formatHash } from '../route';
import type { IncidentSpan } from './incidentText';
import { lonelyPoints, tickPattern, timeExtent, valueTop } from './redChartsLayout';

/** What is drawn over the charts: incidents as shaded spans (linking to their page), current anomalies as markers. */
export interface RedOverlay {
  incidents: IncidentSpan[];
  /** The service's own anomalies by metric, each judged over `window`. */
  anomalies: ReadonlyMap<SeriesMetric, Anomaly>;
  window: { startUs: number; endUs: number } | null;
}

const NO_OVERLAY: RedOverlay = { incidents: [], anomalies: new Map(), window: null };

interface Series {
  /** The anomaly metric this line shows (latency: its p95), marked when anomalous. */
  metric?: SeriesMetric;
  name: string;
  cls: string;
  value(p: StatsPoint): number | null;
}

const W_MIN = 300;
const HEIGHT = 118;
const M = { top: 8, right: 10, bottom: 20, left: 46 };

/** Rate, error rate and latency percentiles of one service over time, as three small line charts. */
export function drawRedCharts(container: HTMLElement, points: StatsPoint[], overlay: RedOverlay = NO_OVERLAY): void {
  container.replaceChildren();
  const sorted = [...points].sort((a, b) => a.tUs - b.tUs);
  if (!sorted.length) {
    container.appendChild(h('p', { class: 'muted' }, 'No calls in this window.'));
    return;
  }
  chart(container, 'Rate', (v) => `${trimNum(v)}/s`, [{ metric: 'rate_per_sec', name: 'req/s', cls: 'red-rate', value: (p) => p.ratePerSec }], sorted, overlay);
  chart(container, 'Error rate', (v) => `${trimNum(v * 100)}%`, [{ metric: 'error_rate', name: 'errors', cls: 'red-errors', value: (p) => p.errorRate }], sorted, overlay, 0.01);
  chart(
    container,
    'Latency',
    (v) => `${trimNum(v)}ms`,
    [
      { name: 'p50', cls: 'red-p50', value: (p) => p.p50Ms },
      { metric: 'latency_p95_ms', name: 'p95', cls: 'red-p95', value: (p) => p.p95Ms },
      { name: 'p99', cls: 'red-p99', value: (p) => p.p99Ms },
    ],
    sorted,
    overlay,
  );
}

function trimNum(v: number): string {
  const a = Math.abs(v);
  return String(Number(v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2)));
}

function chart(container: HTMLElement, title: string, fmt: (v: number) => string, series: Series[], points: StatsPoint[], overlay: RedOverlay, minMax = 0): void {
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
  const metrics = series.flatMap((s) => (s.metric ? [s.metric] : []));
  // incidents of this chart's metric (a log-rate incident: on every chart), behind the lines
  for (const span of overlay.incidents.filter((i) => i.metric === null || metrics.includes(i.metric))) {
    const x0 = Math.max(0, x(new Date(span.startMs)));
    const x1 = Math.min(innerW, x(new Date(span.endMs)));
    if (!(x1 > x0 - 1)) continue;
    const link = g.append('a').attr('href', formatHash(['incident', span.id]));
    link
      .append('rect')
      .attr('class', `red-incident${span.firing ? ' firing' : ''}`)
      .attr('x', x0)
      .attr('width', Math.max(2, x1 - x0))
      .attr('y', 0)
      .attr('height', innerH)
      .append('title')
      .text(span.label);
  }
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
    const anomaly = s.metric && overlay.window ? overlay.anomalies.get(s.metric) : undefined;
    if (anomaly && overlay.window) {
      // at the middle of the window it was judged over, at its value in the window's own unit
      const atMs = (overlay.window.startUs + overlay.window.endUs) / 2000;
      const ax = x(new Date(Math.min(t1, Math.max(t0, atMs))));
      const ay = y(Math.min(y.domain()[1], anomaly.value));
      g.append('path')
        .attr('class', 'red-anomaly')
        .attr('d', `M${ax},${ay - 7}L${ax + 6},${ay + 4}L${ax - 6},${ay + 4}Z`)
        .append('title')
        .text(`anomaly: ${fmt(anomaly.value)} against a usual ${fmt(anomaly.baseline.center)} (score ${trimNum(anomaly.score)})`);
    }
  }
}
