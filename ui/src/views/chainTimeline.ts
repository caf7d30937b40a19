import { axisTop, pointer, scaleLinear, select, zoom, zoomIdentity, type ScaleLinear, type Selection, type ZoomTransform } from 'd3';
import type { Chain, ChainSpan, WaitKind } from '../api';
import { h, nameSpan, replace } from '../dom';
import { formatDuration } from '../format';
import { shortLabel, visibleText } from '../safeText';
import { layoutChain, spanKey, type ChainLayout, type PlacedSpan } from './chainLayout';
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

const LABEL_W = 250;
const STAGE_H = 22;
const AXIS_H = 24;
const CP_H = 16;
const TOP = STAGE_H + AXIS_H + CP_H + 6;
const ROW_PITCH = 12;
const BAR_H = 9;
const LANE_PAD = 6;
const COMPACT_ABOVE_LANES = 8;
const RIGHT = 24;
const STAGE_FILLS = ['#e8f0fe', '#fef3e2', '#e6f4ea', '#f3e8fd', '#fde7ef', '#e0f7fa'];
const STAGE_INK = ['#1a4fa0', '#8a5300', '#1e6b3a', '#6a2ca0', '#a0204d', '#006470'];

/** Fits `text` into about `px` pixels of 11-12px UI text (approximate: SVG text has no ellipsis), hidden characters escaped. */
function clip(text: string, px: number): string {
  return shortLabel(text, Math.max(1, Math.floor(px / 6.4)));
}

/**
 * The whole order on one time axis: a lane per trace with its spans packed into
 * sub-rows, join arrows between traces, waits hatched, the critical path drawn
 * over the bars and summarised in a strip under the axis, stages banded on top.
 */
export function createChainTimeline(chain: Chain, opts: ChainTimelineOptions): ChainTimeline {
  // Many lanes start compact (deep nesting shares the last sub-row); the toolbar expands them.
  let expanded = new Set(chain.spans.map((s) => s.traceId)).size <= COMPACT_ABOVE_LANES;
  const makeLayout = () => layoutChain(chain, { rowPitch: ROW_PITCH, lanePadding: LANE_PAD, minLaneHeight: 40, maxRows: expanded ? 12 : 4 });
  let layout: ChainLayout = makeLayout();
  const expandButton = h('button', { attrs: { type: 'button', 'aria-pressed': String(expanded) }, class: 'ct-expand' }, expanded ? 'Compact lanes' : 'Expand lanes');
  expandButton.addEventListener('click', () => {
    expanded = !expanded;
    expandButton.textContent = expanded ? 'Compact lanes' : 'Expand lanes';
    expandButton.setAttribute('aria-pressed', String(expanded));
    layout = makeLayout();
    draw();
  });
  const element = h('div', { class: 'chain-timeline', data: { lanes: layout.lanes.length } });
  const toolbar = h(
    'div',
    { class: 'ct-toolbar' },
    h('span', { class: 'muted' }, 'Drag to pan, Ctrl/⌘ + wheel (or double-click) to zoom.'),
    h('button', { attrs: { type: 'button' }, class: 'ct-reset', on: { click: () => resetZoom() } }, 'Reset zoom'),
    expandButton,
    legend(),
  );
  const plot = h('div', { class: 'ct-plot' });
  const tooltip = h('div', { class: 'tooltip', attrs: { role: 'tooltip' } });
  tooltip.hidden = true;
  plot.appendChild(tooltip);
  element.append(toolbar, plot);

  const critical = new Set<string>();
  for (const step of chain.criticalPath ?? []) if (!step.wait && step.traceId && step.spanId) critical.add(spanKey(step.traceId, step.spanId));
  let selectedKey: string | null = null;
  let transform: ZoomTransform = zoomIdentity;
  let svgSel: Selection<SVGSVGElement, unknown, null, undefined> | null = null;
  let zoomBehaviour: ReturnType<typeof zoom<SVGSVGElement, unknown>> | null = null;
  let update: () => void = () => undefined;

  const domainStart = chain.startUs;
  const domainEnd = Math.max(chain.endUs, chain.startUs + 1);
  const pad = (domainEnd - domainStart) * 0.02;

  function draw(): void {
    select(plot).selectAll('svg').remove();
    const width = Math.max(640, plot.clientWidth || element.clientWidth || 1100);
    const innerW = width - LABEL_W - RIGHT;
    const height = TOP + layout.height + 8;
    // The zoom works in SVG coordinates (the plot starts at LABEL_W); drawing uses plot coordinates.
    const x0 = scaleLinear().domain([domainStart - pad, domainEnd + pad]).range([LABEL_W, LABEL_W + innerW]);
    const plotScale = (t: ZoomTransform): ScaleLinear<number, number> => scaleLinear().domain(t.rescaleX(x0).domain()).range([0, innerW]);
    let x = plotScale(transform);

    const svg = select(plot)
      .insert('svg', ':first-child')
      .attr('class', 'ct-svg')
      .attr('width', width)
      .attr('height', height)
      .attr('role', 'img')
      .attr('aria-label', `Timeline of ${chain.traces.length} traces`);
    svgSel = svg;
    const defs = svg.append('defs');
    const uid = Math.random().toString(36).slice(2, 8);
    const hatchId = (kind: WaitKind | undefined) => (kind && kind !== 'queue' ? `ct-hatch-${kind}-${uid}` : `ct-hatch-${uid}`);
    defs
      .append('clipPath')
      .attr('id', `ct-clip-${uid}`)
      .append('rect')
      .attr('x', 0)
      .attr('y', -TOP)
      .attr('width', innerW)
      .attr('height', height + TOP);
    for (const kind of ['queue', 'intended', 'gap'] as const) {
      const look = waitLook(kind);
      const hatch = defs.append('pattern').attr('id', hatchId(kind)).attr('width', 6).attr('height', 6).attr('patternUnits', 'userSpaceOnUse').attr('patternTransform', 'rotate(45)');
      hatch.append('rect').attr('width', 6).attr('height', 6).attr('fill', look.fill);
      hatch.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', look.ink).attr('stroke-width', 2.5);
    }
    for (const [id, colour] of [
      ['link', '#4b5563'],
      ['message', '#7c3aed'],
    ] as const) {
      defs
        .append('marker')
        .attr('id', `ct-arrow-${id}-${uid}`)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 7)
        .attr('markerHeight', 7)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('d', 'M0,0 L10,5 L0,10 z')
        .attr('fill', colour);
    }

    // Left column: lane labels.
    const labels = svg.append('g').attr('class', 'ct-labels').attr('transform', `translate(0,${TOP})`);
    const laneG = labels
      .selectAll('g.ct-lane-label')
      .data(layout.lanes)
      .join('g')
      .attr('class', 'ct-lane-label')
      .attr('data-trace-id', (l) => l.trace.traceId)
      .attr('transform', (l) => `translate(0,${l.y})`);
    laneG
      .append('rect')
      .attr('class', (l) => `ct-lane-bg ${l.index % 2 ? 'odd' : 'even'}`)
      .attr('width', width)
      .attr('height', (l) => l.height);
    laneG
      .append('text')
      .attr('class', 'ct-lane-stage')
      .attr('x', 8)
      .attr('y', 13)
      .text((l) => clip(`${stageLabel(l.trace) ? stageLabel(l.trace).toUpperCase() + ' · ' : ''}${formatDuration(l.trace.durationUs)} · ${l.trace.spanCount} spans`, LABEL_W - 16));
    laneG
      .append('text')
      .attr('class', (l) => `ct-lane-name${l.trace.errorCount > 0 ? ' error' : ''}`)
      .attr('x', 8)
      .attr('y', 27)
      .text((l) => clip(`${l.trace.errorCount > 0 ? '! ' : ''}${l.trace.rootService}: ${l.trace.rootName}`, LABEL_W - 16));
    laneG.append('title').text((l) => `${visibleText(l.trace.rootService)}: ${visibleText(l.trace.rootName)}\ntrace ${l.trace.traceId}\nClick to zoom to this trace.`);
    laneG.on('click', (_e, l) => {
      // Zoom so the trace fills the plot, with a little air either side.
      const margin = Math.max(l.trace.durationUs * 0.05, 1);
      const a = l.trace.startUs - margin;
      const b = l.trace.startUs + Math.max(l.trace.durationUs, 1) + margin;
      const k = Math.max(1, Math.min(50_000, (x0(domainEnd + pad) - x0(domainStart - pad)) / (x0(b) - x0(a))));
      // translate(tx).scale(k) maps x0(v) to k·x0(v) + tx; the trace's start must land on LABEL_W.
      const target = zoomIdentity.translate(LABEL_W - k * x0(a), 0).scale(k);
      svg.transition().duration(300).call(zoomBehaviour!.transform, target);
    });
    labels
      .append('line')
      .attr('class', 'ct-divider')
      .attr('x1', LABEL_W - 0.5)
      .attr('x2', LABEL_W - 0.5)
      .attr('y1', -TOP)
      .attr('y2', layout.height);

    // Plot area.
    const plotG = svg.append('g').attr('transform', `translate(${LABEL_W},0)`);
    const clipped = plotG.append('g').attr('clip-path', `url(#ct-clip-${uid})`);
    const top = clipped.append('g');
    const body = clipped.append('g').attr('transform', `translate(0,${TOP})`);

    const stages = chain.stages ?? [];
    const stageBg = body
      .append('g')
      .attr('class', 'ct-stage-bg')
      .selectAll('rect')
      .data(stages)
      .join('rect')
      .attr('y', 0)
      .attr('height', layout.height)
      .attr('fill', (_s, i) => STAGE_FILLS[i % STAGE_FILLS.length])
      .attr('opacity', 0.45);
    const stageG = top
      .append('g')
      .attr('class', 'ct-stages')
      .selectAll('g')
      .data(stages)
      .join('g')
      .attr('class', 'stage-band')
      .attr('data-stage', (s) => s.name);
    stageG
      .append('rect')
      .attr('y', 1)
      .attr('height', STAGE_H - 2)
      .attr('rx', 3)
      .attr('fill', (_s, i) => STAGE_FILLS[i % STAGE_FILLS.length])
      .attr('stroke', (_s, i) => STAGE_INK[i % STAGE_INK.length])
      .attr('stroke-opacity', 0.35);
    const stageText = stageG
      .append('text')
      .attr('y', 15)
      .attr('fill', (_s, i) => STAGE_INK[i % STAGE_INK.length]);
    stageG.append('title').text((s) => `${visibleText(s.name)}: ${formatDuration(s.endUs - s.startUs)} · ${s.traceIds.length} trace${s.traceIds.length === 1 ? '' : 's'}`);

    const axisG = top.append('g').attr('class', 'axis ct-axis').attr('transform', `translate(0,${STAGE_H + AXIS_H - 2})`);

    // Critical-path strip: the chain's critical path as one bar, waits hatched.
    const cpSteps = chain.criticalPath ?? [];
    const cpStrip = top
      .append('g')
      .attr('class', 'ct-cp-strip')
      .attr('transform', `translate(0,${STAGE_H + AXIS_H + 2})`);
    cpStrip.append('title').text('Critical path of the whole chain: spans in their service colour, waits hatched by kind');
    const cpStripRects = cpStrip
      .selectAll('rect')
      .data(cpSteps)
      .join('rect')
      .attr('class', (d) => (d.wait ? 'cp-strip-wait' : 'cp-strip-seg'))
      .attr('data-wait-kind', (d) => (d.wait ? (d.kind ?? 'queue') : null))
      .attr('y', 0)
      .attr('height', CP_H - 4)
      .attr('fill', (d) => {
        if (d.wait) return `url(#${hatchId(d.kind)})`;
        const p = layout.byKey.get(spanKey(d.traceId, d.spanId));
        return p ? opts.colors(p.span.service) : '#9ca3af';
      });

    // Waits between traces, in the lane of the trace that waited.
    const waits = (chain.waits ?? []).filter((w) => layout.laneByTrace.has(w.toTraceId) && w.endUs > w.startUs);
    const waitG = body
      .append('g')
      .attr('class', 'ct-waits')
      .selectAll('g')
      .data(waits)
      .join('g')
      .attr('class', (w) => `wait${w.onCriticalPath ? ' on-cp' : ''}`)
      .attr('data-wait-kind', (w) => w.kind ?? 'queue')
      .attr('data-from-trace-id', (w) => w.fromTraceId)
      .attr('data-to-trace-id', (w) => w.toTraceId);
    const waitRects = waitG
      .append('rect')
      .attr('class', 'wait-shade')
      .attr('y', (w) => layout.laneByTrace.get(w.toTraceId)!.y + 3)
      .attr('height', (w) => layout.laneByTrace.get(w.toTraceId)!.height - 6)
      .attr('fill', (w) => `url(#${hatchId(w.kind)})`);
    const waitText = waitG
      .append('text')
      .attr('class', 'wait-label')
      .attr('y', (w) => layout.laneByTrace.get(w.toTraceId)!.y + layout.laneByTrace.get(w.toTraceId)!.height / 2 + 4)
      .text((w) => `${waitLook(w.kind).label} ${formatDuration(w.endUs - w.startUs)}`);
    waitG
      .append('title')
      .text(
        (w) =>
          `${waitLook(w.kind).label}${w.destination ? ` on ${visibleText(w.destination)}` : ''}: ${formatDuration(w.endUs - w.startUs)} between traces${w.onCriticalPath ? ' (on the critical path)' : ' (not on the critical path)'}`,
      );

    // Spans.
    const all: PlacedSpan[] = layout.lanes.flatMap((l) => l.spans);
    const yOf = (p: PlacedSpan) => layout.lanes[p.lane].y + LANE_PAD + p.row * ROW_PITCH;
    const bars = body
      .append('g')
      .attr('class', 'ct-spans')
      .selectAll<SVGRectElement, PlacedSpan>('rect')
      .data(all)
      .join('rect')
      .attr('class', (p) => {
        const k = spanKey(p.span.traceId, p.span.spanId);
        return `chain-span${p.span.status?.code === 'error' ? ' error' : ''}${critical.has(k) ? ' on-cp' : ''}${k === selectedKey ? ' selected' : ''}`;
      })
      .attr('data-trace-id', (p) => p.span.traceId)
      .attr('data-span-id', (p) => p.span.spanId)
      .attr('y', yOf)
      .attr('height', BAR_H)
      .attr('rx', 1.5)
      .attr('fill', (p) => opts.colors(p.span.service))
      .attr('tabindex', 0)
      .on('click', (_e, p) => selectSpan(p))
      .on('keydown', (e: KeyboardEvent, p) => {
        if (e.key === 'Enter') selectSpan(p);
      })
      .on('mouseenter', (event: MouseEvent, p) => showTip(event, p))
      .on('mousemove', (event: MouseEvent, p) => showTip(event, p))
      .on('mouseleave', () => (tooltip.hidden = true));

    // Critical path over the bars: a dark line through the time each span held the chain up.
    const cpSegs = (chain.criticalPath ?? []).filter((s) => !s.wait && layout.byKey.has(spanKey(s.traceId!, s.spanId!)));
    const cpLines = body
      .append('g')
      .attr('class', 'ct-cp')
      .selectAll('rect')
      .data(cpSegs)
      .join('rect')
      .attr('class', 'cp-seg')
      .attr('y', (s) => yOf(layout.byKey.get(spanKey(s.traceId!, s.spanId!))!) + BAR_H / 2 - 1.5)
      .attr('height', 3)
      .attr('pointer-events', 'none');

    // Errors: a red dot at the end of the failing span.
    const errs = all.filter((p) => p.span.status?.code === 'error');
    const errMarks = body
      .append('g')
      .attr('class', 'ct-errors')
      .selectAll('circle')
      .data(errs)
      .join('circle')
      .attr('class', 'error-mark')
      .attr('r', 4)
      .attr('cy', (p) => yOf(p) + BAR_H / 2)
      .attr('pointer-events', 'none');

    // Joins between traces.
    const joins = (chain.joins ?? []).filter((j) => layout.laneByTrace.has(j.fromTraceId) && layout.laneByTrace.has(j.toTraceId));
    const endpoint = (traceId: string, spanId: string): { p?: PlacedSpan; y: number } => {
      const p = layout.byKey.get(spanKey(traceId, spanId));
      if (p) return { p, y: yOf(p) + BAR_H / 2 };
      const lane = layout.laneByTrace.get(traceId)!;
      return { y: lane.y + LANE_PAD + BAR_H / 2 };
    };
    const joinPaths = body
      .append('g')
      .attr('class', 'ct-joins')
      .selectAll('path')
      .data(joins)
      .join('path')
      .attr('class', (j) => `join-arrow join-${j.kind === 'message' ? 'message' : 'link'}`)
      .attr('data-from-trace-id', (j) => j.fromTraceId)
      .attr('data-to-trace-id', (j) => j.toTraceId)
      .attr('marker-end', (j) => `url(#ct-arrow-${j.kind === 'message' ? 'message' : 'link'}-${uid})`);
    joinPaths.append('title').text((j) => `${j.kind === 'message' ? 'Message' : 'Span link'}${j.waitUs ? ` · waited ${formatDuration(j.waitUs)}` : ''}`);

    update = () => {
      stageBg.attr('x', (s) => x(s.startUs)).attr('width', (s) => Math.max(1, x(s.endUs) - x(s.startUs)));
      stageG.select('rect').attr('x', (s) => x(s.startUs) + 1).attr('width', (s) => Math.max(2, x(s.endUs) - x(s.startUs) - 2));
      stageText
        .attr('x', (s) => Math.max(0, x(s.startUs)) + 6)
        .text((s) => clip(s.name, Math.min(x(s.endUs), innerW) - Math.max(0, x(s.startUs)) - 10));
      axisG.call(
        axisTop(x)
          .ticks(Math.max(2, Math.floor(innerW / 110)))
          .tickFormat((v) => offsetText(Number(v) - chain.startUs)),
      );
      cpStripRects.attr('x', (s) => x(s.startUs)).attr('width', (s) => Math.max(1, x(s.endUs) - x(s.startUs)));
      waitRects.attr('x', (w) => x(w.startUs)).attr('width', (w) => Math.max(2, x(w.endUs) - x(w.startUs)));
      waitText
        .attr('x', (w) => x(w.startUs) + 4)
        .attr('display', (w) => (x(w.endUs) - x(w.startUs) > 90 ? null : 'none'));
      bars.attr('x', (p) => x(p.span.startUs)).attr('width', (p) => Math.max(1.5, x(p.span.startUs + p.span.durationUs) - x(p.span.startUs)));
      cpLines.attr('x', (s) => x(s.startUs)).attr('width', (s) => Math.max(1, x(s.endUs) - x(s.startUs)));
      errMarks.attr('cx', (p) => x(p.span.startUs + p.span.durationUs));
      joinPaths.attr('d', (j) => {
        const from = endpoint(j.fromTraceId, j.fromSpanId);
        const to = endpoint(j.toTraceId, j.toSpanId);
        const x1 = from.p ? x(from.p.span.startUs + from.p.span.durationUs) : x(layout.laneByTrace.get(j.fromTraceId)!.trace.startUs);
        const x2 = to.p ? x(to.p.span.startUs) : x(layout.laneByTrace.get(j.toTraceId)!.trace.startUs);
        const dx = Math.max(24, Math.abs(x2 - x1) / 2);
        return `M${x1},${from.y} C${x1 + dx},${from.y} ${x2 - dx},${to.y} ${x2},${to.y}`;
      });
    };
    update();

    zoomBehaviour = zoom<SVGSVGElement, unknown>()
      .scaleExtent([1, 50_000])
      .extent([
        [LABEL_W, 0],
        [LABEL_W + innerW, height],
      ])
      .translateExtent([
        [LABEL_W, -Infinity],
        [LABEL_W + innerW, Infinity],
      ])
      .filter((event: Event) => {
        if (event.type === 'wheel') return (event as WheelEvent).ctrlKey || (event as WheelEvent).metaKey;
        return !(event as MouseEvent).button;
      })
      .on('zoom', (event: { transform: ZoomTransform }) => {
        transform = event.transform;
        x = plotScale(transform);
        tooltip.hidden = true;
        update();
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
    const s = p.span;
    replace(
      tooltip,
      h('strong', null, nameSpan(s.service), ': ', nameSpan(s.name)),
      h('div', null, `${formatDuration(s.durationUs)} · starts +${formatDuration(s.startUs - chain.startUs)}`),
      s.status?.code === 'error' ? h('div', { class: 'tip-error' }, `error${s.status.message ? `: ${s.status.message}` : ''}`) : null,
      critical.has(spanKey(s.traceId, s.spanId)) ? h('div', { class: 'muted' }, 'on the critical path') : null,
    );
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

function offsetText(us: number): string {
  return us < 0 ? `−${formatDuration(-us)}` : `+${formatDuration(us)}`;
}

/** A trace's stage, unless it only repeats the root's service and name (the default stage naming). */
function stageLabel(t: { stage?: string; rootService: string; rootName: string }): string {
  if (!t.stage) return '';
  return t.stage === `${t.rootService}: ${t.rootName}` || t.stage === t.rootName ? '' : t.stage;
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
