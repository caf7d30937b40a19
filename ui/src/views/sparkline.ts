import { extent, line, max, scaleLinear, select } from 'd3';
import { visibleText } from '../safeText';
import { formatDuration, formatTime } from '../format';

export interface SparkPoint {
  tUs: number;
  valueUs: number;
  label: string;
}

/**
 * A small latency-over-time chart: a line through the points in time order,
 * a dot per point (clickable), the slowest one labelled.
 */
export function drawSparkline(container: HTMLElement, points: SparkPoint[], opts: { height?: number; onClick?(p: SparkPoint): void } = {}): void {
  container.replaceChildren();
  if (!points.length) return;
  const width = Math.max(280, container.clientWidth || 600);
  const height = opts.height ?? 64;
  const m = { top: 8, right: 10, bottom: 6, left: 52 };
  const sorted = [...points].sort((a, b) => a.tUs - b.tUs);
  let [t0, t1] = extent(sorted, (p) => p.tUs) as [number, number];
  if (t0 === t1) {
    t0 -= 1;
    t1 += 1;
  }
  const x = scaleLinear().domain([t0, t1]).range([m.left, width - m.right]);
  const y = scaleLinear()
    .domain([0, (max(sorted, (p) => p.valueUs) ?? 1) * 1.1])
    .range([height - m.bottom, m.top]);
  const svg = select(container)
    .append('svg')
    .attr('class', 'sparkline')
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', 'End-to-end latency over time');
  const top = max(sorted, (p) => p.valueUs) ?? 0;
  svg.append('line').attr('class', 'spark-base').attr('x1', m.left).attr('x2', width - m.right).attr('y1', y(0)).attr('y2', y(0));
  svg.append('text').attr('class', 'spark-label').attr('x', m.left - 6).attr('y', y(top) + 4).text(formatDuration(top));
  svg.append('text').attr('class', 'spark-label').attr('x', m.left - 6).attr('y', y(0)).text('0');
  svg
    .append('path')
    .attr('class', 'spark-line')
    .attr('d', line<SparkPoint>().x((p) => x(p.tUs)).y((p) => y(p.valueUs))(sorted) ?? '');
  svg
    .selectAll('circle')
    .data(sorted)
    .join('circle')
    .attr('class', 'spark-dot')
    .attr('cx', (p) => x(p.tUs))
    .attr('cy', (p) => y(p.valueUs))
    .attr('r', 3)
    .on('click', (_e, p) => opts.onClick?.(p))
    .append('title')
    .text((p) => `${visibleText(p.label)}: ${formatDuration(p.valueUs)} at ${formatTime(p.tUs)}`);
}

/** A horizontal bar of `value` relative to `maxValue`, for table cells. */
export function drawMiniBar(container: HTMLElement, value: number, maxValue: number, width = 120): void {
  const frac = maxValue > 0 ? Math.max(0.01, Math.min(1, value / maxValue)) : 0;
  const svg = select(container).append('svg').attr('class', 'mini-bar').attr('width', width).attr('height', 10);
  svg.append('rect').attr('class', 'mini-bar-bg').attr('width', width).attr('height', 10).attr('rx', 2);
  svg
    .append('rect')
    .attr('class', `mini-bar-fg${frac > 0.75 ? ' hot' : ''}`)
    .attr('width', width * frac)
    .attr('height', 10)
    .attr('rx', 2);
}
