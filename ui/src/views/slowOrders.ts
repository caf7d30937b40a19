import { insightApi, isAbort, type Query, type SlowChain } from '../api';
import { errorBox, h, nameSpan, replace } from '../dom';
import { formatDuration, formatTime } from '../format';
import { formatHash, navigate, type Route } from '../route';
import { resolveRange, timeRangeControl } from '../timerange';
import { chainHref } from './home';
import { businessKeySelect } from './keySelect';
import { drawSparkline } from './sparkline';
import { bottleneckText, timeBar, timeLegend } from './waitKinds';

const DEFAULT_RANGE = '1h';
const DEFAULT_LIMIT = '20';

/** Sortable columns: the API's sort names (query-api/routes/chains.ts). */
const SORTS = ['start', 'duration', 'working', 'waiting', 'errors', 'bottleneck'] as const;
type Sort = (typeof SORTS)[number];
const FLAGS = [
  ['errorsOnly', 'Errors only'],
  ['excludeIntendedWaits', 'Exclude intended waits'],
] as const;

/**
 * #/slow?key=&range=&limit=&sort=&order=&errorsOnly=&excludeIntendedWaits=:
 * the slowest business chains in a window, their time split into working and
 * waiting, errors, and what held each one up.
 */
export function renderSlowOrders(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const params = route.params;
  const key = businessKeySelect(params.get('key'));
  const wantedKey = key.value;
  const range = timeRangeControl(params, DEFAULT_RANGE);
  const limit = h('input', { attrs: { name: 'limit', type: 'number', min: 1, max: 100, class: 'num' } });
  limit.value = params.get('limit') ?? DEFAULT_LIMIT;
  const sort: Sort = (SORTS as readonly string[]).includes(params.get('sort') ?? '') ? (params.get('sort') as Sort) : 'duration';
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const flagBoxes = FLAGS.map(([name, text]) => {
    const box = h('input', { attrs: { type: 'checkbox', name } });
    box.checked = params.get(name) === 'true';
    box.addEventListener('change', () => {
      const next = new URLSearchParams(params);
      if (box.checked) next.set(name, 'true');
      else next.delete(name);
      navigate(formatHash(['slow'], next));
    });
    return h('label', null, box, text);
  });
  const formError = h('div');
  const form = h(
    'form',
    { class: 'search-form', attrs: { 'aria-label': 'Find slow orders' } },
    h('label', { class: 'field' }, h('span', null, 'Key'), key),
    range.element,
    h('label', { class: 'field' }, h('span', null, 'Limit'), limit),
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Show slowest'),
  );
  const summary = h('div', { class: 'result-summary' });
  const spark = h('div', { class: 'spark-box' });
  const results = h('div', { class: 'status-line' }, 'Loading…');
  replace(
    root,
    h('section', { class: 'panel' }, form, h('div', { class: 'slow-filters' }, ...flagBoxes), formError),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-head' }, summary, h('span', { class: 'muted' }, 'End-to-end latency of the listed chains by start time')),
      spark,
      h('div', { class: 'slow-legend' }, timeLegend()),
      results,
    ),
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    try {
      next.set('key', key.value);
      range.write(next);
      resolveRange(next, DEFAULT_RANGE);
      if (limit.value) next.set('limit', limit.value);
      for (const name of ['sort', 'order', ...FLAGS.map(([n]) => n)]) if (params.get(name)) next.set(name, params.get(name)!);
    } catch (err) {
      replace(formError, errorBox(err));
      return;
    }
    navigate(formatHash(['slow'], next));
  });

  let chains: SlowChain[] = [];
  const drawSpark = () =>
    drawSparkline(
      spark,
      chains.map((c) => ({ tUs: c.startUs, valueUs: c.durationUs, label: c.value })),
      { onClick: (p) => navigate(chainHref(wantedKey, p.label)) },
    );
  let resizeTimer = 0;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(drawSpark, 150);
  };
  window.addEventListener('resize', onResize);

  void (async () => {
    try {
      const { start, end } = resolveRange(params, DEFAULT_RANGE);
      const query: Query = { key: wantedKey, start, end, limit: params.get('limit') ?? DEFAULT_LIMIT, sort, order };
      for (const [name] of FLAGS) if (params.get(name) === 'true') query[name] = 'true';
      chains = await insightApi.slowChains(query, signal);
      replace(summary, chains.length === 1 ? '1 ' : `${chains.length} slowest `, nameSpan(wantedKey), chains.length === 1 ? '' : ' values');
      if (!chains.length) {
        replace(results, h('p', { class: 'empty' }, 'No chains with ', nameSpan(wantedKey), ' in this window.'));
        return;
      }
      results.className = 'slow-results';
      drawSpark();
      replace(results, slowTable(chains, wantedKey, { sort, order, params, hideIntended: params.get('excludeIntendedWaits') === 'true' }));
    } catch (err) {
      if (!isAbort(err)) replace(results, errorBox(err));
    }
  })();

  return () => {
    window.removeEventListener('resize', onResize);
    clearTimeout(resizeTimer);
  };
}

interface TableState {
  sort: Sort;
  order: 'asc' | 'desc';
  params: URLSearchParams;
  hideIntended: boolean;
}

function slowTable(chains: SlowChain[], key: string, state: TableState): HTMLElement {
  const slowest = Math.max(...chains.map((c) => c.durationUs));
  const rows = chains.map((c) => {
    const href = chainHref(key, c.value);
    const errors = c.errorCount ?? 0;
    return h(
      'tr',
      { class: 'slow-row', data: { value: c.value }, on: { click: (ev) => ((ev.target as Element).closest('a') ? undefined : navigate(href)) } },
      h('td', null, h('a', { class: 'chain-link', href }, nameSpan(c.value))),
      h('td', { class: 'nowrap' }, formatTime(c.startUs)),
      h('td', { class: 'num', data: { col: 'duration' } }, formatDuration(c.durationUs)),
      h('td', null, timeBar(c, slowest, state.hideIntended)),
      h('td', { class: 'num', data: { col: 'working' } }, c.workingUs === undefined ? '–' : formatDuration(c.workingUs)),
      h('td', { class: 'num', data: { col: 'waiting' }, title: waitTitle(c, state.hideIntended) }, c.waitingUs === undefined ? '–' : formatDuration(c.waitingUs)),
      h('td', { class: `num${errors ? ' error' : ''}`, data: { col: 'errors' } }, errors),
      h('td', { class: 'num' }, c.traceCount),
      h('td', { data: { col: 'bottleneck' } }, bottleneckText(c.bottleneck)),
    );
  });
  const columns: Array<[string, Sort | null, boolean]> = [
    ['Value', null, false],
    ['Started', 'start', false],
    ['End to end', 'duration', true],
    ['', null, false],
    ['Working', 'working', true],
    ['Waiting', 'waiting', true],
    ['Errors', 'errors', true],
    ['Traces', null, true],
    ['Bottleneck', 'bottleneck', false],
  ];
  const header = columns.map(([text, sort, num]) => {
    const cls = [num ? 'num' : '', sort && sort === state.sort ? 'sorted' : ''].filter(Boolean).join(' ') || undefined;
    if (!sort) return h('th', { class: cls }, text);
    const sorted = sort === state.sort;
    const nextOrder = sorted && state.order === 'desc' ? 'asc' : 'desc';
    const next = new URLSearchParams(state.params);
    next.set('sort', sort);
    next.set('order', nextOrder);
    return h(
      'th',
      { class: cls, data: { sort }, attrs: { 'aria-sort': sorted ? (state.order === 'asc' ? 'ascending' : 'descending') : undefined } },
      h('button', { class: 'sort', attrs: { type: 'button', title: `Sort by ${text.toLowerCase()}` }, on: { click: () => navigate(formatHash(['slow'], next)) } }, text, sorted ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''),
    );
  });
  return h('table', { class: 'results slow-table' }, h('thead', null, h('tr', null, ...header)), h('tbody', null, ...rows));
}

function waitTitle(c: SlowChain, hideIntended: boolean): string {
  const parts = [`queue ${formatDuration(c.queueWaitUs ?? 0)}`, `intended ${formatDuration(c.intendedWaitUs ?? 0)}${hideIntended ? ' (left out)' : ''}`, `unknown gap ${formatDuration(c.gapUs ?? 0)}`];
  return parts.join(' · ');
}
