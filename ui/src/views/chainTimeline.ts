import { pointer, scaleLinear, select, zoom, zoomIdentity, type ScaleLinear, type Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { Chain, ChainSpan } from '../api';
import { h, nameSpan, replace } from '../dom';
import { formatDuration } from '../format';
import { layoutChain, spanKey, type ChainLayout, type PlacedSpan } from './chainLayout';
import {
  drawAxis,
  drawCriticalOverlay,
  drawCriticalStrip,
  drawDefs,
  drawErrorMarks,
  drawJoins,
  drawLaneLabels,
  drawSpans,
  drawStages,
  drawWaits,
  type LayerContext,
} from './chainTimelineLayers';
import { criticalSpanKeys, LABEL_W, laneOptions, MAX_ZOOM, startsExpanded, timelineFrame, TOP, zoomToTrace, type TimelineFrame } from './chainTimelineScene';
import { waitLook } from './waitKinds';

export interface ChainTimelineOptions {
  colors: (service: string) => string;
  onSelect(span: ChainSpan | null): void;
}

export interface ChainTimeline {
  element: HTMLElement;
  select(traceId: string, spanId: string): void;
  resetZoom(): void;
  /** Redraws at the container's current width. */
  resize(): void;
}

/**
 * The whole order on one time axis: a lane per trace with its spans packed into
 * sub-rows, join arrows between traces, waits hatched, the critical path drawn
 * over the bars and summarised in a strip under the axis, stages banded on top.
 */
export function createChainTimeline(chain: Chain, opts: ChainTimelineOptions): ChainTimeline {
  let layout: ChainLayout = layoutChain(chain, laneOptions(startsExpanded(chain)));
  const element = h('div', { class: 'chain-timeline', data: { lanes: layout.lanes.length } });
  const toolbar = h(
    'div',
    { class: 'ct-toolbar' },
    h('span', { class: 'muted' }, 'Drag to pan, Ctrl/⌘ + wheel (or double-click) to zoom.'),
    h('button', { attrs: { type: 'button' }, class: 'ct-reset', on: { click: () => resetZoom() } }, 'Reset zoom'),
    expandToggle(startsExpanded(chain), (expanded) => {
      layout = layoutChain(chain, laneOptions(expanded));
      draw();
    }),
    legend(),
  );
  const plot = h('div', { class: 'ct-plot' });
  const tooltip = h('div', { class: 'tooltip', attrs: { role: 'tooltip' } });
  tooltip.hidden = true;
  plot.appendChild(tooltip);
  element.append(toolbar, plot);

  const critical = criticalSpanKeys(chain.criticalPath);
  let selectedKey: string | null = null;
  let transform: ZoomTransform = zoomIdentity;
  let svgSel: Selection<SVGSVGElement, unknown, null, undefined> | null = null;
  let zoomBehaviour: ReturnType<typeof zoom<SVGSVGElement, unknown>> | null = null;

  function draw(): void {
    select(plot).selectAll('svg').remove();
    const frame = timelineFrame(chain, layout, plot.clientWidth || element.clientWidth || 1100);
    // The zoom works in SVG coordinates (the plot starts at LABEL_W); drawing uses plot coordinates.
    const x0 = scaleLinear().domain(frame.domain).range([LABEL_W, LABEL_W + frame.innerW]);
    const plotScale = (t: ZoomTransform): ScaleLinear<number, number> => scaleLinear().domain(t.rescaleX(x0).domain()).range([0, frame.innerW]);

    const svg = select(plot)
      .insert('svg', ':first-child')
      .attr('class', 'ct-svg')
      .attr('width', frame.width)
      .attr('height', frame.height)
      .attr('role', 'img')
      .attr('aria-label', `Timeline of ${chain.traces.length} traces`);
    svgSel = svg;
    const ctx: LayerContext = { chain, layout, frame, uid: Math.random().toString(36).slice(2, 8), colors: opts.colors, critical, selectedKey };
    drawDefs(svg, ctx);
    drawLaneLabels(svg, ctx, (lane) => {
      const { k, tx } = zoomToTrace(x0, frame.domain, lane.trace);
      svg.transition().duration(300).call(zoomBehaviour!.transform, zoomIdentity.translate(tx, 0).scale(k));
    });
    const clipped = svg.append('g').attr('transform', `translate(${LABEL_W},0)`).append('g').attr('clip-path', `url(#ct-clip-${ctx.uid})`);
    const top = clipped.append('g');
    const body = clipped.append('g').attr('transform', `translate(0,${TOP})`);
    const layers = [
      drawStages(top, body, ctx),
      drawAxis(top, ctx),
      drawCriticalStrip(top, ctx),
      drawWaits(body, ctx),
      drawSpans(body, ctx, { select: selectSpan, hover: showTip, leave: () => (tooltip.hidden = true) }),
      drawCriticalOverlay(body, ctx),
      drawErrorMarks(body, ctx),
      drawJoins(body, ctx),
    ];
    const place = (x: ScaleLinear<number, number>) => layers.forEach((layer) => layer(x));
    place(plotScale(transform));
    zoomBehaviour = timelineZoom(frame, (t) => {
      transform = t;
      tooltip.hidden = true;
      place(plotScale(t));
    });
    svg.call(zoomBehaviour).on('dblclick.zoom', null);
    svg.on('dblclick', (event: MouseEvent) => {
      if ((event.target as Element).classList?.contains('chain-span')) return;
      const [px] = pointer(event, svg.node());
      if (px < LABEL_W) return;
      svg.transition().duration(250).call(zoomBehaviour!.scaleBy, event.shiftKey ? 0.5 : 2, [px, 0]);
    });
    if (transform !== zoomIdentity) svg.call(zoomBehaviour.transform, transform);
  }

  function selectSpan(p: PlacedSpan | null): void {
    selectedKey = p ? spanKey(p.span.traceId, p.span.spanId) : null;
    select(plot)
      .selectAll<SVGRectElement, PlacedSpan>('rect.chain-span')
      .classed('selected', (d) => spanKey(d.span.traceId, d.span.spanId) === selectedKey);
    opts.onSelect(p ? p.span : null);
  }

  function showTip(event: MouseEvent, p: PlacedSpan): void {
    replace(tooltip, ...spanTip(p.span, chain.startUs, critical.has(spanKey(p.span.traceId, p.span.spanId))));
    tooltip.hidden = false;
    const [px, py] = pointer(event, plot);
    tooltip.style.left = `${Math.min(px + 14, Math.max(0, plot.clientWidth - 330))}px`;
    tooltip.style.top = `${py + 14}px`;
  }

  function resetZoom(): void {
    if (svgSel && zoomBehaviour) svgSel.transition().duration(250).call(zoomBehaviour.transform, zoomIdentity);
  }

  // Draw once the element is in the document (width known); callers call resize() after mounting.
  return {
    element,
    select(traceId, spanId) {
      const p = layout.byKey.get(spanKey(traceId, spanId));
      if (p) selectSpan(p);
    },
    resetZoom,
    resize: draw,
  };
}

/** The toolbar's lane-height switch: compact lanes share their last sub-rows. */
function expandToggle(expanded: boolean, onChange: (expanded: boolean) => void): HTMLButtonElement {
  const label = () => (expanded ? 'Compact lanes' : 'Expand lanes');
  const button = h('button', { attrs: { type: 'button', 'aria-pressed': String(expanded) }, class: 'ct-expand' }, label());
  button.addEventListener('click', () => {
    expanded = !expanded;
    button.textContent = label();
    button.setAttribute('aria-pressed', String(expanded));
    onChange(expanded);
  });
  return button;
}

/** A span's tooltip: names, duration and offset from the chain's start, its error, whether it is on the critical path. */
function spanTip(s: ChainSpan, chainStartUs: number, onCriticalPath: boolean): Array<HTMLElement | null> {
  return [
    h('strong', null, nameSpan(s.service), ': ', nameSpan(s.name)),
    h('div', null, `${formatDuration(s.durationUs)} · starts +${formatDuration(s.startUs - chainStartUs)}`),
    s.status?.code === 'error' ? h('div', { class: 'tip-error' }, `error${s.status.message ? `: ${s.status.message}` : ''}`) : null,
    onCriticalPath ? h('div', { class: 'muted' }, 'on the critical path') : null,
  ];
}

/** Pan by dragging over the plot, zoom with Ctrl/⌘ + wheel, never out past the whole chain. */
function timelineZoom(frame: TimelineFrame, onZoom: (t: ZoomTransform) => void): ZoomBehavior<SVGSVGElement, unknown> {
  return zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, MAX_ZOOM])
    .extent([
      [LABEL_W, 0],
      [LABEL_W + frame.innerW, frame.height],
    ])
    .translateExtent([
      [LABEL_W, -Infinity],
      [LABEL_W + frame.innerW, Infinity],
    ])
    .filter((event: Event) => {
      if (event.type === 'wheel') return (event as WheelEvent).ctrlKey || (event as WheelEvent).metaKey;
      return !(event as MouseEvent).button;
    })
    .on('zoom', (event: { transform: ZoomTransform }) => onZoom(event.transform));
}

function legend(): HTMLElement {
  const item = (cls: string, text: string) => h('span', { class: 'legend-item' }, h('span', { class: `ct-key ${cls}` }), text);
  const wait = (kind: 'queue' | 'intended' | 'gap') =>
    h('span', { class: 'legend-item', title: waitLook(kind).help }, h('span', { class: 'ct-key', style: { background: waitLook(kind).background } }), waitLook(kind).label);
  return h(
    'span',
    { class: 'legend ct-legend' },
    item('k-cp', 'critical path'),
    wait('queue'),
    wait('intended'),
    wait('gap'),
    item('k-link', 'span link'),
    item('k-message', 'message'),
    item('k-error', 'error'),
  );
}
