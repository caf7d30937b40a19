import { insightApi, isAbort, type SlowChain } from '../api';
import { errorBox, h, nameSpan, option, replace } from '../dom';
import { formatDuration, formatTime } from '../format';
import { formatHash, navigate, type Route } from '../route';
import { resolveRange, timeRangeControl } from '../timerange';
import { BUSINESS_KEYS, chainHref } from './home';
import { drawMiniBar, drawSparkline } from './sparkline';

const DEFAULT_RANGE = '1h';
const DEFAULT_LIMIT = '20';

/** #/slow?key=&range=&limit=: the slowest business chains in a window and what held each one up. */
export function renderSlowOrders(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const params = route.params;
  const wantedKey = params.get('key') || BUSINESS_KEYS[0];
  const key = h('select', { attrs: { name: 'key', 'aria-label': 'Business key' } }, ...BUSINESS_KEYS.map((k) => option(k, k, k === wantedKey)));
  if (!BUSINESS_KEYS.includes(wantedKey)) key.appendChild(option(wantedKey, wantedKey, true));
  const range = timeRangeControl(params, DEFAULT_RANGE);
  const limit = h('input', { attrs: { name: 'limit', type: 'number', min: 1, max: 100, class: 'num' } });
  limit.value = params.get('limit') ?? DEFAULT_LIMIT;
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
    h('section', { class: 'panel' }, form, formError),
    h('section', { class: 'panel' }, h('div', { class: 'panel-head' }, summary, h('span', { class: 'muted' }, 'End-to-end latency of the listed chains by start time')), spark, results),
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    try {
      next.set('key', key.value);
      range.write(next);
      resolveRange(next, DEFAULT_RANGE);
      if (limit.value) next.set('limit', limit.value);
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
      chains = await insightApi.slowChains({ key: wantedKey, start, end, limit: params.get('limit') ?? DEFAULT_LIMIT }, signal);
      replace(summary, chains.length === 1 ? '1 ' : `${chains.length} slowest `, nameSpan(wantedKey), chains.length === 1 ? '' : ' values');
      if (!chains.length) {
        replace(results, h('p', { class: 'empty' }, 'No chains with ', nameSpan(wantedKey), ' in this window.'));
        return;
      }
      results.className = 'slow-results';
      drawSpark();
      replace(results, slowTable(chains, wantedKey));
    } catch (err) {
      if (!isAbort(err)) replace(results, errorBox(err));
    }
  })();

  return () => {
    window.removeEventListener('resize', onResize);
    clearTimeout(resizeTimer);
  };
}

function slowTable(chains: SlowChain[], key: string): HTMLElement {
  const slowest = Math.max(...chains.map((c) => c.durationUs));
  const rows = chains.map((c) => {
    const bar = h('span', { class: 'bar-cell' });
    drawMiniBar(bar, c.durationUs, slowest);
    const href = chainHref(key, c.value);
    return h(
      'tr',
      { class: 'slow-row', data: { value: c.value }, on: { click: (ev) => ((ev.target as Element).closest('a') ? undefined : navigate(href)) } },
      h('td', null, h('a', { class: 'chain-link', href }, nameSpan(c.value))),
      h('td', { class: 'nowrap' }, formatTime(c.startUs)),
      h('td', { class: 'num' }, formatDuration(c.durationUs)),
      h('td', null, bar),
      h('td', { class: 'num' }, c.traceCount),
      h('td', null, c.bottleneck ? h('span', null, nameSpan(c.bottleneck.service, 'svc'), ' ', nameSpan(c.bottleneck.operation)) : h('span', { class: 'muted' }, '–')),
    );
  });
  return h(
    'table',
    { class: 'results slow-table' },
    h(
      'thead',
      null,
      h('tr', null, ...['Value', 'Started', 'End to end', '', 'Traces', 'Bottleneck'].map((c, i) => h('th', { class: i === 2 || i === 4 ? 'num' : undefined }, c))),
    ),
    h('tbody', null, ...rows),
  );
}
