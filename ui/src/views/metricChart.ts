import { axisBottom, axisLeft, line, scaleLinear, scaleTime, select, timeFormat } from 'd3';
import type { ComputedSeries, MetricSeriesAnswer } from '../api';
import { serviceColors } from '../colors';
import { h } from '../dom';
import { formatValue, seriesName, yTop } from './metricChartLayout';
import { tickPattern } from './redChartsLayout';

const HEIGHT = 280;
const M = { top: 10, right: 16, bottom: 24, left: 56 };

/**
 * The series of a metric query as a D3 line chart, one line per group, with a
 * legend (names are telemetry: they go in as text only) and the last value of
 * each group. Steps with no data break the line.
 */
export function drawMetricChart(container: HTMLElement, answer: MetricSeriesAnswer): void {
  container.replaceChildren();
  const series = answer.series;
  if (!series.length || series.every((s) => s.points.every((p) => p.value === null))) {
    container.appendChild(h('p', { class: 'muted', data: { empty: 'metric' } }, `No point of ${answer.name} in this window.`));
    return;
  }
  const names = series.map((s) => seriesName(s, answer.name));
  const colour = serviceColors(names.map((_n, i) => String(i)));
  const width = Math.max(360, container.clientWidth || 800);
  const innerW = width - M.left - M.right;
  const innerH = HEIGHT - M.top - M.bottom;
  const times = series[0].points.map((p) => p.timeUs / 1000);
  const t0 = times[0];
  const t1 = times.length > 1 ? times[times.length - 1] : t0 + answer.stepUs / 1000;
  const x = scaleTime().domain([new Date(t0), new Date(t1)]).range([0, innerW]);
  const y = scaleLinear().domain([0, yTop(series)]).range([innerH, 0]).nice();
  const tf = timeFormat(tickPattern(t1 - t0));
  const svg = select(container).append('svg').attr('class', 'metric-chart').attr('width', width).attr('height', HEIGHT).attr('role', 'img').attr('aria-label', `${answer.name} over time`);
  const g = svg.append('g').attr('transform', `translate(${M.left},${M.top})`);
  g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${innerH})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(innerW / 90))).tickFormat((d) => tf(d as Date)));
  g.append('g').attr('class', 'axis y').call(axisLeft(y).ticks(5).tickFormat((d) => formatValue(Number(d))));
  series.forEach((s, i) => {
    const path = line<ComputedSeries['points'][number]>()
      .defined((p) => p.value !== null && Number.isFinite(p.value))
      .x((p) => x(new Date(p.timeUs / 1000)))
      .y((p) => y(p.value as number));
    g.append('path').attr('class', 'metric-line').attr('data-series', i).attr('stroke', colour(String(i))).attr('d', path(s.points) ?? '');
    // a measured step between two gaps draws no line: a dot shows it
    const lonely = s.points.filter((p, j) => p.value !== null && s.points[j - 1]?.value == null && s.points[j + 1]?.value == null);
    g.selectAll(`circle.metric-dot-${i}`)
      .data(lonely)
      .join('circle')
      .attr('class', `metric-dot metric-dot-${i}`)
      .attr('r', 2.5)
      .attr('fill', colour(String(i)))
      .attr('cx', (p) => x(new Date(p.timeUs / 1000)))
      .attr('cy', (p) => y(p.value as number));
  });
  const legend = h('ul', { class: 'metric-legend' });
  series.forEach((s, i) => {
    const last = [...s.points].reverse().find((p) => p.value !== null)?.value ?? null;
    const swatch = h('span', { class: 'metric-swatch' });
    swatch.style.background = colour(String(i));
    legend.appendChild(h('li', { data: { series: i } }, swatch, h('span', { class: 'metric-name' }, names[i]), h('span', { class: 'metric-last' }, formatValue(last))));
  });
  container.appendChild(legend);
}
