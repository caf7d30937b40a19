import { interpolateInferno, select } from 'd3';
import type { PanelData, Thresholds } from '../../../core/wire';
import { formatClock } from '../format';
import { visibleText } from '../safeText';
import { heatmapScene, latencyLabel, type HeatmapBox } from './heatmapLayout';
import { formatMeasure, thresholdLevel } from './screenLayout';

type HeatmapData = Extract<PanelData, { kind: 'order-latency' | 'service-latency' }>;

/** Room for the band labels and the times, in pixels of the panel (the SVG's viewBox is the panel's size, so text keeps its size). */
const LEFT = 64;
const BOTTOM = 22;
const TOP = 10;

/** The shade of a cell: Inferno from its dark third (one call still shows on the dark theme) to its light end. */
const cellColour = (shade: number) => interpolateInferno(0.25 + 0.7 * shade);

/**
 * A latency heatmap panel drawn with D3 joins on one SVG kept across refreshes:
 * cells keyed by minute and band, so a refresh moves, adds and removes
 * elements instead of building the panel again (a screen runs for days).
 */
export function drawHeatmap(body: HTMLElement, data: HeatmapData, thresholds: Thresholds | undefined): void {
  const width = Math.max(300, Math.round(body.clientWidth));
  const height = Math.max(120, Math.round(body.clientHeight));
  const legendHeight = 24;
  const box: HeatmapBox = { width, height: height - legendHeight, left: LEFT, bottom: BOTTOM, top: TOP };
  const scene = heatmapScene(data, box, thresholds);
  const root = select(body);
  root.selectAll(':scope > :not(.screen-heatmap)').remove();
  const wrap = root.selectAll<HTMLDivElement, null>(':scope > .screen-heatmap').data([null]).join('div').attr('class', 'screen-heatmap');

  const whole = data.columns.slice(0, -1).reverse().find((c) => c.p95Ms !== null);
  const level = thresholdLevel(whole?.p95Ms, thresholds);
  const subject = data.kind === 'order-latency' ? `orders (${data.key})` : data.service === null ? 'entry spans of every service' : `entry spans of ${data.service}`;
  const legend = wrap.selectAll<HTMLDivElement, null>('.chart-legend').data([null]).join('div').attr('class', 'chart-legend');
  legend
    .selectAll<HTMLSpanElement, string>('span')
    .data([
      `p95 ${formatMeasure(whole?.p95Ms ?? null, 'ms')}`,
      `${formatMeasure(data.total, 'count')} ${visibleText(subject)}`,
      data.total ? `at most ${formatMeasure(data.maxCount, 'count')} a cell` : 'nothing in this window',
    ])
    .join('span')
    .attr('class', (_d, i) => (i === 0 ? `heatmap-now level-${level}` : i === 1 ? 'heatmap-subject' : 'chart-top'))
    .text((d) => d);

  const svg = wrap
    .selectAll<SVGSVGElement, null>('svg')
    .data([null])
    .join('svg')
    .attr('class', 'heatmap-plot')
    .attr('viewBox', `0 0 ${box.width} ${box.height}`)
    .attr('role', 'img')
    .attr('aria-label', `Latency heatmap of ${visibleText(subject)}`);
  const layer = (name: string) => svg.selectAll<SVGGElement, string>(`g.${name}`).data([name]).join('g').attr('class', name);

  layer('heatmap-cells')
    .selectAll<SVGRectElement, (typeof scene.cells)[number]>('rect')
    .data(scene.cells, (d) => d.key)
    .join('rect')
    .attr('x', (d) => d.x.toFixed(1))
    .attr('y', (d) => d.y.toFixed(1))
    .attr('width', (d) => Math.max(1, d.width - 1).toFixed(1))
    .attr('height', (d) => Math.max(1, d.height - 1).toFixed(1))
    .attr('fill', (d) => cellColour(d.shade))
    .attr('data-count', (d) => d.count);

  layer('heatmap-p95')
    .selectAll<SVGPathElement, string>('path')
    .data([scene.p95Path])
    .join('path')
    .attr('class', `heatmap-p95-line level-${level}`)
    .attr('d', (d) => d);

  const marks = layer('heatmap-marks')
    .selectAll<SVGGElement, (typeof scene.marks)[number]>('g')
    .data(scene.marks, (d) => d.level)
    .join((enter) => {
      const g = enter.append('g');
      g.append('line');
      g.append('text');
      return g;
    })
    .attr('class', (d) => `heatmap-mark level-${d.level}`);
  marks.select('line').attr('x1', LEFT).attr('x2', box.width).attr('y1', (d) => d.y.toFixed(1)).attr('y2', (d) => d.y.toFixed(1));
  marks
    .select('text')
    .attr('x', box.width - 4)
    .attr('y', (d) => (d.y - 3).toFixed(1))
    .attr('text-anchor', 'end')
    .text((d) => `${d.level} ${latencyLabel(d.ms)}`);

  layer('heatmap-bands')
    .selectAll<SVGTextElement, (typeof scene.bandLabels)[number]>('text')
    .data(scene.bandLabels)
    .join('text')
    .attr('x', LEFT - 6)
    .attr('y', (d) => d.y.toFixed(1))
    .attr('text-anchor', 'end')
    .attr('dominant-baseline', 'middle')
    .text((d) => latencyLabel(d.ms));

  layer('heatmap-times')
    .selectAll<SVGTextElement, (typeof scene.timeLabels)[number]>('text')
    .data(scene.timeLabels)
    .join('text')
    .attr('x', (d) => d.x.toFixed(1))
    .attr('y', box.height - 4)
    .attr('text-anchor', (d) => d.anchor)
    .text((d) => formatClock(d.tUs).slice(0, 5));
}
