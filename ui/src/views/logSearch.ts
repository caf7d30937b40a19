import { timeFormat } from 'd3';
import { ApiError, isAbort, logApi, type LogHighlight, type LogLine, type LogPage, type Query } from '../api';
import { errorBox, h, option, replace } from '../dom';
import { guessHighlight } from '../logQueryText';
import { formatHash, navigate, replaceHash, type Route } from '../route';
import { resolveRange, timeRangeControl } from '../timerange';
import { contextPanel } from './logContext';
import { addClause, BASE_FACETS, exampleQuery, renderFacets, topAttributeNames } from './logFacets';
import { drawLogHistogram } from './logHistogram';
import { logRow } from './logResults';
import { LogTail } from './logTail';

const DEFAULT_RANGE = '1h';
const DEFAULT_LIMIT = '100';
/** Services asked for the query box's example (it names two of them). */
const EXAMPLE_SERVICES = 5;
/** Lines kept on the page while tailing; the oldest go first. */
const MAX_TAIL_ROWS = 2000;
/** Older filters (links from spans and earlier versions of this page) still read from the URL. */
const PASS_THROUGH = ['service', 'severity', 'traceId', 'spanId'] as const;

const localTime = timeFormat('%Y-%m-%dT%H:%M:%S.%L');

/** The query text with the character at `position` underlined and a caret under it. */
function syntaxError(q: string, err: ApiError): HTMLElement {
  const pos = Math.max(0, Math.min(err.position ?? q.length, q.length));
  const at = q.slice(pos, pos + 1);
  const echo = h(
    'div',
    { class: 'q-echo mono' },
    q.slice(0, pos),
    h('span', { class: at ? 'q-error-at' : 'q-error-at q-error-end' }, at || ' '),
    q.slice(pos + 1),
  );
  const caret = h('div', { class: 'q-caret mono' }, `${' '.repeat(pos)}^`);
  const expected = err.expected?.length ? `expected one of: ${err.expected.join('  ')}` : '';
  // the API's message ends with "at <offset>"; the echo below shows where
  const message = err.message.replace(/^400\s+/, '').replace(/\s+at \d+$/, '');
  return h(
    'div',
    { class: 'q-error', attrs: { role: 'alert' }, data: { position: pos } },
    h('div', { class: 'q-error-text' }, `Query error at character ${pos + 1}: ${message}`, expected ? h('span', { class: 'muted' }, ` · ${expected}`) : null),
    echo,
    caret,
  );
}

export function renderLogSearch(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const params = route.params;
  const qText = params.get('q') ?? '';
  const q = h('input', { class: 'query', attrs: { name: 'q', type: 'search', placeholder: exampleQuery([]), 'aria-label': 'Log query', autocomplete: 'off', spellcheck: 'false' } });
  q.value = qText;
  // the example names services that exist: those with the most log lines of the last day
  void logApi
    .facets({ field: 'service', limit: EXAMPLE_SERVICES, start: Date.now() - 86_400_000 }, signal)
    .then((facet) => q.setAttribute('placeholder', exampleQuery(facet.values.map((v) => v.value))))
    .catch(() => undefined);
  const sortValue = params.get('sort') === 'time_asc' ? 'time_asc' : 'time_desc';
  const sort = h('select', { attrs: { name: 'sort', 'aria-label': 'Sort' } }, option('time_desc', 'Newest first', sortValue === 'time_desc'), option('time_asc', 'Oldest first', sortValue === 'time_asc'));
  const range = timeRangeControl(params, DEFAULT_RANGE);
  const tailOn = params.get('tail') === '1';
  const tailToggle = h('input', { attrs: { type: 'checkbox', name: 'tail', 'aria-label': 'Live tail' } });
  tailToggle.checked = tailOn;
  const pauseButton = h('button', { class: 'tail-pause', attrs: { type: 'button' } }, 'Pause');
  pauseButton.hidden = !tailOn;
  const tailStatus = h('span', { class: 'tail-status muted', attrs: { 'aria-live': 'polite' } });
  const formError = h('div', { class: 'form-error' });
  const form = h(
    'form',
    { class: 'search-form log-query-form', attrs: { 'aria-label': 'Search logs' } },
    h('label', { class: 'field grow' }, h('span', null, 'Query'), q),
    range.element,
    h('label', { class: 'field' }, h('span', null, 'Sort'), sort),
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Search'),
    h('label', { class: 'check tail-toggle' }, tailToggle, 'Live tail'),
    pauseButton,
    tailStatus,
  );
  const filters = h('div', { class: 'log-filters' });
  const histogram = h('div', { class: 'log-histogram-box' }, h('div', { class: 'status-line' }, 'Counting…'));
  const histPanel = h('section', { class: 'panel hist-panel' }, histogram);
  const facets = h('aside', { class: 'log-facets panel', attrs: { 'aria-label': 'Fields' } });
  const summary = h('div', { class: 'result-summary' });
  const results = h('div', { class: 'log-results' }, h('div', { class: 'status-line' }, 'Searching…'));
  const more = h('div', { class: 'log-more' });
  /** The URL's state as it changes without a new search (tail, context). */
  const state = new URLSearchParams(params);
  const context = contextPanel((id) => {
    if (id) state.set('ctx', id);
    else state.delete('ctx');
    replaceHash(formatHash(['logs'], state));
  });
  replace(
    root,
    h('section', { class: 'panel' }, form, formError, filters),
    histPanel,
    h('div', { class: 'log-layout' }, facets, h('section', { class: 'panel log-main' }, h('div', { class: 'panel-head' }, summary), results, more)),
    context.element,
  );

  /** Same URL with some parameters changed: a new search. */
  const go = (change: (p: URLSearchParams) => void) => {
    const next = new URLSearchParams(state);
    next.delete('ctx');
    change(next);
    navigate(formatHash(['logs'], next));
  };

  for (const name of PASS_THROUGH) {
    const v = params.get(name);
    if (v) filters.appendChild(h('span', { class: 'chip' }, `${name} ${v}`, h('button', { class: 'close', title: `Remove ${name}`, attrs: { type: 'button' }, on: { click: () => go((p) => p.delete(name)) } }, '×')));
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    try {
      const next = new URLSearchParams();
      for (const name of PASS_THROUGH) if (params.get(name)) next.set(name, params.get(name)!);
      if (q.value.trim()) next.set('q', q.value.trim());
      range.write(next);
      resolveRange(next, DEFAULT_RANGE);
      if (sort.value !== 'time_desc') next.set('sort', sort.value);
      if (params.get('limit')) next.set('limit', params.get('limit')!);
      if (tailToggle.checked) next.set('tail', '1');
      navigate(formatHash(['logs'], next));
    } catch (err) {
      replace(formError, errorBox(err));
    }
  });

  let window_: { start?: number; end?: number };
  try {
    window_ = resolveRange(params, DEFAULT_RANGE);
  } catch (err) {
    replace(formError, errorBox(err));
    replace(results);
    replace(histogram);
    return () => undefined;
  }
  const filterQuery: Query = { q: qText || undefined };
  for (const name of PASS_THROUGH) filterQuery[name] = params.get(name) ?? undefined;
  const windowQuery: Query = { ...filterQuery, start: window_.start, end: window_.end };
  let highlight: LogHighlight = guessHighlight(qText);
  const shown = new Set<string>();
  const openContext = (log: LogLine) => context.open(log.id);
  const addToQuery = (clause: string) => go((p) => p.set('q', addClause(p.get('q') ?? '', clause)));
  const rowsBox = h('div', { class: 'log-rows' });

  const addRows = (logs: LogLine[], where: 'append' | 'prepend', extraClass?: string) => {
    const fresh = logs.filter((l) => !shown.has(l.id));
    for (const l of fresh) shown.add(l.id);
    const nodes = fresh.map((l) => logRow(l, { highlight, onContext: openContext, onFilter: addToQuery, extraClass }));
    if (where === 'append') rowsBox.append(...nodes);
    else rowsBox.prepend(...nodes.reverse());
    while (rowsBox.childElementCount > MAX_TAIL_ROWS && rowsBox.lastElementChild) rowsBox.lastElementChild.remove();
  };

  const showPage = (page: LogPage, first: boolean) => {
    // the server's list is exact (it parsed the query): it replaces the guess, also when it says "nothing"
    if (page.highlight) highlight = page.highlight;
    if (first) {
      const total = `${page.totalIsLowerBound ? '≥ ' : ''}${page.total}`;
      summary.textContent = summary.dataset.base = page.logs.length < page.total ? `${page.logs.length} of ${total} lines` : `${total} ${page.total === 1 ? 'line' : 'lines'}`;
      // live lines may have arrived before the first page
      replace(results, page.logs.length || rowsBox.childElementCount ? rowsBox : h('p', { class: 'empty' }, 'No logs match.'));
    }
    addRows(page.logs, 'append');
    summary.dataset.shown = String(shown.size);
    replace(more);
    if (page.nextCursor) {
      const button = h('button', { class: 'load-more', attrs: { type: 'button' } }, 'Load more');
      button.addEventListener('click', () => {
        button.disabled = true;
        button.textContent = 'Loading…';
        logApi
          .search({ ...windowQuery, sort: sortValue, limit: params.get('limit') ?? DEFAULT_LIMIT, cursor: page.nextCursor ?? undefined }, signal)
          .then((next) => showPage(next, false))
          .catch((err) => {
            if (!isAbort(err)) replace(more, errorBox(err));
          });
      });
      more.appendChild(button);
    }
  };

  const showQueryError = (err: unknown): boolean => {
    if (err instanceof ApiError && err.status === 400 && err.parameter === 'q') {
      q.classList.add('invalid');
      q.setAttribute('aria-invalid', 'true');
      replace(formError, syntaxError(qText, err));
      return true;
    }
    return false;
  };

  void logApi
    .search({ ...windowQuery, sort: sortValue, limit: params.get('limit') ?? DEFAULT_LIMIT }, signal)
    .then((page) => {
      showPage(page, true);
      if (!page.logs.length) return;
      renderFacets(facets, [...BASE_FACETS, ...topAttributeNames(page.logs).filter((k) => !BASE_FACETS.includes(k))], {
        query: windowQuery,
        signal,
        onPick: addToQuery,
      });
    })
    .catch((err) => {
      if (isAbort(err)) return;
      summary.textContent = '';
      if (showQueryError(err)) replace(results, h('p', { class: 'empty' }, 'Fix the query to search.'));
      else replace(results, errorBox(err));
      replace(facets);
    });

  void logApi
    .histogram(windowQuery, signal)
    .then((hist) => {
      const end = window_.end ?? Date.now();
      const start = window_.start ?? (hist.buckets.length ? hist.buckets[0].tUs / 1000 : end - 3_600_000);
      drawLogHistogram(histogram, hist, {
        startMs: start,
        endMs: end,
        onZoom: (a, b) =>
          go((p) => {
            p.set('range', 'custom');
            p.set('start', localTime(new Date(a)));
            p.set('end', localTime(new Date(b)));
          }),
      });
    })
    .catch((err) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 400 && err.parameter === 'q') histPanel.hidden = true;
      else replace(histogram, h('div', { class: 'status-line', title: (err as Error).message }, `Histogram unavailable (${(err as Error).message})`));
    });

  let tail: LogTail | null = null;
  let liveCount = 0;
  const startTail = () => {
    tail = new LogTail(filterQuery, {
      onLines: (lines) => {
        if (!rowsBox.isConnected) replace(results, rowsBox);
        const before = shown.size;
        addRows(lines, 'prepend', 'tail-new');
        liveCount += shown.size - before;
        summary.dataset.live = String(liveCount);
        summary.textContent = `${summary.dataset.base ?? ''} · ${liveCount} live`.replace(/^ · /, '');
      },
      onStatus: (text, state) => {
        tailStatus.textContent = text;
        tailStatus.dataset.state = state;
      },
    });
    tail.start();
    pauseButton.hidden = false;
    pauseButton.textContent = 'Pause';
  };
  const stopTail = () => {
    tail?.stop();
    tail = null;
    pauseButton.hidden = true;
    tailStatus.textContent = '';
  };
  tailToggle.addEventListener('change', () => {
    if (tailToggle.checked && q.value.trim() !== qText) {
      // the tail follows the query in the box, also when Search was not pressed: search with it, tailing
      form.requestSubmit();
      return;
    }
    if (tailToggle.checked) {
      state.set('tail', '1');
      startTail();
    } else {
      state.delete('tail');
      stopTail();
    }
    replaceHash(formatHash(['logs'], state));
  });
  pauseButton.addEventListener('click', () => {
    if (!tail) return;
    if (tail.isPaused) tail.resume();
    else tail.pause();
    pauseButton.textContent = tail.isPaused ? 'Resume' : 'Pause';
  });
  if (tailOn) startTail();

  const ctx = params.get('ctx');
  if (ctx) context.open(ctx);

  return () => stopTail();
}
