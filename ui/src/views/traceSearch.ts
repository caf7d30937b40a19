import { api, isAbort, type MatchingSpan, type TraceHit } from '../api';
import { errorBox, h, nameSpan, option, replace } from '../dom';
import { formatDuration, formatTime } from '../format';
import { formatHash, navigate, replaceHash, traceHref, type Route } from '../route';
import { resolveRange, timeRangeControl } from '../timerange';
import { drawScatter } from './scatter';

const DEFAULT_RANGE = '1h';
const DEFAULT_LIMIT = '50';
/** The attribute input is at least this many characters wide and grows with its text up to ATTR_MAX_CHARS. */
const ATTR_MIN_CHARS = 22;
const ATTR_MAX_CHARS = 64;
const SORTS: Array<[string, string]> = [
  ['newest', 'Newest first'],
  ['oldest', 'Oldest first'],
  ['longest', 'Longest first'],
  ['shortest', 'Shortest first'],
];
const STATUSES: Array<[string, string]> = [
  ['', 'Any status'],
  ['error', 'Error'],
  ['ok', 'OK'],
  ['unset', 'Unset'],
];
const ATTR_PATTERN = /([^\s:"]+):(?:"([^"]*)"|(\S+))/g;

/** Splits `a:b c:"d e"` into ['a:b', 'c:d e']; anything that is not key:value is an error. */
export function parseAttrFilters(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (const m of text.matchAll(ATTR_PATTERN)) {
    out.push(`${m[1]}:${m[2] ?? m[3]}`);
    rest = rest.replace(m[0], '');
  }
  if (rest.trim() !== '') throw new Error(`Attribute filter must be key:value (got "${rest.trim()}")`);
  return out;
}

function formatAttrFilters(values: string[]): string {
  return values
    .map((v) => {
      const i = v.indexOf(':');
      const val = v.slice(i + 1);
      return /\s/.test(val) ? `${v.slice(0, i)}:"${val}"` : v;
    })
    .join(' ');
}

export function renderTraceSearch(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const params = route.params;
  const service = h('select', { attrs: { name: 'service', 'aria-label': 'Service' } }, option('', 'All services'));
  const operation = h('select', { attrs: { name: 'operation', 'aria-label': 'Operation' } }, option('', 'All operations'));
  const attr = h('input', { attrs: { name: 'attr', type: 'text', placeholder: 'http.status_code:500', size: ATTR_MIN_CHARS } });
  attr.value = formatAttrFilters(params.getAll('attr'));
  const fitAttr = () => {
    attr.size = Math.min(ATTR_MAX_CHARS, Math.max(ATTR_MIN_CHARS, attr.value.length + 2));
  };
  fitAttr();
  attr.addEventListener('input', fitAttr);
  const errorsOnly = h('input', { attrs: { type: 'checkbox', name: 'error' } });
  errorsOnly.checked = params.get('error') === 'true';
  const statusSelect = h('select', { attrs: { name: 'status', 'aria-label': 'Span status' } }, ...STATUSES.map(([v, label]) => option(v, label, v === (params.get('status') ?? ''))));
  const sort = h('select', { attrs: { name: 'sort', 'aria-label': 'Sort' } }, ...SORTS.map(([v, label]) => option(v, label, v === (params.get('sort') ?? 'newest'))));
  // errors only is status=error: the two controls stay in step
  const syncStatus = () => {
    statusSelect.disabled = errorsOnly.checked;
    if (errorsOnly.checked) statusSelect.value = 'error';
  };
  syncStatus();
  errorsOnly.addEventListener('change', syncStatus);
  const minD = h('input', { attrs: { name: 'minDurationMs', type: 'number', min: 0, step: 'any', placeholder: 'min', class: 'num' } });
  const maxD = h('input', { attrs: { name: 'maxDurationMs', type: 'number', min: 0, step: 'any', placeholder: 'max', class: 'num' } });
  minD.value = params.get('minDurationMs') ?? '';
  maxD.value = params.get('maxDurationMs') ?? '';
  const limit = h('input', { attrs: { name: 'limit', type: 'number', min: 1, max: 1000, class: 'num' } });
  limit.value = params.get('limit') ?? DEFAULT_LIMIT;
  const range = timeRangeControl(params, DEFAULT_RANGE);
  const logScale = h('input', { attrs: { type: 'checkbox', name: 'log' } });
  logScale.checked = params.get('log') === '1';

  const wantedService = params.get('service') ?? '';
  const wantedOperation = params.get('operation') ?? '';
  if (wantedService) service.appendChild(option(wantedService, wantedService, true));
  if (wantedOperation) operation.appendChild(option(wantedOperation, wantedOperation, true));

  const formError = h('div');
  const form = h(
    'form',
    { class: 'search-form', attrs: { 'aria-label': 'Find traces' } },
    h('label', { class: 'field' }, h('span', null, 'Service'), service),
    h('label', { class: 'field' }, h('span', null, 'Operation'), operation),
    h('label', { class: 'field' }, h('span', null, 'Attributes'), attr),
    h('label', { class: 'field', attrs: { title: 'With an operation: the duration of its span; without: the trace' } }, h('span', null, 'Duration (ms)'), h('span', { class: 'inline' }, minD, '–', maxD)),
    h('label', { class: 'field' }, h('span', null, 'Status'), statusSelect),
    h('label', { class: 'check errors-only' }, errorsOnly, ' errors only'),
    range.element,
    h('label', { class: 'field' }, h('span', null, 'Sort'), sort),
    h('label', { class: 'field' }, h('span', null, 'Limit'), limit),
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Find traces'),
  );
  const summary = h('div', { class: 'result-summary' });
  const plot = h('div', { class: 'plot-box' });
  const table = h('div', { class: 'table-box' });
  const more = h('div', { class: 'more-box' });
  const status = h('div', { class: 'status-line' }, 'Searching…');
  replace(
    root,
    h('section', { class: 'panel' }, form, formError),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-head' }, summary, h('label', { class: 'check' }, logScale, ' log scale')),
      status,
      plot,
      table,
      more,
    ),
  );

  const loadOperations = async (svc: string, keep: string) => {
    replace(operation, option('', 'All operations'));
    if (!svc) return;
    try {
      const ops = await api.operations(svc, signal);
      for (const op of ops) operation.appendChild(option(op, op, op === keep));
      if (keep && !ops.includes(keep)) operation.appendChild(option(keep, keep, true));
    } catch (err) {
      if (!isAbort(err)) replace(formError, errorBox(err));
    }
  };

  api
    .services(signal)
    .then((services) => {
      replace(service, option('', 'All services'));
      for (const s of services) service.appendChild(option(s, s, s === wantedService));
      if (wantedService && !services.includes(wantedService)) service.appendChild(option(wantedService, wantedService, true));
      return loadOperations(wantedService, wantedOperation);
    })
    .catch((err) => {
      if (!isAbort(err)) replace(formError, errorBox(err));
    });
  service.addEventListener('change', () => void loadOperations(service.value, ''));

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    try {
      if (service.value) next.set('service', service.value);
      if (operation.value) next.set('operation', operation.value);
      for (const a of parseAttrFilters(attr.value)) next.append('attr', a);
      if (minD.value) next.set('minDurationMs', minD.value);
      if (maxD.value) next.set('maxDurationMs', maxD.value);
      if (errorsOnly.checked) next.set('error', 'true');
      else if (statusSelect.value) next.set('status', statusSelect.value);
      if (sort.value !== 'newest') next.set('sort', sort.value);
      range.write(next);
      resolveRange(next, DEFAULT_RANGE);
      if (limit.value) next.set('limit', limit.value);
      if (logScale.checked) next.set('log', '1');
    } catch (err) {
      replace(formError, errorBox(err));
      return;
    }
    navigate(formatHash(['traces'], next));
  });

  let traces: TraceHit[] = [];
  const open = (id: string) => navigate(traceHref(id));
  const draw = () => {
    if (traces.length) drawScatter(plot, traces, { logScale: logScale.checked, onOpen: open });
    else replace(plot);
  };
  logScale.addEventListener('change', () => {
    const p = new URLSearchParams(params);
    if (logScale.checked) p.set('log', '1');
    else p.delete('log');
    replaceHash(formatHash(['traces'], p));
    draw();
  });
  let resizeTimer = 0;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(draw, 150);
  };
  window.addEventListener('resize', onResize);

  // resolved once, so "Load more" pages the same window as the first page
  const searchQuery = () => ({
    service: params.get('service') ?? undefined,
    operation: params.get('operation') ?? undefined,
    error: params.get('error') ?? undefined,
    status: params.get('status') ?? undefined,
    sort: params.get('sort') ?? undefined,
    attr: params.getAll('attr'),
    minDurationMs: params.get('minDurationMs') ?? undefined,
    maxDurationMs: params.get('maxDurationMs') ?? undefined,
    ...resolveRange(params, DEFAULT_RANGE), // a bad range in the hash throws: shown like an API error
    limit: params.get('limit') ?? DEFAULT_LIMIT,
  });
  const showPage = (next: string | undefined) => {
    summary.textContent = `${traces.length === 1 ? '1 trace' : `${traces.length} traces`}${next ? ' (more available)' : ''}`;
    if (!traces.length) {
      replace(table, h('p', { class: 'empty' }, 'No traces match. Widen the time range or remove filters.'));
      replace(more);
      return;
    }
    draw();
    replace(table, resultTable(traces));
    if (!next) {
      replace(more);
      return;
    }
    const button = h('button', { class: 'load-more', attrs: { type: 'button' } }, 'Load more');
    button.addEventListener('click', () => {
      button.disabled = true; // one request per page
      void load(next);
    });
    replace(more, button);
  };
  let query: ReturnType<typeof searchQuery> | undefined;
  const load = async (cursor?: string) => {
    try {
      query ??= searchQuery();
      const page = await api.findTraces({ ...query, cursor }, signal);
      traces = cursor ? [...traces, ...page.traces] : page.traces;
      status.remove();
      showPage(page.next);
    } catch (err) {
      if (isAbort(err)) return;
      if (cursor) replace(more, errorBox(err));
      else replace(status, errorBox(err));
    }
  };
  void load();

  return () => {
    window.removeEventListener('resize', onResize);
    clearTimeout(resizeTimer);
  };
}

/** The spans that met the search's span-level filters (at most a few per hit, errors first). */
function matchingSpanList(traceId: string, spans: MatchingSpan[]): HTMLUListElement {
  return h(
    'ul',
    { class: 'matching-spans', attrs: { 'aria-label': 'Matching spans' } },
    ...spans.map((s) =>
      h(
        'li',
        { class: s.status === 'error' ? 'matching-span error' : 'matching-span' },
        h('a', { href: formatHash(['trace', traceId], new URLSearchParams({ span: s.spanId })) }, nameSpan(s.service, 'svc'), ' ', nameSpan(s.name)),
        ' ',
        h('span', { class: 'num' }, formatDuration(s.durationUs)),
        s.status === 'error' ? h('span', { class: 'badge error' }, 'error') : null,
      ),
    ),
  );
}

function resultTable(traces: TraceHit[]): HTMLTableElement {
  const body = h('tbody');
  for (const t of traces) {
    body.appendChild(
      h(
        'tr',
        { class: t.errorCount > 0 ? 'has-error' : undefined },
        h(
          'td',
          null,
          h('a', { href: traceHref(t.traceId), class: 'trace-link' }, nameSpan(t.rootService, 'svc'), ' ', nameSpan(t.rootName)),
          h('div', { class: 'mono muted' }, t.traceId),
          t.matchingSpans.length ? matchingSpanList(t.traceId, t.matchingSpans) : null,
        ),
        h('td', { class: 'nowrap' }, formatTime(t.startUs)),
        h('td', { class: 'num' }, formatDuration(t.durationUs)),
        h('td', { class: 'num' }, t.spanCount),
        h('td', { class: 'num' }, t.errorCount > 0 ? h('span', { class: 'badge error' }, t.errorCount) : '0'),
        h('td', null, ...t.services.map((s) => h('span', { class: 'chip' }, nameSpan(s)))),
      ),
    );
  }
  return h(
    'table',
    { class: 'results' },
    h(
      'thead',
      null,
      h('tr', null, ...['Root', 'Start', 'Duration', 'Spans', 'Errors', 'Services'].map((c, i) => h('th', { class: i >= 2 && i <= 4 ? 'num' : undefined }, c))),
    ),
    body,
  );
}
