import { axisTop, type ScaleLinear, type Selection } from 'd3';
import type { Chain, WaitKind } from '../api';
import { formatDuration } from '../format';
import { shortLabel, visibleText } from '../safeText';
import { spanKey, type ChainLayout, type Lane, type PlacedSpan } from './chainLayout';
import {
  BAR_H,
  CP_H,
  STAGE_H,
  AXIS_H,
  LABEL_W,
  TOP,
  WAIT_LABEL_MIN_PX,
  barTop,
  criticalSegments,
  isWaitStep,
  joinCurves,
  joinPath,
  offsetText,
  stageLabel,
  stretch,
  waitBoxes,
  type TimelineFrame,
} from './chainTimelineScene';
import { waitLook } from './waitKinds';

/** The D3 layers of the chain timeline, one function each; each draws its marks and returns how to place them for a time scale. */

export type Group = Selection<SVGGElement, unknown, null, undefined>;
export type Scale = ScaleLinear<number, number>;
export type Place = (x: Scale) => void;

export interface LayerContext {
  chain: Chain;
  layout: ChainLayout;
  frame: TimelineFrame;
  /** Makes pattern and marker ids unique to this drawing. */
  uid: string;
  colors: (service: string) => string;
  /** spanKey of the spans on the critical path. */
  critical: Set<string>;
  selectedKey: string | null;
}

const STAGE_FILLS = ['#e8f0fe', '#fef3e2', '#e6f4ea', '#f3e8fd', '#fde7ef', '#e0f7fa'];
const STAGE_INK = ['#1a4fa0', '#8a5300', '#1e6b3a', '#6a2ca0', '#a0204d', '#006470'];
const JOIN_COLOURS = [
  ['link', '#4b5563'],
  ['message', '#7c3aed'],
] as const;

/** Fits `text` into about `px` pixels of 11-12px UI text (approximate: SVG text has no ellipsis), hidden characters escaped. */
function clip(text: string, px: number): string {
  return shortLabel(text, Math.max(1, Math.floor(px / 6.4)));
}

export const hatchId = (uid: string, kind: WaitKind | undefined): string => (kind && kind !== 'queue' ? `ct-hatch-${kind}-${uid}` : `ct-hatch-${uid}`);
const joinKind = (kind: string): 'message' | 'link' => (kind === 'message' ? 'message' : 'link');

/** The plot's clip rectangle, a hatch pattern per wait kind, an arrow head per join kind. */
export function drawDefs(svg: Selection<SVGSVGElement, unknown, null, undefined>, { uid, frame }: LayerContext): void {
  const defs = svg.append('defs');
  defs.append('clipPath').attr('id', `ct-clip-${uid}`).append('rect').attr('x', 0).attr('y', -TOP).attr('width', frame.innerW).attr('height', frame.height + TOP);
  for (const kind of ['queue', 'intended', 'gap'] as const) {
    const look = waitLook(kind);
    const hatch = defs.append('pattern').attr('id', hatchId(uid, kind)).attr('width', 6).attr('height', 6).attr('patternUnits', 'userSpaceOnUse').attr('patternTransform', 'rotate(45)');
    hatch.append('rect').attr('width', 6).attr('height', 6).attr('fill', look.fill);
    hatch.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', look.ink).attr('stroke-width', 2.5);
  }
  for (const [id, colour] of JOIN_COLOURS) {
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
}

/** Left column: a label per lane (stage, duration, spans; root service and name); a click zooms to that trace. */
export function drawLaneLabels(svg: Selection<SVGSVGElement, unknown, null, undefined>, { layout, frame }: LayerContext, onClick: (lane: Lane) => void): void {
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
    .attr('width', frame.width)
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
  laneG.on('click', (_e, l) => onClick(l));
  labels.append('line').attr('class', 'ct-divider').attr('x1', LABEL_W - 0.5).attr('x2', LABEL_W - 0.5).attr('y1', -TOP).attr('y2', layout.height);
}

/** Stage bands: a labelled band on top and a pale background over the lanes. */
export function drawStages(top: Group, body: Group, { chain, layout, frame }: LayerContext): Place {
  const stages = chain.stages ?? [];
  const fill = (i: number) => STAGE_FILLS[i % STAGE_FILLS.length];
  const ink = (i: number) => STAGE_INK[i % STAGE_INK.length];
  const stageBg = body.append('g').attr('class', 'ct-stage-bg').selectAll('rect').data(stages).join('rect').attr('y', 0).attr('height', layout.height).attr('fill', (_s, i) => fill(i)).attr('opacity', 0.45);
  const stageG = top.append('g').attr('class', 'ct-stages').selectAll('g').data(stages).join('g').attr('class', 'stage-band').attr('data-stage', (s) => s.name);
  stageG.append('rect').attr('y', 1).attr('height', STAGE_H - 2).attr('rx', 3).attr('fill', (_s, i) => fill(i)).attr('stroke', (_s, i) => ink(i)).attr('stroke-opacity', 0.35);
  const stageText = stageG.append('text').attr('y', 15).attr('fill', (_s, i) => ink(i));
  stageG.append('title').text((s) => `${visibleText(s.name)}: ${formatDuration(s.endUs - s.startUs)} · ${s.traceIds.length} trace${s.traceIds.length === 1 ? '' : 's'}`);
  return (x) => {
    stageBg.attr('x', (s) => x(s.startUs)).attr('width', (s) => stretch(x, s.startUs, s.endUs, 1).width);
    stageG.select('rect').attr('x', (s) => x(s.startUs) + 1).attr('width', (s) => Math.max(2, x(s.endUs) - x(s.startUs) - 2));
    stageText.attr('x', (s) => Math.max(0, x(s.startUs)) + 6).text((s) => clip(s.name, Math.min(x(s.endUs), frame.innerW) - Math.max(0, x(s.startUs)) - 10));
  };
}

/** The time axis: offsets from the chain's start. */
export function drawAxis(top: Group, { chain, frame }: LayerContext): Place {
  const axisG = top.append('g').attr('class', 'axis ct-axis').attr('transform', `translate(0,${STAGE_H + AXIS_H - 2})`);
  return (x) => {
    axisG.call(
      axisTop(x)
        .ticks(Math.max(2, Math.floor(frame.innerW / 110)))
        .tickFormat((v) => offsetText(Number(v) - chain.startUs, formatDuration)),
    );
  };
}

/** Critical-path strip under the axis: the chain's critical path as one bar, spans in their service colour, waits hatched. */
export function drawCriticalStrip(top: Group, { chain, layout, uid, colors }: LayerContext): Place {
  const strip = top.append('g').attr('class', 'ct-cp-strip').attr('transform', `translate(0,${STAGE_H + AXIS_H + 2})`);
  strip.append('title').text('Critical path of the whole chain: spans in their service colour, waits hatched by kind');
  const rects = strip
    .selectAll('rect')
    .data(chain.criticalPath ?? [])
    .join('rect')
    .attr('class', (d) => (isWaitStep(d) ? 'cp-strip-wait' : 'cp-strip-seg'))
    .attr('data-wait-kind', (d) => (isWaitStep(d) ? (d.kind ?? 'queue') : null))
    .attr('y', 0)
    .attr('height', CP_H - 4)
    .attr('fill', (d) => {
      if (isWaitStep(d)) return `url(#${hatchId(uid, d.kind)})`;
      const p = layout.byKey.get(spanKey(d.traceId, d.spanId));
      return p ? colors(p.span.service) : '#9ca3af';
    });
  return (x) => {
    rects.attr('x', (s) => x(s.startUs)).attr('width', (s) => stretch(x, s.startUs, s.endUs, 1).width);
  };
}

/** Waits between traces, hatched in the lane of the trace that waited, labelled where there is room. */
export function drawWaits(body: Group, { chain, layout, uid }: LayerContext): Place {
  const waitG = body
    .append('g')
    .attr('class', 'ct-waits')
    .selectAll('g')
    .data(waitBoxes(chain.waits, layout))
    .join('g')
    .attr('class', (b) => `wait${b.wait.onCriticalPath ? ' on-cp' : ''}`)
    .attr('data-wait-kind', (b) => b.wait.kind ?? 'queue')
    .attr('data-from-trace-id', (b) => b.wait.fromTraceId)
    .attr('data-to-trace-id', (b) => b.wait.toTraceId);
  const rects = waitG
    .append('rect')
    .attr('class', 'wait-shade')
    .attr('y', (b) => b.y)
    .attr('height', (b) => b.height)
    .attr('fill', (b) => `url(#${hatchId(uid, b.wait.kind)})`);
  const text = waitG
    .append('text')
    .attr('class', 'wait-label')
    .attr('y', (b) => b.labelY)
    .text((b) => `${waitLook(b.wait.kind).label} ${formatDuration(b.wait.endUs - b.wait.startUs)}`);
  waitG
    .append('title')
    .text(
      ({ wait: w }) =>
        `${waitLook(w.kind).label}${w.destination ? ` on ${visibleText(w.destination)}` : ''}: ${formatDuration(w.endUs - w.startUs)} between traces${w.onCriticalPath ? ' (on the critical path)' : ' (not on the critical path)'}`,
    );
  return (x) => {
    rects.attr('x', (b) => x(b.wait.startUs)).attr('width', (b) => stretch(x, b.wait.startUs, b.wait.endUs, 2).width);
    text.attr('x', (b) => x(b.wait.startUs) + 4).attr('display', (b) => (x(b.wait.endUs) - x(b.wait.startUs) > WAIT_LABEL_MIN_PX ? null : 'none'));
  };
}

export interface SpanHandlers {
  select(p: PlacedSpan): void;
  hover(event: MouseEvent, p: PlacedSpan): void;
  leave(): void;
}

/** A bar per span, in its service colour; click or Enter selects it. */
export function drawSpans(body: Group, { layout, colors, critical, selectedKey }: LayerContext, on: SpanHandlers): Place {
  const bars = body
    .append('g')
    .attr('class', 'ct-spans')
    .selectAll<SVGRectElement, PlacedSpan>('rect')
    .data(layout.lanes.flatMap((l) => l.spans))
    .join('rect')
    .attr('class', (p) => {
      const k = spanKey(p.span.traceId, p.span.spanId);
      return `chain-span${p.span.status?.code === 'error' ? ' error' : ''}${critical.has(k) ? ' on-cp' : ''}${k === selectedKey ? ' selected' : ''}`;
    })
    .attr('data-trace-id', (p) => p.span.traceId)
    .attr('data-span-id', (p) => p.span.spanId)
    .attr('y', (p) => barTop(layout, p))
    .attr('height', BAR_H)
    .attr('rx', 1.5)
    .attr('fill', (p) => colors(p.span.service))
    .attr('tabindex', 0)
    .on('click', (_e, p) => on.select(p))
    .on('keydown', (e: KeyboardEvent, p) => {
      if (e.key === 'Enter') on.select(p);
    })
    .on('mouseenter', (event: MouseEvent, p) => on.hover(event, p))
    .on('mousemove', (event: MouseEvent, p) => on.hover(event, p))
    .on('mouseleave', () => on.leave());
  return (x) => {
    bars.attr('x', (p) => x(p.span.startUs)).attr('width', (p) => stretch(x, p.span.startUs, p.span.startUs + p.span.durationUs, 1.5).width);
  };
}

/** Critical path over the bars: a dark line through the time each span held the chain up. */
export function drawCriticalOverlay(body: Group, { chain, layout }: LayerContext): Place {
  const lines = body
    .append('g')
    .attr('class', 'ct-cp')
    .selectAll('rect')
    .data(criticalSegments(chain.criticalPath, layout))
    .join('rect')
    .attr('class', 'cp-seg')
    .attr('y', (s) => s.y)
    .attr('height', 3)
    .attr('pointer-events', 'none');
  return (x) => {
    lines.attr('x', (s) => x(s.step.startUs)).attr('width', (s) => stretch(x, s.step.startUs, s.step.endUs, 1).width);
  };
}

/** Errors: a red dot at the end of the failing span. */
export function drawErrorMarks(body: Group, { layout }: LayerContext): Place {
  const marks = body
    .append('g')
    .attr('class', 'ct-errors')
    .selectAll('circle')
    .data(layout.lanes.flatMap((l) => l.spans).filter((p) => p.span.status?.code === 'error'))
    .join('circle')
    .attr('class', 'error-mark')
    .attr('r', 4)
    .attr('cy', (p) => barTop(layout, p) + BAR_H / 2)
    .attr('pointer-events', 'none');
  return (x) => {
    marks.attr('cx', (p) => x(p.span.startUs + p.span.durationUs));
  };
}

/** Joins between traces: an arrow from the upstream span's end to the downstream span's start. */
export function drawJoins(body: Group, { chain, layout, uid }: LayerContext): Place {
  const paths = body
    .append('g')
    .attr('class', 'ct-joins')
    .selectAll('path')
    .data(joinCurves(chain.joins, layout))
    .join('path')
    .attr('class', (c) => `join-arrow join-${joinKind(c.join.kind)}`)
    .attr('data-from-trace-id', (c) => c.join.fromTraceId)
    .attr('data-to-trace-id', (c) => c.join.toTraceId)
    .attr('marker-end', (c) => `url(#ct-arrow-${joinKind(c.join.kind)}-${uid})`);
  paths.append('title').text((c) => `${c.join.kind === 'message' ? 'Message' : 'Span link'}${c.join.waitUs ? ` · waited ${formatDuration(c.join.waitUs)}` : ''}`);
  return (x) => {
    paths.attr('d', (c) => joinPath(x, c));
  };
}
