import { isAbort, logApi, type Attributes, type LogLine, type Span } from '../api';
import { errorBox, h, nameSpan, replace, valueText } from '../dom';
import { spanPanelHead } from './spanPanelHead';
import { formatClock, formatDuration, formatTime, severityClass } from '../format';
import { traceHref } from '../route';
import { skewText } from './waterfall';
import { eventKind } from './traceZoomLayout';

export interface SpanDetailContext {
  traceStartUs: number;
  /** For the critical path's share of the trace; optional. */
  traceDurationUs?: number;
  color: string;
  signal: AbortSignal;
  onClose(): void;
  /** Link to the log search page with this span's logs. */
  logsHref?: string;
  /** Index in span.events of an event to scroll to and mark (its marker was clicked). */
  focusEventIndex?: number;
}

/** The detail panel of one span: facts, attributes, resource, events, links and its logs. */
export function renderSpanDetail(panel: HTMLElement, span: Span, ctx: SpanDetailContext): void {
  const skewUs = span.skewAdjustedUs ?? 0;
  const segments = span.criticalPath ? span.criticalSegments ?? [] : [];
  const criticalUs = segments.reduce((n, seg) => n + (seg.endUs - seg.startUs), 0);
  const share = ctx.traceDurationUs && ctx.traceDurationUs > 0 ? ` (${Math.round((criticalUs / ctx.traceDurationUs) * 1000) / 10}% of the trace)` : '';
  const logsBox = h('div', { class: 'span-logs' }, h('p', { class: 'muted' }, 'Loading logs…'));
  replace(
    panel,
    ...spanPanelHead(
      span,
      ctx.color,
      ctx.onClose,
      span.criticalPath ? h('span', { class: 'badge critical-badge', title: 'This span holds up the trace for part of its time' }, 'critical path') : null,
      skewUs ? h('span', { class: 'badge skew-badge', title: skewText(span) }, '± skew corrected') : null,
    ),
    kvTable(
      [
        ['Span ID', span.spanId],
        ['Parent', span.parentSpanId || '(root)'],
        ['Start', `+${formatDuration(span.startUs - ctx.traceStartUs)}  (${formatTime(span.startUs)})`],
        ['Duration', formatDuration(span.durationUs)],
        ['Status', span.status?.message ? `${span.status.code}: ${span.status.message}` : span.status?.code ?? 'unset'],
        ...(span.criticalPath === undefined
          ? []
          : [
              [
                'Critical path',
                segments.length
                  ? `${formatDuration(criticalUs)}${share} in ${segments.length} ${segments.length === 1 ? 'segment' : 'segments'}: ${segments
                      .map((seg) => `+${formatDuration(seg.startUs - ctx.traceStartUs)}…+${formatDuration(seg.endUs - ctx.traceStartUs)}`)
                      .join(', ')}`
                  : 'no',
              ] as [string, string],
            ]),
        ...(skewUs
          ? [
              ['Clock skew', `corrected by ${skewUs > 0 ? '+' : '−'}${formatDuration(Math.abs(skewUs))}`] as [string, string],
              ['Reported start', formatTime(span.startUs - skewUs)] as [string, string],
            ]
          : []),
      ],
      'span-facts',
    ),
    section('Attributes', attributesTable(span.attributes)),
    section('Resource', attributesTable(span.resource)),
    section(`Events (${span.events?.length ?? 0})`, eventsList(span, ctx.focusEventIndex)),
    section(`Links (${span.links?.length ?? 0})`, linksList(span)),
    section('Logs', ctx.logsHref ? h('p', null, h('a', { href: ctx.logsHref, class: 'span-logs-link' }, 'Open in log search')) : null, logsBox),
  );
  panel.scrollTop = 0;
  const focused = panel.querySelector<HTMLElement>('li.focused');
  if (focused) focused.scrollIntoView({ block: 'nearest' });

  logApi
    .search({ traceId: span.traceId, spanId: span.spanId, limit: 200 }, ctx.signal)
    .then((res) => replace(logsBox, logLines(res.logs)))
    .catch((err) => {
      if (!isAbort(err)) replace(logsBox, errorBox(err));
    });
}

function section(title: string, ...content: (Node | null)[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', null, title), ...content);
}

function kvTable(rows: Array<[string | Node, string]>, cls = 'kv'): HTMLElement {
  return h(
    'table',
    { class: `kv ${cls}` },
    h('tbody', null, ...rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))),
  );
}

export function attributesTable(attrs: Attributes | undefined): HTMLElement {
  const entries = Object.entries(attrs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return h('p', { class: 'muted' }, 'none');
  return kvTable(entries.map(([k, v]) => [nameSpan(k), valueText(v)]));
}

function eventsList(span: Span, focusIndex: number | undefined): HTMLElement {
  const events = (span.events ?? []).map((e, index) => ({ e, index })).sort((a, b) => a.e.timeUs - b.e.timeUs);
  if (!events.length) return h('p', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'events' },
    ...events.map(({ e, index }) =>
      h(
        'li',
        { class: `${eventKind(e)}${index === focusIndex ? ' focused' : ''}`, data: { eventIndex: String(index) } },
        h('span', { class: 'offset' }, `+${formatDuration(e.timeUs - span.startUs)}`),
        ' ',
        h('strong', null, nameSpan(e.name)),
        Object.keys(e.attributes ?? {}).length ? attributesTable(e.attributes) : null,
      ),
    ),
  );
}

function linksList(span: Span): HTMLElement {
  const links = span.links ?? [];
  if (!links.length) return h('p', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'links' },
    ...links.map((l) =>
      h(
        'li',
        null,
        h('a', { href: traceHref(l.traceId), class: 'mono' }, l.traceId),
        h('span', { class: 'mono muted' }, ` span ${l.spanId}`),
        Object.keys(l.attributes ?? {}).length ? attributesTable(l.attributes) : null,
      ),
    ),
  );
}

function logLines(logs: LogLine[]): HTMLElement {
  if (!logs.length) return h('p', { class: 'muted' }, 'No logs for this span.');
  const sorted = [...logs].sort((a, b) => a.timeUs - b.timeUs);
  return h(
    'ul',
    { class: 'log-lines' },
    ...sorted.map((l) =>
      h(
        'li',
        { class: 'log-line' },
        h('span', { class: 'mono muted' }, formatClock(l.timeUs)),
        ' ',
        h('span', { class: `sev sev-${severityClass(l.severityNumber, l.severityText)}` }, l.severityText || String(l.severityNumber)),
        ' ',
        h('span', { class: 'log-body' }, valueText(l.body)),
      ),
    ),
  );
}
