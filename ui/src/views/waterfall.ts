import { axisTop, scaleLinear, select } from 'd3';
import type { ScaleOrdinal } from 'd3';
import type { Span } from '../api';
import { h, nameSpan } from '../dom';
import { formatDuration } from '../format';
import { visibleText } from '../safeText';
import { visibleRows, type TraceTree, type TreeNode } from '../traceTree';
import {
  barPlacement,
  LABEL_WIDTH,
  labelIndent,
  MAX_INDENT_LEVELS,
  ROW_HEIGHT,
  rowWindow,
  scrollTopFor,
  stripPlacement,
  TRACK_PADDING_RIGHT,
  trackWidthOf,
} from './waterfallLayout';
import { eventMarkers, trackScale, type TimeWindow } from './traceZoomLayout';

/** Tooltip text for a skew-corrected span. */
export function skewText(span: Span): string {
  const d = span.skewAdjustedUs ?? 0;
  const amount = `${d > 0 ? '+' : '−'}${formatDuration(Math.abs(d))}`;
  return `Clock skew corrected: shifted ${amount} to fit inside its parent (this host's clock runs ${d > 0 ? 'behind' : 'ahead of'} the parent's)`;
}

export interface Waterfall {
  element: HTMLElement;
  /** Show or hide the critical-path overlay. */
  showCriticalPath(show: boolean): void;
  /** Measures the container and draws; call once the element is in the document. */
  refresh(): void;
  select(spanId: string | null, scrollIntoView?: boolean): void;
  /** Show only this stretch of the trace on the time axis (offsets from the trace start); rows stay. */
  setWindow(w: TimeWindow): void;
  /** Mark the rows of these spans as find matches, `current` as the one stepped to. */
  highlight(matches: ReadonlySet<string>, current: string | null): void;
  expandAll(): void;
  collapseAll(): void;
  destroy(): void;
}

export interface WaterfallOptions {
  tree: TraceTree;
  colors: ScaleOrdinal<string, string>;
  /** A row was clicked, or an event marker on it (then `eventIndex` is the event's index in span.events). */
  onSelect(node: TreeNode, eventIndex?: number): void;
  /** The rows in view changed: tree positions of the first and last. */
  onRowsInView?(first: number, last: number): void;
  /** Initial state of the critical-path overlay (default shown). */
  criticalPath?: boolean;
}

/**
 * A virtualized waterfall: only rows inside the viewport (plus OVERSCAN) exist
 * in the DOM, redrawn once per animation frame while scrolling, so a
 * 10,000-span trace costs the same as a 50-span one.
 */
export function createWaterfall({ tree, colors, onSelect, onRowsInView, criticalPath = true }: WaterfallOptions): Waterfall {
  const collapsed = new Set<string>();
  let rows: TreeNode[] = tree.order;
  let selected: string | null = null;
  let trackWidth = 600;
  let frame = 0;
  const traceDuration = Math.max(1, tree.endUs - tree.startUs);
  let timeWindow: TimeWindow = { startUs: 0, endUs: traceDuration };
  let x = trackScale(timeWindow, trackWidth);
  let matches: ReadonlySet<string> = new Set();
  let currentMatch: string | null = null;

  const axisSvg = select(h('div', { class: 'wf-axis' })).append('svg').attr('height', 26);
  const axisG = axisSvg.append('g').attr('transform', 'translate(0,24)');
  const header = h(
    'div',
    { class: 'wf-header' },
    h('div', { class: 'wf-label-head', style: { width: `${LABEL_WIDTH}px` } }, 'Service · operation'),
    axisSvg.node()!.parentElement!,
  );
  const grid = h('div', { class: 'wf-grid', style: { left: `${LABEL_WIDTH}px` } });
  const rowLayer = h('div', { class: 'wf-rows' });
  const body = h('div', { class: 'wf-body' }, grid, rowLayer);
  const scroller = h('div', { class: 'wf-scroll', attrs: { tabindex: 0, 'aria-label': 'Spans' } }, header, body);
  // One class on the scroller hides every overlay strip: no per-row work when toggling.
  scroller.classList.toggle('hide-critical-path', !criticalPath);

  const layout = () => {
    trackWidth = trackWidthOf(scroller.clientWidth);
    x = trackScale(timeWindow, trackWidth);
    const axisScale = scaleLinear().domain([timeWindow.startUs, timeWindow.endUs]).range([0, trackWidth]);
    axisSvg.attr('width', trackWidth + TRACK_PADDING_RIGHT);
    const ticks = Math.max(2, Math.floor(trackWidth / 90));
    axisG.call(
      axisTop(axisScale)
        .ticks(ticks)
        .tickFormat((d) => formatDuration(Number(d))),
    );
    axisG.selectAll('.tick text').attr('text-anchor', (_d, i) => (i === 0 ? 'start' : 'middle'));
    select(grid)
      .selectAll('div')
      .data(axisScale.ticks(ticks))
      .join('div')
      .attr('class', 'wf-gridline')
      .style('left', (d) => `${axisScale(d)}px`);
  };

  const drawRows = () => {
    frame = 0;
    body.style.height = `${rows.length * ROW_HEIGHT}px`;
    body.dataset.totalRows = String(rows.length);
    const { first, last } = rowWindow(scroller.scrollTop, header.offsetHeight, scroller.clientHeight, rows.length);
    const slice: Array<{ node: TreeNode; pos: number }> = [];
    for (let i = first; i < last; i++) slice.push({ node: rows[i], pos: i });

    select(rowLayer)
      .selectAll<HTMLDivElement, { node: TreeNode; pos: number }>('div.wf-row')
      .data(slice, (d) => d.node.span.spanId)
      .join((enter) => enter.append((d) => buildRow(d.node, colors(d.node.span.service), { toggle, select: setSelected })))
      .each(function (d) {
        placeRow(this, d.node, d.pos, { x, timeWindow, traceStartUs: tree.startUs, trackWidth, selected, collapsed, matches, currentMatch });
      });
    if (onRowsInView && rows.length) {
      const inView = rowWindow(scroller.scrollTop, header.offsetHeight, scroller.clientHeight, rows.length, 0);
      onRowsInView(rows[inView.first].index, rows[Math.max(inView.first, inView.last - 1)].index);
    }
  };

  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(drawRows);
  };

  const setSelected = (spanId: string, node: TreeNode, eventIndex?: number) => {
    selected = spanId;
    for (const r of rowLayer.querySelectorAll<HTMLElement>('.wf-row')) r.classList.toggle('selected', r.dataset.spanId === spanId);
    onSelect(node, eventIndex);
  };

  const refreshRows = () => {
    rows = visibleRows(tree.order, collapsed);
    drawRows();
  };

  const toggle = (spanId: string) => {
    if (collapsed.has(spanId)) collapsed.delete(spanId);
    else collapsed.add(spanId);
    refreshRows();
  };

  scroller.addEventListener('scroll', schedule, { passive: true });
  const resize = new ResizeObserver(() => {
    layout();
    drawRows();
  });
  resize.observe(scroller);

  return {
    element: scroller,
    showCriticalPath(show) {
      scroller.classList.toggle('hide-critical-path', !show);
    },
    refresh() {
      layout();
      drawRows();
    },
    select(spanId, scrollIntoView = false) {
      selected = spanId;
      if (spanId && scrollIntoView) {
        let pos = rows.findIndex((n) => n.span.spanId === spanId);
        if (pos < 0) {
          // Reveal a span hidden inside a collapsed subtree.
          collapsed.clear();
          rows = tree.order;
          pos = rows.findIndex((n) => n.span.spanId === spanId);
        }
        if (pos >= 0) scroller.scrollTop = scrollTopFor(pos, scroller.clientHeight);
      }
      drawRows();
    },
    setWindow(w) {
      timeWindow = w;
      layout();
      drawRows();
    },
    highlight(next, current) {
      matches = next;
      currentMatch = current;
      drawRows();
    },
    expandAll() {
      collapsed.clear();
      refreshRows();
    },
    collapseAll() {
      collapsed.clear();
      for (const n of tree.order) if (n.childCount && n.depth >= 1) collapsed.add(n.span.spanId);
      refreshRows();
    },
    destroy() {
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}

/** A row's elements: the label (caret, colour, names, icons) and the track (bar, critical-path strips, duration). */
function buildRow(node: TreeNode, color: string, on: { toggle(spanId: string): void; select(spanId: string, node: TreeNode, eventIndex?: number): void }): HTMLDivElement {
  const s = node.span;
  const isError = s.status?.code === 'error';
  const caret = node.childCount
    ? h('button', {
        class: 'caret',
        attrs: { type: 'button', 'aria-label': 'Collapse or expand children' },
        on: {
          click: (ev) => {
            ev.stopPropagation();
            on.toggle(s.spanId);
          },
        },
      })
    : h('span', { class: 'caret-spacer' });
  const label = h(
    'div',
    { class: 'wf-label', style: { width: `${LABEL_WIDTH}px`, paddingLeft: `${labelIndent(node.depth)}px` } },
    caret,
    h('span', { class: 'swatch', style: { background: color } }),
    nameSpan(s.service, 'wf-service'),
    nameSpan(s.name, 'wf-name'),
    isError ? h('span', { class: 'err-icon', title: s.status.message || 'error' }, '!') : null,
    node.orphan ? h('span', { class: 'orphan-icon', title: `Parent span ${s.parentSpanId} is not in this trace` }, '⤴') : null,
    s.skewAdjustedUs ? h('span', { class: 'skew-icon', title: skewText(s), attrs: { 'aria-label': skewText(s) } }, '±') : null,
  );
  label.title = `${visibleText(s.service)}: ${visibleText(s.name)}${node.depth > MAX_INDENT_LEVELS ? ` (depth ${node.depth})` : ''}`;
  const bar = h('div', { class: isError ? 'wf-bar error' : 'wf-bar', style: { background: color } });
  const dur = h('span', { class: 'wf-dur' }, formatDuration(s.durationUs));
  const strips = (s.criticalPath ? s.criticalSegments ?? [] : []).map(() => h('div', { class: 'wf-cp', attrs: { 'aria-hidden': 'true' } }));
  const events = s.events?.length
    ? h('div', {
        class: 'wf-events',
        on: {
          click: (ev) => {
            const marker = (ev.target as HTMLElement).closest<HTMLElement>('.wf-event');
            if (!marker) return;
            ev.stopPropagation();
            on.select(s.spanId, node, Number(marker.dataset.eventIndex));
          },
        },
      })
    : null;
  const track = h('div', { class: 'wf-track' }, bar, ...strips, events, dur);
  const row = h(
    'div',
    {
      class: 'wf-row',
      data: { spanId: s.spanId },
      attrs: { role: 'button', tabindex: -1 },
      on: {
        click: () => on.select(s.spanId, node),
        keydown: (ev) => {
          if (ev.key === 'Enter') on.select(s.spanId, node);
        },
      },
    },
    label,
    track,
  );
  if (isError) row.classList.add('error');
  if (s.criticalPath) row.classList.add('critical');
  if (s.skewAdjustedUs) row.classList.add('skewed');
  return row;
}

/** Places a row for its position, the track's scale and width, the selection and what is collapsed. */
function placeRow(
  row: HTMLElement,
  node: TreeNode,
  pos: number,
  view: {
    x: (us: number) => number;
    timeWindow: TimeWindow;
    traceStartUs: number;
    trackWidth: number;
    selected: string | null;
    collapsed: ReadonlySet<string>;
    matches: ReadonlySet<string>;
    currentMatch: string | null;
  },
): void {
  const s = node.span;
  row.style.top = `${pos * ROW_HEIGHT}px`;
  row.classList.toggle('selected', s.spanId === view.selected);
  row.classList.toggle('match', view.matches.has(s.spanId));
  row.classList.toggle('current-match', s.spanId === view.currentMatch);
  const caret = row.querySelector<HTMLElement>('.caret');
  if (caret) {
    const isCollapsed = view.collapsed.has(s.spanId);
    caret.textContent = isCollapsed ? '▸' : '▾';
    caret.setAttribute('aria-expanded', String(!isCollapsed));
    caret.title = isCollapsed ? `Show ${node.descendants} hidden spans` : 'Hide children';
  }
  const place = barPlacement(view.x, s, view.traceStartUs, view.trackWidth);
  const bar = row.querySelector<HTMLElement>('.wf-bar')!;
  bar.style.left = `${place.left}px`;
  bar.style.width = `${place.width}px`;
  const segments = s.criticalSegments;
  if (segments) {
    const strips = row.querySelectorAll<HTMLElement>('.wf-cp');
    segments.forEach((seg, i) => {
      const strip = strips[i];
      if (!strip) return;
      const at = stripPlacement(view.x, seg, view.traceStartUs);
      strip.style.left = `${at.left}px`;
      strip.style.width = `${at.width}px`;
    });
  }
  const events = row.querySelector<HTMLElement>('.wf-events');
  if (events) placeEventMarkers(events, s, view);
  const dur = row.querySelector<HTMLElement>('.wf-dur')!;
  dur.classList.toggle('left', place.duration.onLeft);
  dur.style.left = place.duration.left === null ? '' : `${place.duration.left}px`;
  dur.style.right = place.duration.right === null ? '' : `${place.duration.right}px`;
}

/** The span's event markers for the window and track width; rebuilt only when those changed since the last time. */
function placeEventMarkers(box: HTMLElement, s: Span, view: { timeWindow: TimeWindow; traceStartUs: number; trackWidth: number }): void {
  const key = `${view.timeWindow.startUs}:${view.timeWindow.endUs}:${view.trackWidth}`;
  if (box.dataset.placedFor === key) return;
  box.dataset.placedFor = key;
  box.replaceChildren(
    ...eventMarkers(s.events, view.traceStartUs, view.timeWindow, view.trackWidth).map((m) => {
      const e = s.events[m.index];
      const detail = [e.attributes?.['exception.type'], e.attributes?.['exception.message']].filter((v) => v !== undefined && v !== '').map(String).join(': ');
      const title = `${visibleText(e.name)} at +${formatDuration(e.timeUs - s.startUs)}${detail ? ` — ${visibleText(detail)}` : ''}`;
      return h('span', { class: `wf-event ${m.kind}`, title, data: { eventIndex: String(m.index) }, style: { left: `${m.x}px` }, attrs: { role: 'button', 'aria-label': title } });
    }),
  );
}
