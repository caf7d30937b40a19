import type { ChainComparisonView, CompareRow } from '../../../core/analysis/chain-compare';
import { insightApi, isAbort } from '../api';
import { errorBox, h, nameSpan, replace } from '../dom';
import { formatDuration } from '../format';
import { formatHash, navigate, type Route } from '../route';
import { chainHref } from './home';
import { businessKeySelect } from './keySelect';

/** What the "other order" box takes to mean a typical order of the same journey (the API: no b). */
const TYPICAL = 'typical';

/** The link "Compare with…" from a chain page: against a typical order until the user names another. */
export function compareHref(key: string, a: string, b?: string): string {
  const params = new URLSearchParams({ key, a });
  if (b !== undefined && b !== '' && b !== TYPICAL) params.set('b', b);
  return formatHash(['chains', 'compare'], params);
}

/**
 * #/chains/compare?key=&a=&b=: order a against order b, or (no b) against a
 * typical order of the same journey; time on the critical path per stage and
 * per hop (operation or wait) side by side, the hop that explains most of
 * the difference first and highlighted.
 */
export function renderChainCompare(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const params = route.params;
  const key = businessKeySelect(params.get('key'));
  const wantedKey = key.value;
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const aInput = h('input', { attrs: { name: 'a', placeholder: 'order', 'aria-label': 'Order to explain', required: true } });
  aInput.value = a;
  const bInput = h('input', { attrs: { name: 'b', placeholder: TYPICAL, 'aria-label': `Compare with (another order, or ${TYPICAL})` } });
  bInput.value = b || TYPICAL;
  const form = h(
    'form',
    { class: 'search-form', attrs: { 'aria-label': 'Compare two orders' } },
    h('label', { class: 'field' }, h('span', null, 'Key'), key),
    h('label', { class: 'field' }, h('span', null, 'Order'), aInput),
    h('label', { class: 'field' }, h('span', null, 'Compare with'), bInput),
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Compare'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (aInput.value.trim()) navigate(compareHref(key.value, aInput.value.trim(), bInput.value.trim()));
  });
  const results = h('div', { class: 'status-line' }, a ? 'Comparing…' : 'Name an order to compare.');
  replace(root, h('section', { class: 'panel' }, form), h('section', { class: 'panel compare-results' }, results));
  if (!a) return;

  void (async () => {
    try {
      const c = await insightApi.compareChains({ key: wantedKey, a, b: b && b !== TYPICAL ? b : undefined }, signal);
      replace(results, ...comparison(c));
      results.className = '';
    } catch (err) {
      if (!isAbort(err)) replace(results, errorBox(err));
    }
  })();
}

/** ", N failed left out" when the typical order had failed orders of the journey to leave out. */
function typicalLeftOut(c: ChainComparisonView): string {
  const n = c.typical?.failedLeftOut ?? 0;
  return n > 0 ? `; ${n} failed ${n === 1 ? 'one' : 'ones'} left out` : '';
}

function comparison(c: ChainComparisonView): HTMLElement[] {
  const other = c.b
    ? h('a', { href: chainHref(c.key, c.b.value) }, nameSpan(c.b.value))
    : h('span', null, `a typical order (median of ${c.typical?.orders ?? 0} of the same journey${typicalLeftOut(c)})`);
  const d = c.duration;
  const head = h(
    'div',
    { class: 'compare-summary' },
    h('p', null, h('a', { href: chainHref(c.key, c.a.value) }, nameSpan(c.a.value)), ` took ${formatDuration(d.aUs)}, `, signed(d.deltaUs), ' against ', other, ` (${formatDuration(d.bUs)}).`),
    h('p', { class: 'muted' }, `Working ${formatDuration(c.working.aUs)} vs ${formatDuration(c.working.bUs)} · waiting ${formatDuration(c.waiting.aUs)} vs ${formatDuration(c.waiting.bUs)}`, c.sameStages ? '' : ' · the two went through different stages'),
    c.top
      ? h('p', { class: 'compare-top' }, 'Most of the difference: ', nameSpan(c.top.label), ' ', signed(c.top.deltaUs), ` (${formatDuration(c.top.aUs)} vs ${formatDuration(c.top.bUs)})`)
      : h('p', { class: 'compare-top none' }, 'No hop differs.'),
  );
  return [
    head,
    h('h3', null, 'Hops: operations and waits on the critical path'),
    table(c.hops, c.top, 'Hop'),
    h('h3', null, 'Stages: their work on the critical path'),
    table(c.stages, null, 'Stage'),
  ];
}

function table(rows: CompareRow[], top: CompareRow | null, first: string): HTMLElement {
  const widest = Math.max(1, ...rows.flatMap((r) => [r.aUs, r.bUs]));
  const body = rows.map((r) =>
    h(
      'tr',
      { class: `compare-row${top && r.key === top.key ? ' top' : ''}${r.intended ? ' intended' : ''}`, data: { key: r.key, kind: r.kind } },
      h('td', null, nameSpan(r.label), r.intended ? h('span', { class: 'muted' }, ' (intended)') : null, r.onlyIn ? h('span', { class: 'muted' }, ` (only in ${r.onlyIn})`) : null),
      h('td', { class: 'num', data: { col: 'a' } }, formatDuration(r.aUs)),
      h('td', { class: 'num', data: { col: 'b' } }, formatDuration(r.bUs)),
      h('td', { class: 'num', data: { col: 'delta' } }, signed(r.deltaUs)),
      h('td', { class: 'compare-bars' }, bar('a', r.aUs, widest), bar('b', r.bUs, widest)),
    ),
  );
  const header = [first, 'a', 'b', 'Δ a − b', ''].map((t, i) => h('th', { class: i > 0 && i < 4 ? 'num' : undefined }, t));
  return h('table', { class: 'results compare-table' }, h('thead', null, h('tr', null, ...header)), h('tbody', null, ...body));
}

function bar(side: 'a' | 'b', us: number, widest: number): HTMLElement {
  return h('div', { class: `compare-bar ${side}`, title: `${side}: ${formatDuration(us)}`, style: { width: `${Math.max(0, (us / widest) * 100).toFixed(2)}%` } });
}

function signed(us: number): HTMLElement {
  const cls = us > 0 ? 'delta slower' : us < 0 ? 'delta faster' : 'delta same';
  return h('span', { class: cls }, us > 0 ? `+${formatDuration(us)}` : us < 0 ? `−${formatDuration(-us)}` : '±0');
}
