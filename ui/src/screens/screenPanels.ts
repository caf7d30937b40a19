import { h, replace } from '../dom';
import { clockSeconds, wholeText } from '../numberText';
import { formatHash } from '../route';
import { sparkPath } from '../views/servicesTableLayout';
import type { Incident, PanelData, PanelDefinition, SeriesPoint, Thresholds } from '../../../core/wire';
import { incidentSpans } from '../views/incidentText';
import { chartPath, deltaText, formatMeasure, funnelWidths, niceTop, spanBands, thresholdLevel } from './screenLayout';
import { drawHeatmap } from './screenHeatmap';
import { drawLogStream } from './screenLogStream';
import { drawTopology } from './screenTopology';
import { svgElement } from './svgElements';
import { formatValue, seriesName } from '../views/metricChartLayout';

type Unit = Parameters<typeof formatMeasure>[1];
type Of<K extends PanelData['kind']> = Extract<PanelData, { kind: K }>;

function svg(cls: string, width: number, height: number, paths: { d: string; cls: string }[]): SVGSVGElement {
  const el = svgElement('svg', { class: cls, viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none' });
  for (const p of paths) svgElement('path', { d: p.d, class: p.cls, 'vector-effect': 'non-scaling-stroke' }, el);
  return el;
}

const values = (points: readonly SeriesPoint[]) => points.map((p) => p.value);
const spark = (points: readonly (number | null)[], cls = '') => svg(`screen-spark ${cls}`, 100, 24, [{ d: sparkPath(points, 100, 24), cls: 'screen-spark-line' }]);

/** A value cell coloured by its threshold. */
function measured(value: number | null, unit: Unit, t: Thresholds | undefined, extra?: Node): HTMLElement {
  return h('td', { class: `cell-num level-${thresholdLevel(value, t)}` }, formatMeasure(value, unit), extra ?? null);
}

/** Draws a panel's data into its body (replacing what was there); time-series panels shade the `incidents` of their window. */
export function drawPanel(body: HTMLElement, panel: PanelDefinition, data: PanelData, incidents: readonly Incident[] = []): void {
  const t = panel.thresholds ?? {};
  switch (data.kind) {
    case 'orders':
      return panel.type === 'stat' ? replace(body, orderStat(data, t.value)) : replace(body, timeChart(latencyLines(data), (v) => formatMeasure(v, 'ms'), data.series, incidents));
    case 'log-rate':
      return replace(body, timeChart(data.series.map((s) => ({ name: s.level, values: values(s.points), cls: `line-${s.level.toLowerCase()}` })), (v) => formatMeasure(v, 'count'), data.series[0]?.points ?? [], incidents));
    case 'services':
      return servicesTable(body, data, t);
    case 'topology':
      return drawTopology(body, data);
    case 'error-operations':
      return drawTable(
        body,
        ['Service', 'Operation', 'Errors', 'Error %', 'p95'], data.rows.map((r) =>
          h('tr', null, h('td', { class: 'cell-name' }, r.service), h('td', { class: 'cell-name' }, r.operation), h('td', { class: 'cell-num' }, formatMeasure(r.errors, 'count')), measured(r.errorRate, 'ratio', t.errorRate), measured(r.p95Ms, 'ms', t.p95Ms)),
        ),
        'No operation failed in this window',
      );
    case 'error-bursts':
      return drawTable(
        body,
        ['Service', 'Errors', '', 'Top message'], data.rows.map((r) =>
          h('tr', null, h('td', { class: 'cell-name' }, r.service), measured(r.count, 'count', t.count), h('td', { class: 'spark-cell' }, spark(values(r.series), 'spark-error')), h('td', { class: 'cell-msg' }, r.topMessage, h('span', { class: 'times' }, ` ×${wholeText(r.topMessageCount)}`))),
        ),
        'No error logged in this window',
      );
    case 'slow-orders':
      return slowOrders(body, data, t);
    case 'order-stages':
      return replace(body, funnel(data));
    case 'log-messages':
      return replace(
        body,
        data.rows.length
          ? h('ol', { class: 'screen-log' }, ...data.rows.map((r) => h('li', null, h('time', null, clockSeconds(r.lastUs)), h('span', { class: 'log-service' }, r.service), h('span', { class: 'cell-msg' }, r.body), r.count > 1 ? h('span', { class: 'times' }, `×${wholeText(r.count)}`) : null)))
          : h('p', { class: 'screen-empty' }, 'No matching log record in this window'),
      );
    case 'metric':
      return replace(body, metricChart(data, incidents));
    case 'order-latency':
    case 'service-latency':
      return drawHeatmap(body, data, t.p95Ms);
    case 'log-tail':
      return drawLogStream(body, data, t.severityNumber);
  }
}

/**
 * A table panel. The header is kept across refreshes and only the rows are
 * replaced: Chromium (156) keeps a media-query set in its style engine for
 * every <thead> it lays out, so a table built anew on every push grew Blink's
 * heap by one of those per table and push (bench/screen-heap.ts, docs/benchmarks.md).
 */
function drawTable(body: HTMLElement, head: string[], rows: HTMLElement[], empty: string): void {
  if (!rows.length) return replace(body, h('p', { class: 'screen-empty' }, empty));
  const key = head.join('|');
  let table = body.querySelector<HTMLTableElement>(':scope > table.screen-table');
  if (!table || table.dataset.head !== key) {
    table = h('table', { class: 'screen-table', data: { head: key } }, h('thead', null, h('tr', null, ...head.map((c) => h('th', null, c)))));
    replace(body, table);
  } else for (const other of [...body.children]) if (other !== table) other.remove();
  for (const old of [...table.tBodies]) old.remove();
  table.appendChild(h('tbody', null, ...rows));
}

function servicesTable(body: HTMLElement, data: Of<'services'>, t: Record<string, Thresholds>): void {
  drawTable(body, ['Service', 'Rate', '', 'Error %', '', 'p95', '', 'p99'], data.rows.map((r) => {
    const errorLevel = thresholdLevel(r.errorRate, t.errorRate);
    const p95Level = thresholdLevel(r.p95Ms, t.p95Ms);
    return h(
      'tr',
      { class: `row-${errorLevel === 'critical' || p95Level === 'critical' ? 'critical' : errorLevel === 'warn' || p95Level === 'warn' ? 'warn' : 'ok'}` },
      h('td', { class: 'cell-name' }, r.service),
      h('td', { class: 'cell-num' }, formatMeasure(r.ratePerSec, 'rate')),
      h('td', { class: 'spark-cell' }, spark(values(r.rateSeries))),
      measured(r.errorRate, 'ratio', t.errorRate),
      h('td', { class: 'spark-cell' }, spark(values(r.errorRateSeries), 'spark-error')),
      measured(r.p95Ms, 'ms', t.p95Ms),
      h('td', { class: 'spark-cell' }, spark(values(r.p95Series))),
      measured(r.p99Ms, 'ms', t.p99Ms),
    );
  }), 'No service sent spans in this window');
}

function slowOrders(body: HTMLElement, data: Of<'slow-orders'>, t: Record<string, Thresholds>): void {
  drawTable(body, ['Order', 'Started', 'End to end', 'Working', 'Waiting', 'Errors', 'Bottleneck'], data.rows.map((r) =>
    h(
      'tr',
      { class: r.errorCount > 0 ? 'row-critical' : '' },
      h('td', { class: 'cell-name' }, h('a', { href: formatHash(['chain', data.key, r.value]) }, r.value)),
      h('td', { class: 'cell-num' }, clockSeconds(r.startUs)),
      measured(r.durationMs, 'ms', t.durationMs),
      h('td', { class: 'cell-num' }, formatMeasure(r.workingMs, 'ms')),
      h('td', { class: 'cell-num' }, formatMeasure(r.waitingMs, 'ms')),
      h('td', { class: `cell-num ${r.errorCount > 0 ? 'level-critical' : ''}` }, wholeText(r.errorCount)),
      h('td', { class: 'cell-name' }, r.bottleneck ? `${r.bottleneck.service}: ${r.bottleneck.operation}` : '–'),
    ),
  ), 'No order in this window');
}

const STAT_UNITS: Record<string, Unit> = { ordersPerMinute: 'perMinute', successRate: 'ratio', p50Ms: 'ms', p95Ms: 'ms', p99Ms: 'ms' };

function orderStat(data: Of<'orders'>, t: Thresholds | undefined): HTMLElement {
  const perMinute = data.series.map((p): number | null => {
    switch (data.measure) {
      case 'ordersPerMinute':
        return p.orders;
      case 'successRate':
        return p.orders ? (p.orders - p.failed) / p.orders : null;
      case 'p50Ms':
        return p.p50Ms;
      case 'p99Ms':
        return p.p99Ms;
      default:
        return p.p95Ms;
    }
  });
  // the series' last minute is still filling: the sparkline ends at the last whole one
  const level = thresholdLevel(data.value, t);
  const delta = deltaText(data.value, data.previous);
  return h(
    'div',
    { class: 'screen-stat' },
    h('div', { class: `stat-value level-${level}` }, formatMeasure(data.value, STAT_UNITS[data.measure] ?? 'count')),
    h('div', { class: 'stat-note' }, 'last 5 min', delta ? h('span', { class: 'stat-delta' }, ` ${delta} vs 5 min before`) : null, data.truncated ? ' · busiest minutes sampled' : ''),
    svg('screen-stat-spark', 100, 30, [{ d: sparkPath(perMinute.slice(0, -1), 100, 30), cls: `screen-spark-line level-${level}` }]),
  );
}

interface Line {
  name: string;
  values: (number | null)[];
  cls: string;
}

function latencyLines(data: Of<'orders'>): Line[] {
  return [
    { name: 'p50', values: data.series.map((p) => p.p50Ms), cls: 'line-p50' },
    { name: 'p95', values: data.series.map((p) => p.p95Ms), cls: 'line-p95' },
    { name: 'p99', values: data.series.map((p) => p.p99Ms), cls: 'line-p99' },
  ];
}

/** Series colours of a metric panel, cycled (screenStyles.ts). */
const METRIC_LINE_COLOURS = 6;

/** One line per group of the metric query, named by its labels, the legend with each one's last value. */
function metricChart(data: Of<'metric'>, incidents: readonly Incident[]): HTMLElement {
  const { metric } = data;
  if (!metric.series.some((s) => s.points.some((p) => p.value !== null))) return h('p', { class: 'screen-empty' }, `No point of ${metric.name} in this window`);
  const lines = metric.series.map((s, i) => ({ name: seriesName(s, metric.name), values: s.points.map((p) => p.value), cls: `line-series-${i % METRIC_LINE_COLOURS}` }));
  return timeChart(lines, formatValue, metric.series[0].points.map((p) => ({ tUs: p.timeUs })), incidents);
}

/** A line chart of evenly spaced points (`times`: their starts), the incidents overlapping it shaded behind the lines. */
function timeChart(lines: Line[], format: (v: number | null) => string, times: readonly { tUs: number }[], incidents: readonly Incident[]): HTMLElement {
  const top = niceTop(lines.flatMap((l) => l.values));
  const last = lines.map((l) => [...l.values].reverse().find((v) => v !== null) ?? null);
  const plot = svg('chart-plot', 300, 100, lines.map((l) => ({ d: chartPath(l.values, 300, 100, top), cls: `chart-line ${l.cls}` })));
  const firstUs = times[0]?.tUs ?? 0;
  const lastUs = times[times.length - 1]?.tUs ?? 0;
  // most pushes have no incident to shade: nothing more to run then
  const spans = incidents.length ? incidentSpans(incidents, null, firstUs / 1000, lastUs / 1000, Date.now()) : [];
  if (spans.length) spanBands(spans, firstUs, lastUs, 300).forEach((band, i) => {
    const rect = svgElement('rect', { class: `chart-incident${spans[i].firing ? ' firing' : ''}`, x: band.x.toFixed(1), width: band.width.toFixed(1), y: '0', height: '100' });
    svgElement('title', {}, rect).textContent = spans[i].label;
    plot.insertBefore(rect, plot.firstChild);
  });
  return h(
    'div',
    { class: 'screen-chart' },
    h('div', { class: 'chart-legend' }, ...lines.map((l, i) => h('span', { class: `chart-key ${l.cls}` }, `${l.name} ${format(last[i])}`)), h('span', { class: 'chart-top' }, `max ${format(top)}`), spans.length ? h('span', { class: 'chart-incidents' }, `${wholeText(spans.length)} incident${spans.length === 1 ? '' : 's'}`) : null),
    plot,
  );
}

function funnel(data: Of<'order-stages'>): HTMLElement {
  if (!data.stages.length) return h('p', { class: 'screen-empty' }, 'No order in this window');
  const widths = funnelWidths(data.stages.map((s) => s.orders));
  return h(
    'div',
    { class: 'screen-funnel' },
    ...data.stages.map((s, i) =>
      h(
        'div',
        { class: `funnel-stage${s.name === data.slowestStage ? ' slowest' : ''}` },
        h('div', { class: 'funnel-name' }, s.name, s.name === data.slowestStage ? h('span', { class: 'screen-badge' }, 'slowest') : null),
        h('div', { class: 'funnel-bar' }, h('div', { class: 'funnel-fill', style: { width: `${(widths[i] * 100).toFixed(1)}%` } })),
        h('div', { class: 'funnel-figures' }, `${formatMeasure(s.orders, 'count')} orders`, s.dropOff ? h('span', { class: 'level-critical' }, ` −${wholeText(s.dropOff)}`) : null, ` · p95 ${formatMeasure(s.p95Ms, 'ms')}`),
      ),
    ),
  );
}
