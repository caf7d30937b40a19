import { incidentApi, isAbort } from '../api';
import type { AffectedOrder, IncidentCause, IncidentEvidence, RisingLogMessage, TraceHit } from '../../../core/wire';
import { errorBox, h, nameSpan, replace, type Child, type Props } from '../dom';
import { formatDuration, formatTime } from '../format';
import { formatHash, traceHref, type Route } from '../route';
import { chainHref } from './home';
import { drawIncidentChart } from './incidentChart';
import { drawIncidentGraph } from './incidentGraph';
import { causeEvidence, formatMetric, metricLabel, seriesLabel } from './incidentText';
import { incidentChips } from './incidentsPage';

/** Candidate causes numbered on the topology. */
const CAUSES_ON_GRAPH = 3;

const section = (title: string, ...children: (Node | string | null)[]) => h('section', { class: 'detail-section incident-section' }, h('h3', null, title), ...children);

/** #/incident/<id>: one incident with its evidence and ranked causes (GET /api/incidents/{id}). */
export function renderIncidentPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const id = route.path[1] ?? '';
  const body = h('div', { class: 'status-line' }, 'Loading…');
  replace(root, h('section', { class: 'incident-page' }, h('p', null, h('a', { href: formatHash(['incidents']) }, '← Incidents')), body));
  incidentApi
    .incident(id, signal)
    .then((evidence) => {
      replace(body, ...incidentSections(evidence));
      // the charts measure their container: drawn once it is in the page
      drawCharts(body, evidence);
    })
    .catch((err) => {
      if (!isAbort(err)) replace(body, errorBox(err));
    });
}

function drawCharts(body: HTMLElement, e: IncidentEvidence): void {
  const chart = body.querySelector<HTMLElement>('.incident-series');
  if (chart && e.series) drawIncidentChart(chart, e.series, { startUs: e.incident.detectionStartUs, endUs: e.incident.detectionEndUs });
  const graph = body.querySelector<HTMLElement>('.incident-topology');
  if (graph) drawIncidentGraph(graph, e.topology, new Map(e.causes.slice(0, CAUSES_ON_GRAPH).map((c, k) => [c.service, k + 1])));
}

function incidentSections(e: IncidentEvidence): Node[] {
  const i = e.incident;
  const endUs = i.resolvedAtMs === null ? Date.now() * 1000 : i.resolvedAtMs * 1000;
  return [
    h(
      'div',
      { class: 'incident-head' },
      h('h1', { class: 'page-title' }, nameSpan(i.rule), ' ', incidentChips(i)),
      h('p', { class: 'incident-summary' }, nameSpan(seriesLabel(i.series)), ` · ${metricLabel(i.metric)} · `, i.summary || formatMetric(i.metric, i.value)),
      h(
        'p',
        { class: 'muted' },
        `fired ${formatTime(i.startedAtMs * 1000)}`,
        i.resolvedAtMs !== null ? `, resolved ${formatTime(i.resolvedAtMs * 1000)}` : ', still firing',
        ` (${formatDuration(endUs - i.startedAtMs * 1000)}); evidence from ${formatTime(e.windowStartUs)} to ${formatTime(e.windowEndUs)}`,
      ),
      e.missing.length ? h('div', { class: 'warn-box' }, 'Some evidence could not be read: ', e.missing.join('; ')) : null,
    ),
    section('Likely causes', causesTable(e)),
    e.series ? section('The series and its baseline', h('div', { class: 'incident-series' }), bandNote(e)) : null,
    section('Topology around it', h('div', { class: 'incident-topology' })),
    section(`Affected orders (${e.orderKey || 'no business key'})`, ordersTable(e)),
    section('Exemplar traces', tracesTable(e)),
    section('Log messages that rose', logsTable(e)),
  ].filter((n): n is HTMLElement => n !== null);
}

function bandNote(e: IncidentEvidence): HTMLElement | null {
  const s = e.series!;
  if (s.band) return h('p', { class: 'muted legend-note' }, h('span', { class: 'legend-swatch band' }), ` normal band ${formatMetric(s.metric, s.band.low)} – ${formatMetric(s.metric, s.band.high)} (${s.band.method} baseline)`, h('span', { class: 'legend-swatch detection' }), ' detection window', h('span', { class: 'legend-swatch outside' }), ' outside the band');
  if (s.threshold) return h('p', { class: 'muted legend-note' }, `threshold ${s.threshold.op} ${formatMetric(s.metric, s.threshold.value)}`);
  return null;
}

/** One column of a table: its heading and what a row shows in it. */
interface Column<T> {
  head: string;
  cell: (row: T) => Child;
  cls?: string;
}

/** A results table of `rows` by `columns`, or `empty` when there are none. */
function columnTable<T>(cls: string, columns: Column<T>[], rows: readonly T[], rowProps: (row: T) => Props, empty: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    { class: `results ${cls}` },
    h('thead', null, h('tr', null, ...columns.map((c) => h('th', { class: c.cls }, c.head)))),
    h('tbody', null, ...rows.map((row) => h('tr', rowProps(row), ...columns.map((c) => h('td', { class: c.cls }, c.cell(row)))))),
  );
}

const num = 'num';
const time = 'nowrap';

function causesTable(e: IncidentEvidence): HTMLElement {
  const rank = new Map(e.causes.map((c, k) => [c, k + 1]));
  return columnTable<IncidentCause>(
    'incident-causes',
    [
      { head: '#', cls: num, cell: (c) => String(rank.get(c)) },
      { head: 'Service', cell: (c) => h('a', { href: formatHash(['topology'], new URLSearchParams({ node: c.service })) }, nameSpan(c.service)) },
      { head: 'Operation', cell: (c) => (c.operation === null ? '–' : nameSpan(c.operation)) },
      { head: 'Score', cls: num, cell: (c) => c.score.toFixed(3) },
      { head: 'Evidence', cell: (c) => h('ul', { class: 'cause-evidence' }, ...causeEvidence(c).map((line) => h('li', null, line))) },
    ],
    e.causes,
    (c) => ({ class: 'cause-row', data: { service: c.service } }),
    'No candidate cause: no anomaly, affected order or error-log rise in the window.',
  );
}

function ordersTable(e: IncidentEvidence): HTMLElement {
  return columnTable<AffectedOrder>(
    'incident-orders',
    [
      { head: 'Order', cell: (o) => h('a', { href: chainHref(o.key, o.value) }, nameSpan(o.value)) },
      { head: 'Started', cls: time, cell: (o) => formatTime(o.startUs) },
      { head: 'End to end', cls: num, cell: (o) => formatDuration(o.durationUs) },
      { head: 'Errors', cls: num, cell: (o) => String(o.errorCount) },
      { head: 'Its top cause', cell: (o) => (o.topCause ? nameSpan(`${o.topCause.service}: ${o.topCause.operation}`) : '–') },
    ],
    e.orders,
    (o) => ({ class: `order-row${o.errorCount > 0 ? ' failed' : ''}`, data: { value: o.value } }),
    'No slow or failed order in the window.',
  );
}

function tracesTable(e: IncidentEvidence): HTMLElement {
  return columnTable<TraceHit>(
    'incident-traces',
    [
      { head: 'Trace', cls: 'mono', cell: (t) => h('a', { href: traceHref(t.traceId) }, t.traceId.slice(0, 16)) },
      { head: 'Root', cell: (t) => nameSpan(`${t.rootService}: ${t.rootName}`) },
      { head: 'Started', cls: time, cell: (t) => formatTime(t.startUs) },
      { head: 'Duration', cls: num, cell: (t) => formatDuration(t.durationUs) },
      { head: 'Errors', cls: num, cell: (t) => String(t.errorCount) },
    ],
    e.traces,
    () => ({ class: 'trace-row' }),
    'No trace through the service in the window.',
  );
}

function logsTable(e: IncidentEvidence): HTMLElement {
  return columnTable<RisingLogMessage>(
    'incident-logs',
    [
      { head: 'Service', cell: (l) => nameSpan(l.service) },
      { head: 'Level', cell: (l) => l.severity },
      { head: 'Now', cls: num, cell: (l) => String(l.count) },
      { head: 'Before', cls: num, cell: (l) => String(l.baselineCount) },
      { head: 'Message', cls: 'log-sample', cell: (l) => h('span', { title: l.pattern }, l.sample) },
    ],
    e.logs,
    () => ({ class: 'log-row' }),
    'No warning or error message rose over the window before.',
  );
}
