import { interpolateInferno } from 'd3';
import type { PanelData, Thresholds } from '../../../core/wire';
import { clockSeconds, svgNumber } from '../numberText';
import { visibleText } from '../safeText';
import { heatmapGrid, heatmapScene, latencyLabel, PLOT_MARGINS, type HeatmapBox, type HeatmapGrid } from './heatmapLayout';
import { paintCells, paintP95Line, SHADE_STEPS } from './heatmapPaint';
import { formatMeasure, thresholdLevel } from './screenLayout';
import { childrenByKey, childrenByPosition, svgElement, updateAttrs } from './svgElements';

type HeatmapData = Extract<PanelData, { kind: 'order-latency' | 'service-latency' }>;

/** Room for the band labels and the times (the SVG's viewBox is the plot's size in CSS pixels, so text keeps its size). */
const LEFT = PLOT_MARGINS.left;

/** The shades of the cells, by step: Inferno from its dark third (one call still shows on the dark theme) to its light end. */
export const CELL_COLOURS = Array.from({ length: SHADE_STEPS + 1 }, (_, step) => interpolateInferno(0.25 + (0.7 * step) / SHADE_STEPS));

/** The elements of a heatmap panel, kept across refreshes (gone with the panel's element). */
interface HeatmapElements {
  wrap: HTMLDivElement;
  legend: HTMLSpanElement[];
  /** The plot's place: the canvas (cells, p95 line) under the SVG (marks, labels), both its size. */
  area: HTMLDivElement;
  canvas: HTMLCanvasElement;
  context: CanvasRenderingContext2D | null;
  /** The p95 line's colour for its level (the canvas's CSS colour), read when the level changes. */
  lineLevel: string;
  lineColour: string;
  /** What the legend and the axes show now (undefined, -1: nothing yet). */
  p95Ms: number | null | undefined;
  level: string;
  subjectKind: string;
  subjectName: string | null | undefined;
  subject: string;
  total: number;
  maxCount: number;
  axes: AxesDrawn | undefined;
  svg: SVGSVGElement;
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
  const area = wrap.appendChild(document.createElement('div'));
  area.className = 'heatmap-area';
  const canvas = area.appendChild(document.createElement('canvas'));
  canvas.className = 'heatmap-canvas';
  canvas.setAttribute('role', 'img');
  const svg = svgElement('svg', { class: 'heatmap-plot' }, area);
  const layer = (cls: string) => svgElement('g', { class: cls }, svg);
  const elements = {
    wrap, legend, area, canvas, context: canvas.getContext('2d'), lineLevel: '', lineColour: '',
    p95Ms: undefined, level: '', subjectKind: '', subjectName: undefined, subject: '', total: -1, maxCount: -1, axes: undefined,
    svg, markLayer: layer('heatmap-marks'), marks: new Map(), bandLayer: layer('heatmap-bands'), timeLayer: layer('heatmap-times'),
  };
  body.replaceChildren(wrap);
  return elements;
}

/**
 * The cells and the p95 line, painted anew on the canvas each push (a loop
 * of fillRect: no element, attribute or text per cell). The canvas gets
 * device pixels for its CSS size, so cells stay sharp on a 4K wall.
 */
function paint(elements: HeatmapElements, data: HeatmapData, box: HeatmapBox, grid: HeatmapGrid, level: string): void {
  const { canvas, context } = elements;
  if (!context) return;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(box.width * ratio);
  const height = Math.round(box.height * ratio);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, box.width, box.height);
  paintCells(context, data, grid, CELL_COLOURS);
  if (level !== elements.lineLevel) {
    canvas.className = `heatmap-canvas level-${level}`;
    elements.lineLevel = level;
    elements.lineColour = getComputedStyle(canvas).color;
  }
  context.strokeStyle = elements.lineColour;
  context.lineWidth = 2;
  context.setLineDash(P95_DASHES);
  paintP95Line(context, data, box, grid);
  context.setLineDash(NO_DASHES);
}

const P95_DASHES = [5, 3];
const NO_DASHES: number[] = [];

/**
 * What the marks and labels were drawn for: the plot's size, the bands, the
 * thresholds, the minutes. A push compares numbers and draws them again only
 * when one changed (a minute turning over, a new band): the text and
 * elements they need are then built in a function a screen seldom runs.
 */
interface AxesDrawn {
  width: number;
  height: number;
  bands: number[];
  warn: number;
  critical: number;
  columns: number;
  firstUs: number;
}

function axesDrawnFor(data: HeatmapData, box: HeatmapBox, thresholds: Thresholds | undefined, drawn: AxesDrawn | undefined): boolean {
  if (!drawn || drawn.width !== box.width || drawn.height !== box.height || drawn.columns !== data.columns.length) return false;
  if (drawn.firstUs !== (data.columns.length ? data.columns[0].tUs : 0)) return false;
  if (drawn.warn !== (thresholds ? thresholds.warn : -1) || drawn.critical !== (thresholds ? thresholds.critical : -1)) return false;
  const bands = data.bands;
  if (drawn.bands.length !== bands.length * 2) return false;
  for (let i = 0; i < bands.length; i++) if (drawn.bands[2 * i] !== bands[i].lowMs || drawn.bands[2 * i + 1] !== bands[i].highMs) return false;
  return true;
}

/** The threshold marks, the band edges' and the minutes' labels, in place (childrenByKey, childrenByPosition). */
function drawAxes(elements: HeatmapElements, data: HeatmapData, box: HeatmapBox, thresholds: Thresholds | undefined): void {
  elements.axes = {
    width: box.width,
    height: box.height,
    bands: data.bands.flatMap((b) => [b.lowMs, b.highMs]),
    warn: thresholds ? thresholds.warn : -1,
    critical: thresholds ? thresholds.critical : -1,
    columns: data.columns.length,
    firstUs: data.columns.length ? data.columns[0].tUs : 0,
  };
  const scene = heatmapScene(data, box, thresholds);
  updateAttrs(elements.svg, { viewBox: `0 0 ${svgNumber(box.width)} ${svgNumber(box.height)}` });
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

/** Whose latency: the business key of an order heatmap, the service of a service one (null: every service). */
const subjectName = (data: HeatmapData) => (data.kind === 'order-latency' ? data.key : data.service);

/** The legend's p95 (the last whole minute's) and the heatmap's subject: they change with a minute or a new panel, set then. */
function drawLegendHead(elements: HeatmapElements, data: HeatmapData, p95Ms: number | null, level: string): void {
  elements.p95Ms = p95Ms;
  elements.level = level;
  const [now] = elements.legend;
  now.className = `heatmap-now level-${level}`;
  now.textContent = `p95 ${formatMeasure(p95Ms, 'ms')}`;
  const name = subjectName(data);
  if (elements.subjectKind === data.kind && elements.subjectName === name) return;
  elements.subjectKind = data.kind;
  elements.subjectName = name;
  const subject = data.kind === 'order-latency' ? `orders (${data.key})` : data.service === null ? 'entry spans of every service' : `entry spans of ${data.service}`;
  elements.subject = visibleText(subject);
  elements.canvas.setAttribute('aria-label', `Latency heatmap of ${elements.subject}`);
}

/** The legend's figures that change with every push: how many calls, the fullest cell. */
function drawLegendCounts(elements: HeatmapElements, data: HeatmapData): void {
  elements.total = data.total;
  elements.maxCount = data.maxCount;
  const [, about, top] = elements.legend;
  about.textContent = `${formatMeasure(data.total, 'count')} ${elements.subject}`;
  top.textContent = data.total ? `at most ${formatMeasure(data.maxCount, 'count')} a cell` : 'nothing in this window';
}

/**
 * A latency heatmap panel kept across refreshes: the cells and the p95 line
 * painted on a canvas (paint), the threshold marks, band and time labels as
 * SVG text over it (drawAxes), set in place when what they show changed. A
 * push compares a few numbers and runs one small loop of canvas calls: what
 * a screen runs once a push is what V8 compiles and keeps in its heap over
 * the first hundreds of pushes (docs/benchmarks.md).
 */
export function drawHeatmap(body: HTMLElement, data: HeatmapData, thresholds: Thresholds | undefined): void {
  let elements = elementsOf.get(body);
  if (!elements || elements.wrap.parentNode !== body) elementsOf.set(body, (elements = mount(body)));
  if (body.childElementCount > 1) for (const other of [...body.children]) if (other !== elements.wrap) other.remove();
  const box: HeatmapBox = { width: Math.max(200, Math.round(elements.area.clientWidth)), height: Math.max(96, Math.round(elements.area.clientHeight)), ...PLOT_MARGINS };
  // the legend's p95: the last whole minute's (the current one is still filling)
  let p95Ms: number | null = null;
  for (let i = data.columns.length - 2; i >= 0 && p95Ms === null; i--) p95Ms = data.columns[i].p95Ms;
  const level = thresholdLevel(p95Ms, thresholds);
  if (p95Ms !== elements.p95Ms || level !== elements.level || data.kind !== elements.subjectKind || subjectName(data) !== elements.subjectName) drawLegendHead(elements, data, p95Ms, level);
  if (data.total !== elements.total || data.maxCount !== elements.maxCount) drawLegendCounts(elements, data);
  if (!axesDrawnFor(data, box, thresholds, elements.axes)) drawAxes(elements, data, box, thresholds);
  paint(elements, data, box, heatmapGrid(data, box), level);
}
