import { area, axisBottom, axisLeft, line, scaleLinear, scaleTime, select, timeFormat } from 'd3';
import type { IncidentSeriesView } from '../../../core/wire';
import { h } from '../dom';
import { tickPattern } from './redChartsLayout';
import { formatMetric, metricLabel, outsideBand, seriesLabel } from './incidentText';

const HEIGHT = 200;
const M = { top: 10, right: 14, bottom: 22, left: 58 };

type Point = IncidentSeriesView['points'][number];
const measured = (p: Point): p is { tUs: number; value: number } => p.value !== null && Number.isFinite(p.value);

/**
 * The alert's series over the incident (D3): one point per window, the band
 * its baseline calls normal shaded, a threshold rule's limit dashed, the
 * detection window shaded, and the windows outside the band marked.
 */
export function drawIncidentChart(container: HTMLElement, view: IncidentSeriesView, detection: { startUs: number; endUs: number }): void {
  container.replaceChildren();
  const points = [...view.points].sort((a, b) => a.tUs - b.tUs);
  const title = h('div', { class: 'red-title' }, `${seriesLabel(view.series)} · ${metricLabel(view.metric)}`, h('span', { class: 'muted' }, ` · one point per ${Math.round(view.stepUs / 60e6)} min`));
  container.appendChild(title);
  if (!points.some(measured)) {
    container.appendChild(h('p', { class: 'muted' }, 'No value in this window.'));
    return;
  }
  const width = Math.max(360, container.clientWidth || 640);
  const innerW = width - M.left - M.right;
  const innerH = HEIGHT - M.top - M.bottom;
  const t0 = points[0].tUs / 1000;
  const t1 = Math.max(points[points.length - 1].tUs / 1000 + view.stepUs / 1000, t0 + 60_000);
  const x = scaleTime().domain([new Date(t0), new Date(t1)]).range([0, innerW]);
  const top = Math.max(...points.filter(measured).map((p) => p.value), view.band?.high ?? 0, view.threshold?.value ?? 0);
  const y = scaleLinear().domain([0, top > 0 ? top * 1.1 : 1]).range([innerH, 0]).nice();
  // a point is drawn at the middle of its window
  const mid = (p: Point) => x(new Date(p.tUs / 1000 + view.stepUs / 2000));
  const svg = select(container).append('svg').attr('class', 'incident-chart').attr('width', width).attr('height', HEIGHT);
  const g = svg.append('g').attr('transform', `translate(${M.left},${M.top})`);
  g.append('rect')
    .attr('class', 'incident-detection')
    .attr('x', x(new Date(detection.startUs / 1000)))
    .attr('width', Math.max(2, x(new Date(detection.endUs / 1000)) - x(new Date(detection.startUs / 1000))))
    .attr('y', 0)
    .attr('height', innerH)
    .append('title')
    .text('the window the rule judged when it fired');
  if (view.band) {
    const band = view.band;
    g.append('path')
      .attr('class', 'incident-band')
      .attr('d', area<number>().x((d) => d).y0(y(band.low)).y1(y(band.high))([0, innerW]) ?? '')
      .append('title')
      .text(`normal: ${formatMetric(view.metric, band.low)} – ${formatMetric(view.metric, band.high)} (${band.method} baseline, usual ${formatMetric(view.metric, band.center)})`);
    g.append('line').attr('class', 'incident-center').attr('x1', 0).attr('x2', innerW).attr('y1', y(band.center)).attr('y2', y(band.center));
  }
  if (view.threshold) {
    g.append('line').attr('class', 'incident-threshold').attr('x1', 0).attr('x2', innerW).attr('y1', y(view.threshold.value)).attr('y2', y(view.threshold.value));
  }
  const tf = timeFormat(tickPattern(t1 - t0));
  g.append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${innerH})`)
    .call(axisBottom(x).ticks(Math.max(2, Math.floor(innerW / 90))).tickFormat((d) => tf(d as Date)));
  g.append('g')
    .attr('class', 'axis y')
    .call(axisLeft(y).ticks(4).tickFormat((d) => formatMetric(view.metric, Number(d))));
  g.append('path')
    .attr('class', 'incident-line')
    .attr(
      'd',
      line<Point>()
        .defined(measured)
        .x(mid)
        .y((p) => y(p.value as number))(points) ?? '',
    );
  g.selectAll('circle.incident-point')
    .data(points.filter(measured))
    .join('circle')
    .attr('class', (p) => `incident-point${outsideBand(view, p.value) ? ' outside' : ''}`)
    .attr('r', (p) => (outsideBand(view, p.value) ? 4 : 2.5))
    .attr('cx', mid)
    .attr('cy', (p) => y(p.value))
    .append('title')
    .text((p) => `${tf(new Date(p.tUs / 1000))}: ${formatMetric(view.metric, p.value)}`);
}
