import { brushX, select, type BrushBehavior } from 'd3';
import { h } from '../dom';
import type { TraceTree } from '../traceTree';
import { brushToWindow, isWholeTrace, minimapRects, windowToBrush, type TimeWindow } from './traceZoomLayout';

const HEIGHT = 64;
const ERROR_COLOR = '#dc2626';
const MATCH_COLOR = '#f59e0b';

export interface TraceMinimap {
  element: HTMLElement;
  /** Measures the canvas and draws; call once the element is in the document. */
  refresh(): void;
  /** Shade the rows the waterfall shows: tree positions of its first and last row in view. */
  showRows(first: number, last: number): void;
  /** Marks for the tree positions of find matches (drawn over the spans). */
  showMatches(positions: readonly number[]): void;
  /** Move the brush to `w` without telling onWindow (the whole trace clears it). */
  setWindow(w: TimeWindow): void;
  destroy(): void;
}

export interface TraceMinimapOptions {
  tree: TraceTree;
  colors: (service: string) => string;
  /** The brushed window (the whole trace when the brush is cleared). */
  onWindow(w: TimeWindow): void;
}

/**
 * The whole trace in one canvas (one thin rectangle per span, errors on top,
 * rows squeezed to the map's height, so 100,000 spans are one pass of
 * fillRect) with a D3 brush over it that sets the waterfall's time window
 * (a click without a drag, or Reset zoom, shows the whole trace again),
 * a band for the rows in view and marks for find matches. Geometry: traceZoomLayout.ts.
 */
export function createTraceMinimap({ tree, colors, onWindow }: TraceMinimapOptions): TraceMinimap {
  const durationUs = Math.max(1, tree.endUs - tree.startUs);
  const canvas = h('canvas', { class: 'minimap-canvas', attrs: { 'aria-hidden': 'true' } });
  const svg = select(h('div', { class: 'minimap-overlay' })).append('svg').attr('height', HEIGHT);
  const band = svg.append('rect').attr('class', 'minimap-rows').attr('x', 0).attr('y', 0).attr('height', 0);
  const brushG = svg.append('g').attr('class', 'minimap-brush');
  const reset = h('button', { class: 'minimap-reset', attrs: { type: 'button', disabled: true, title: 'Show the whole trace' } }, 'Reset zoom');
  const element = h(
    'div',
    { class: 'minimap', attrs: { role: 'group', 'aria-label': 'Trace overview: drag to zoom the waterfall to a time range' } },
    h('div', { class: 'minimap-stack', style: { height: `${HEIGHT}px` } }, canvas, svg.node()!.parentElement!),
    reset,
  );
  let width = 0;
  let rows = { first: 0, last: 0 };
  let matches: readonly number[] = [];
  let window: TimeWindow = { startUs: 0, endUs: durationUs };
  let quiet = false;

  const brush: BrushBehavior<unknown> = brushX().on('brush end', (event) => {
    if (quiet) return;
    const sel = event.selection as [number, number] | null;
    window = sel ? brushToWindow(sel, width, durationUs) : { startUs: 0, endUs: durationUs };
    reset.disabled = isWholeTrace(window, durationUs);
    onWindow(window);
  });
  reset.addEventListener('click', () => {
    brushG.call(brush.move, null);
  });

  const drawCanvas = () => {
    const ratio = globalThis.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.round(HEIGHT * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${HEIGHT}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const { rects, rowHeight } = minimapRects(tree.order, tree.startUs, durationUs, width, HEIGHT);
    const barHeight = Math.max(1, Math.min(4, rowHeight));
    // One fillStyle change per run of a service, not per span.
    let style = '';
    for (const r of rects) {
      const c = colors(r.service);
      if (c !== style) ctx.fillStyle = style = c;
      ctx.fillRect(r.x, r.y, r.width, barHeight);
    }
    ctx.fillStyle = ERROR_COLOR;
    for (const r of rects) if (r.error) ctx.fillRect(r.x, r.y, Math.max(2, r.width), Math.max(2, barHeight));
    if (matches.length) {
      ctx.fillStyle = MATCH_COLOR;
      for (const p of matches) {
        const r = rects[p];
        if (r) ctx.fillRect(r.x, r.y, Math.max(2, r.width), Math.max(2, barHeight));
      }
    }
  };

  const drawBand = () => {
    const n = Math.max(1, tree.order.length);
    band
      .attr('width', width)
      .attr('y', (rows.first / n) * HEIGHT)
      .attr('height', Math.max(2, ((rows.last - rows.first + 1) / n) * HEIGHT));
  };

  const moveBrush = () => {
    quiet = true;
    brushG.call(brush.move, windowToBrush(window, width, durationUs));
    quiet = false;
    reset.disabled = isWholeTrace(window, durationUs);
  };

  const refresh = () => {
    width = Math.max(60, element.clientWidth - reset.offsetWidth - 8);
    svg.attr('width', width);
    brush.extent([
      [0, 0],
      [width, HEIGHT],
    ]);
    brushG.call(brush);
    drawCanvas();
    drawBand();
    moveBrush();
  };

  const resize = new ResizeObserver(() => refresh());
  resize.observe(element);

  return {
    element,
    refresh,
    showRows(first, last) {
      rows = { first, last };
      drawBand();
    },
    showMatches(positions) {
      matches = positions;
      drawCanvas();
    },
    setWindow(w) {
      window = w;
      moveBrush();
    },
    destroy() {
      resize.disconnect();
    },
  };
}
