import { api, isAbort, type LogRecord } from '../api';
import { errorBox, h, option, replace, valueText } from '../dom';
import { formatTime, severityClass } from '../format';
import { formatHash, navigate, traceHref, type Route } from '../route';
import { resolveRange, timeRangeControl } from '../timerange';

const DEFAULT_RANGE = '1h';
const DEFAULT_LIMIT = '100';
const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function renderLogSearch(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const params = route.params;
  const q = h('input', { class: 'query', attrs: { name: 'q', type: 'search', placeholder: 'words or "a phrase"', 'aria-label': 'Search text' } });
  q.value = params.get('q') ?? '';
  const wantedService = params.get('service') ?? '';
  const service = h('select', { attrs: { name: 'service', 'aria-label': 'Service' } }, option('', 'All services'));
  if (wantedService) service.appendChild(option(wantedService, wantedService, true));
  const wantedSeverity = (params.get('severity') ?? '').toUpperCase();
  const severity = h(
    'select',
    { attrs: { name: 'severity', 'aria-label': 'Severity' } },
    option('', 'Any severity', !wantedSeverity),
    ...SEVERITIES.map((s) => option(s, s, s === wantedSeverity)),
  );
  const traceId = params.get('traceId') ?? '';
  const limit = h('input', { attrs: { name: 'limit', type: 'number', min: 1, max: 1000, class: 'num' } });
  limit.value = params.get('limit') ?? DEFAULT_LIMIT;
  const range = timeRangeControl(params, DEFAULT_RANGE);
  const formError = h('div');
  const form = h(
    'form',
    { class: 'search-form', attrs: { 'aria-label': 'Search logs' } },
    h('label', { class: 'field grow' }, h('span', null, 'Text'), q),
    h('label', { class: 'field' }, h('span', null, 'Service'), service),
    h('label', { class: 'field' }, h('span', null, 'Severity'), severity),
    range.element,
    h('label', { class: 'field' }, h('span', null, 'Limit'), limit),
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Search'),
  );
  const summary = h('div', { class: 'result-summary' });
  const results = h('div', { class: 'status-line' }, 'Searching…');
  replace(
    root,
    h('section', { class: 'panel' }, form, formError),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-head' }, summary, traceId ? h('span', { class: 'chip' }, `trace ${traceId}`) : null),
      results,
    ),
  );

  api
    .services(signal)
    .then((services) => {
      replace(service, option('', 'All services'));
      for (const s of services) service.appendChild(option(s, s, s === wantedService));
      if (wantedService && !services.includes(wantedService)) service.appendChild(option(wantedService, wantedService, true));
    })
    .catch((err) => {
      if (!isAbort(err)) replace(formError, errorBox(err));
    });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    try {
      if (q.value.trim()) next.set('q', q.value.trim());
      if (service.value) next.set('service', service.value);
      if (severity.value) next.set('severity', severity.value);
      if (traceId) next.set('traceId', traceId);
      range.write(next);
      resolveRange(next, DEFAULT_RANGE);
      if (limit.value) next.set('limit', limit.value);
    } catch (err) {
      replace(formError, errorBox(err));
      return;
    }
    navigate(formatHash(['logs'], next));
  });

  void (async () => {
    try {
      const { start, end } = resolveRange(params, DEFAULT_RANGE);
      const res = await api.logs(
        {
          q: params.get('q') ?? undefined,
          service: wantedService || undefined,
          severity: wantedSeverity || undefined,
          traceId: traceId || undefined,
          spanId: params.get('spanId') ?? undefined,
          start,
          end,
          limit: params.get('limit') ?? DEFAULT_LIMIT,
        },
        signal,
      );
      const shown = res.logs.length;
      const total = `${res.totalIsLowerBound ? '≥ ' : ''}${res.total}`;
      const noun = res.total === 1 ? 'log' : 'logs';
      summary.textContent = shown < res.total ? `${shown} of ${total} ${noun}` : `${total} ${noun}`;
      results.className = 'log-results';
      replace(results, shown ? logTable(res.logs) : h('p', { class: 'empty' }, 'No logs match.'));
    } catch (err) {
      if (!isAbort(err)) replace(results, errorBox(err));
    }
  })();
}

function logTable(logs: LogRecord[]): HTMLElement {
  return h(
    'table',
    { class: 'results logs' },
    h('thead', null, h('tr', null, ...['Time', 'Severity', 'Service', 'Message', 'Trace'].map((c) => h('th', null, c)))),
    h(
      'tbody',
      null,
      ...logs.map((l) =>
        h(
          'tr',
          { class: 'log-row', data: { logId: l.id } },
          h('td', { class: 'nowrap mono' }, formatTime(l.timeUs)),
          h('td', null, h('span', { class: `sev sev-${severityClass(l.severityNumber, l.severityText)}` }, l.severityText || String(l.severityNumber || '–'))),
          h('td', { class: 'nowrap' }, l.service),
          h('td', { class: 'log-body' }, valueText(l.body)),
          h('td', { class: 'nowrap' }, l.traceId ? h('a', { class: 'trace-link mono', href: traceHref(l.traceId), title: l.traceId }, l.traceId.slice(0, 12) + '…') : ''),
        ),
      ),
    ),
  );
}
