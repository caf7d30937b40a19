import type { Attributes, LogHighlight, LogLine } from '../api';
import { h, nameSpan, valueText } from '../dom';
import { formatTime, severityClass } from '../format';
import { formatHash } from '../route';
import { facetClause, isFacetable } from './logFacets';
import { visibleNodes } from '../safeText';

export const ORDER_KEY = 'order.id';

/** Case-insensitive [start, end) ranges of every term and phrase in `text`, merged. */
export function matchRanges(text: string, highlight: LogHighlight | undefined): Array<[number, number]> {
  if (!highlight || !text) return [];
  const needles = [...highlight.phrases, ...highlight.terms].map((s) => s.replace(/[*?]+$/, '').toLowerCase()).filter((s) => s.length > 0);
  if (!needles.length) return [];
  const lower = text.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (const n of needles) {
    for (let i = lower.indexOf(n); i >= 0 && ranges.length < 500; i = lower.indexOf(n, i + n.length)) ranges.push([i, i + n.length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The text as text nodes with the matches wrapped in <mark>; nothing is parsed as markup, hidden characters show as escapes. */
export function highlighted(text: string, highlight: LogHighlight | undefined): DocumentFragment {
  const frag = document.createDocumentFragment();
  const shown = (part: string) => visibleNodes(part, { keepBreaks: true });
  let at = 0;
  for (const [s, e] of matchRanges(text, highlight)) {
    if (s > at) frag.appendChild(shown(text.slice(at, s)));
    const mark = document.createElement('mark');
    mark.appendChild(shown(text.slice(s, e)));
    frag.appendChild(mark);
    at = e;
  }
  if (at < text.length) frag.appendChild(shown(text.slice(at)));
  return frag;
}

export function traceLink(log: LogLine): string {
  return formatHash(['trace', log.traceId], log.spanId ? new URLSearchParams({ span: log.spanId }) : undefined);
}

export function orderValue(log: LogLine): string | undefined {
  const v = log.attributes?.[ORDER_KEY];
  return v === undefined || v === null || v === '' ? undefined : valueText(v);
}

export function severityBadge(log: Pick<LogLine, 'severityNumber' | 'severityText'>): HTMLElement {
  return h('span', { class: `sev sev-${severityClass(log.severityNumber, log.severityText)}` }, log.severityText || String(log.severityNumber || '–'));
}

export interface LogRowOptions {
  highlight?: LogHighlight;
  onContext?(log: LogLine): void;
  /** Called with `field:"value"` (filter in) or `-field:"value"` (filter out) to add to the query. */
  onFilter?(clause: string): void;
  /** Marks the row (context anchor, a line that just arrived on the tail). */
  extraClass?: string;
}

/** The query field an attribute row filters on: log attributes by name; of the resource only those the language names. */
function queryField(name: string, resource: boolean): string | undefined {
  if (resource) return name === 'service.name' ? 'service' : name === 'host.name' ? 'host' : undefined;
  return isFacetable(name) ? name : undefined;
}

/** Filter in / filter out buttons for one scalar value. */
function filterButtons(field: string | undefined, value: unknown, onFilter: ((clause: string) => void) | undefined): HTMLElement | null {
  if (!onFilter || field === undefined || !['string', 'number', 'boolean'].includes(typeof value)) return null;
  const text = String(value);
  const button = (exclude: boolean) =>
    h(
      'button',
      {
        class: `link-button attr-filter attr-filter-${exclude ? 'out' : 'in'}`,
        title: `${exclude ? 'Without' : 'Only'} ${field}: ${text}`,
        attrs: { type: 'button', 'aria-label': `Filter ${exclude ? 'out' : 'in'} ${field}` },
        on: { click: () => onFilter(facetClause(field, text, exclude)) },
      },
      exclude ? '−' : '+',
    );
  return h('td', { class: 'attr-filters nowrap' }, button(false), button(true));
}

function attributeTable(title: string, attrs: Attributes | undefined, onFilter?: (clause: string) => void, resource = false): HTMLElement | null {
  const entries = Object.entries(attrs ?? {});
  if (!entries.length) return null;
  return h(
    'div',
    { class: 'log-attrs-group' },
    h('div', { class: 'fact-label' }, title),
    h(
      'table',
      { class: 'kv' },
      h('tbody', null, ...entries
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => h('tr', null, h('th', null, nameSpan(k)), h('td', { class: 'mono' }, valueText(v)), filterButtons(queryField(k, resource), v, onFilter)))),
    ),
  );
}

/** One log line: time, severity, service, highlighted body, links; a caret shows its attributes. */
export function logRow(log: LogLine, opts: LogRowOptions = {}): HTMLElement {
  const details = h('div', { class: 'log-attrs' });
  details.hidden = true;
  const caret = h('button', { class: 'caret log-expand', title: 'Attributes', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-label': 'Show attributes' } }, '▸');
  caret.addEventListener('click', () => {
    const open = details.hidden;
    if (open && !details.firstChild) {
      details.append(
        attributeTable('Attributes', log.attributes, opts.onFilter) ?? h('div', { class: 'muted' }, 'No attributes.'),
        ...[attributeTable('Resource', log.resource, opts.onFilter, true)].filter((x): x is HTMLElement => x !== null),
        h('div', { class: 'muted mono log-id' }, `id ${log.id}`),
      );
    }
    details.hidden = !open;
    caret.textContent = open ? '▾' : '▸';
    caret.setAttribute('aria-expanded', String(open));
  });
  const order = orderValue(log);
  const links = h(
    'span',
    { class: 'log-links' },
    log.traceId ? h('a', { class: 'trace-link', href: traceLink(log), title: `trace ${log.traceId}${log.spanId ? ` span ${log.spanId}` : ''}` }, 'trace') : null,
    order ? h('a', { class: 'chain-link', href: formatHash(['chain', ORDER_KEY, order]), title: `order chain ${order}` }, 'order ', nameSpan(order)) : null,
    opts.onContext
      ? h('button', { class: 'link-button context-button', attrs: { type: 'button' }, on: { click: () => opts.onContext?.(log) } }, 'context')
      : null,
  );
  const body = h('div', { class: 'log-body' });
  body.appendChild(highlighted(valueText(log.body), opts.highlight));
  return h(
    'div',
    { class: `log-row${opts.extraClass ? ` ${opts.extraClass}` : ''}`, data: { logId: log.id } },
    h(
      'div',
      { class: 'log-line-head' },
      caret,
      h('span', { class: 'nowrap mono log-time' }, formatTime(log.timeUs)),
      severityBadge(log),
      nameSpan(log.service, 'svc nowrap'),
      body,
      links,
    ),
    details,
  );
}
