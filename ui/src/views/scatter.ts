import { axisBottom, axisLeft, extent, max, min, pointer, scaleLinear, scaleLog, scaleTime, select } from 'd3';
import type { TraceSummary } from '../api';
import { h, nameSpan } from '../dom';
import { formatDuration, formatTime } from '../format';
import { timeTickLabels } from './timeTicks';

export interface ScatterOptions {
  logScale: boolean;
  onOpen(traceId: string): void;
}

const HEIGHT = 220;
const MARGIN = { top: 12, right: 36, bottom: 28, left: 64 };

/** Trace durations over time: x = start, y = duration, red dots for traces with errors. */
export function drawScatter(container: HTMLElement, traces: TraceSummary[], opts: ScatterOptions): void {
  container.replaceChildren();
  container.classList.add('scatter');
  const width = Math.max(360, container.clientWidth || 800);
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;

  const times = traces.map((t) => new Date(t.startUs / 1000));
  let [t0, t1] = extent(times) as [Date | undefined, Date | undefined];
  if (!t0 || !t1) return;
  if (+t0 === +t1) {
    t0 = new Date(+t0 - 30_000);
    t1 = new Date(+t1 + 30_000);
  }
  const x = scaleTime().domain([t0, t1]).range([0, innerW]).nice();
  // labels as precise as the step between ticks, never repeated (timeTicks.ts)
  const xTicks = timeTickLabels(x.ticks(Math.max(2, Math.floor(innerW / 150))).map((d) => +d));

  // Durations in ms; a log scale needs a positive floor (1µs).
  const ms = (t: TraceSummary) => Math.max(t.durationUs / 1000, 0.001);
  const maxMs = max(traces, ms) ?? 1;
  const y = opts.logScale
    ? scaleLog().domain([Math.max(0.001, (min(traces, ms) ?? 0.001) / 1.5), maxMs * 1.5]).range([innerH, 0]).clamp(true)
    : scaleLinear().domain([0, maxMs * 1.1]).range([innerH, 0]).nice();

  const svg = select(container)
    .append('svg')
    .attr('width', width)
    .attr('height', HEIGHT)
    .attr('role', 'img')
    .attr('aria-label', 'Trace durations over time');
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${innerH})`).call(
      axisBottom(x)
        .tickValues(xTicks.ticks.map((ms) => new Date(ms)))
        .tickFormat((_d, i) => xTicks.labels[i]),
    );
  g.append('g')
    .attr('class', 'axis y')
    .call(axisLeft(y).ticks(opts.logScale ? 4 : 5).tickFormat((d) => formatDuration(Number(d) * 1000)));

  const tooltip = h('div', { class: 'tooltip', attrs: { role: 'tooltip' } });
  tooltip.hidden = true;
  container.appendChild(tooltip);

  g.append('g')
    .attr('class', 'dots')
    .selectAll('circle')
    .data(traces, (d) => (d as TraceSummary).traceId)
    .join('circle')
    .attr('class', (d) => (d.errorCount > 0 ? 'dot error' : 'dot'))
    .attr('data-trace-id', (d) => d.traceId)
    .attr('cx', (d) => x(new Date(d.startUs / 1000)))
    .attr('cy', (d) => y(ms(d)))
    .attr('r', (d) => Math.min(10, 3.5 + Math.sqrt(d.spanCount) / 3))
    .attr('tabindex', 0)
    .on('mouseenter focus', function (event: MouseEvent | FocusEvent, d) {
      const [px, py] = pointer(event, container);
      tooltip.replaceChildren(
        h('strong', null, nameSpan(d.rootService), ': ', nameSpan(d.rootName)),
        h('div', null, `${formatDuration(d.durationUs)} · ${d.spanCount} spans${d.errorCount ? ` · ${d.errorCount} errors` : ''}`),
        h('div', { class: 'muted' }, formatTime(d.startUs)),
      );
      tooltip.hidden = false;
      const cx = Number(select(this).attr('cx')) + MARGIN.left;
      const cy = Number(select(this).attr('cy')) + MARGIN.top;
      const left = event.type === 'focus' ? cx : px;
      const top = event.type === 'focus' ? cy : py;
      tooltip.style.left = `${Math.min(left + 12, width - 240)}px`;
      tooltip.style.top = `${Math.max(0, top - 10)}px`;
    })
    .on('mouseleave blur', () => {
      tooltip.hidden = true;
    })
    .on('click', (_event, d) => opts.onOpen(d.traceId))
    .on('keydown', (event: KeyboardEvent, d) => {
      if (event.key === 'Enter') opts.onOpen(d.traceId);
    });
}
