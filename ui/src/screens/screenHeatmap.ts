import { interpolateInferno } from 'd3';
import type { PanelData, Thresholds } from '../../../core/wire';
import { clockSeconds, svgNumber, wholeText } from '../numberText';
import { visibleText } from '../safeText';
import { changedBands, drawnAlready, drawnColumn, SHADE_STEPS, type DrawnColumn } from './heatmapColumns';
import { bandY, columnX, heatmapScene, latencyLabel, type HeatmapBox, type HeatmapGrid } from './heatmapLayout';
import { formatMeasure, thresholdLevel } from './screenLayout';
import { childrenByKey, childrenByPosition, svgElement, updateAttrs } from './svgElements';

type HeatmapData = Extract<PanelData, { kind: 'order-latency' | 'service-latency' }>;

/** Room for the band labels and the times, in pixels of the panel (the SVG's viewBox is the panel's size, so text keeps its size). */
const LEFT = 64;
const BOTTOM = 22;
const TOP = 10;

/** The shades of the cells, by step: Inferno from its dark third (one call still shows on the dark theme) to its light end. */
const CELL_COLOURS = Array.from({ length: SHADE_STEPS + 1 }, (_, step) => interpolateInferno(0.25 + (0.7 * step) / SHADE_STEPS));

/** A minute's cells as drawn: an element per band with calls. */
interface ColumnCells {
  /** Where the minute stands in the window (its group's place), -1 before its first drawing. */
  index: number;
  drawn: DrawnColumn | undefined;
  rects: (SVGRectElement | undefined)[];
}

/** The elements of a heatmap panel, kept across refreshes (gone with the panel's element). */
interface HeatmapElements {
  wrap: HTMLDivElement;
  legend: HTMLSpanElement[];
  svg: SVGSVGElement;
  cellLayer: SVGGElement;
  /** A `g` per minute, moved as the window slides; its cells drawn on `cellGrid`. */
  columns: Map<string, SVGGElement>;
  cellsOf: WeakMap<SVGGElement, ColumnCells>;
  cellGrid: string;
  p95: SVGPathElement;
  markLayer: SVGGElement;
  marks: Map<string, SVGGElement>;
  bandLayer: SVGGElement;
  timeLayer: SVGGElement;
}

const elementsOf = new WeakMap<HTMLElement, HeatmapElements>();

function mount(body: HTMLElement): HeatmapElements {
  const wrap = document.createElement('div');
  wrap.className = 'screen-heatmap';
  const legendRow = document.createElement('div');
  legendRow.className = 'chart-legend';
  const legend = ['heatmap-now', 'heatmap-subject', 'chart-top'].map((cls) => {
    const span = legendRow.appendChild(document.createElement('span'));
    span.className = cls;
    return span;
  });
  wrap.appendChild(legendRow);
  const svg = svgElement('svg', { class: 'heatmap-plot', role: 'img' }, wrap);
  const layer = (cls: string) => svgElement('g', { class: cls }, svg);
  const cellLayer = layer('heatmap-cells');
  const p95 = svgElement('path', {}, layer('heatmap-p95'));
  const elements = { wrap, legend, svg, cellLayer, columns: new Map(), cellsOf: new WeakMap(), cellGrid: '', p95, markLayer: layer('heatmap-marks'), marks: new Map(), bandLayer: layer('heatmap-bands'), timeLayer: layer('heatmap-times') };
  body.replaceChildren(wrap);
  return elements;
}

/**
 * The cells, a `g` per minute: a push sets the cells of the minutes whose
 * counts or shades changed (the current minute's, all on a rescale) and
 * moves the minutes' groups when the window slides. A new size, band set or
 * number of minutes draws them all again.
 */
function drawCells(elements: HeatmapElements, data: HeatmapData, grid: HeatmapGrid): void {
  const cellGrid = `${svgNumber(grid.columnWidth)} ${svgNumber(grid.rowHeight)} ${svgNumber(grid.bottomY)} ${data.bands.map((b) => wholeText(b.bucket)).join(',')}`;
  if (cellGrid !== elements.cellGrid) {
    elements.cellLayer.replaceChildren();
    elements.columns.clear();
    elements.cellGrid = cellGrid;
  }
  const width = svgNumber(Math.max(1, grid.columnWidth - 1));
  const height = svgNumber(Math.max(1, grid.rowHeight - 1));
  const groups = childrenByKey(elements.cellLayer, elements.columns, data.columns.map((c) => wholeText(c.tUs)), () => svgElement('g'));
  data.columns.forEach((column, i) => {
    const g = groups[i];
    let cells = elements.cellsOf.get(g);
    if (!cells) elements.cellsOf.set(g, (cells = { index: -1, drawn: undefined, rects: [] }));
    if (cells.index !== i) {
      g.setAttribute('transform', `translate(${svgNumber(columnX(grid, i))},0)`);
      cells.index = i;
    }
    if (drawnAlready(cells.drawn, column.counts, data.maxCount)) return;
    const drawn = drawnColumn(column.counts, data.maxCount);
    for (const band of changedBands(cells.drawn, drawn)) {
      const step = drawn.steps[band];
      if (step < 0) {
        cells.rects[band]?.remove();
        cells.rects[band] = undefined;
        continue;
      }
      const rect = (cells.rects[band] ??= svgElement('rect', { x: '0', y: svgNumber(bandY(grid, band)), width, height }, g));
      rect.setAttribute('fill', CELL_COLOURS[step]);
      rect.setAttribute('data-count', wholeText(drawn.counts[band]));
    }
    cells.drawn = drawn;
  });
}

/**
 * A latency heatmap panel on one SVG kept across refreshes: cells grouped by
 * minute and set only where a push changed them (drawCells), so a refresh
 * moves, adds and removes elements instead of building the panel again (a screen runs for days). Plain DOM rather than
 * D3 joins: the selection machinery was the largest piece of code a Service
 * health screen compiles in its first hundreds of pushes (docs/benchmarks.md).
 */
export function drawHeatmap(body: HTMLElement, data: HeatmapData, thresholds: Thresholds | undefined): void {
  const width = Math.max(300, Math.round(body.clientWidth));
  const height = Math.max(120, Math.round(body.clientHeight));
  const legendHeight = 24;
  const box: HeatmapBox = { width, height: height - legendHeight, left: LEFT, bottom: BOTTOM, top: TOP };
  const scene = heatmapScene(data, box, thresholds);
  let elements = elementsOf.get(body);
  if (!elements || elements.wrap.parentNode !== body) elementsOf.set(body, (elements = mount(body)));
  for (const other of [...body.children]) if (other !== elements.wrap) other.remove();

  const whole = data.columns.slice(0, -1).reverse().find((c) => c.p95Ms !== null);
  const level = thresholdLevel(whole?.p95Ms, thresholds);
  const subject = data.kind === 'order-latency' ? `orders (${data.key})` : data.service === null ? 'entry spans of every service' : `entry spans of ${data.service}`;
  const [now, about, top] = elements.legend;
  now.className = `heatmap-now level-${level}`;
  now.textContent = `p95 ${formatMeasure(whole?.p95Ms ?? null, 'ms')}`;
  about.textContent = `${formatMeasure(data.total, 'count')} ${visibleText(subject)}`;
  top.textContent = data.total ? `at most ${formatMeasure(data.maxCount, 'count')} a cell` : 'nothing in this window';

  updateAttrs(elements.svg, { viewBox: `0 0 ${svgNumber(box.width)} ${svgNumber(box.height)}`, 'aria-label': `Latency heatmap of ${visibleText(subject)}` });
  drawCells(elements, data, scene.grid);
  updateAttrs(elements.p95, { class: `heatmap-p95-line level-${level}`, d: scene.p95Path });

  const marks = childrenByKey(elements.markLayer, elements.marks, scene.marks.map((m) => m.level), () => {
    const g = svgElement('g');
    svgElement('line', {}, g);
    svgElement('text', { 'text-anchor': 'end' }, g);
    return g;
  });
  scene.marks.forEach((m, i) => {
    const [line, text] = marks[i].children;
    marks[i].setAttribute('class', `heatmap-mark level-${m.level}`);
    updateAttrs(line, { x1: svgNumber(LEFT), x2: svgNumber(box.width), y1: svgNumber(m.y), y2: svgNumber(m.y) });
    updateAttrs(text, { x: svgNumber(box.width - 4), y: svgNumber(m.y - 3) });
    text.textContent = `${m.level} ${latencyLabel(m.ms)}`;
  });

  const bands = childrenByPosition(elements.bandLayer, scene.bandLabels.length, () => svgElement('text', { x: svgNumber(LEFT - 6), 'text-anchor': 'end', 'dominant-baseline': 'middle' }));
  scene.bandLabels.forEach((b, i) => {
    bands[i].setAttribute('y', svgNumber(b.y));
    bands[i].textContent = latencyLabel(b.ms);
  });

  const times = childrenByPosition(elements.timeLayer, scene.timeLabels.length, () => svgElement('text'));
  scene.timeLabels.forEach((t, i) => {
    updateAttrs(times[i], { x: svgNumber(t.x), y: svgNumber(box.height - 4), 'text-anchor': t.anchor });
    times[i].textContent = clockSeconds(t.tUs).slice(0, 5);
  });
}
