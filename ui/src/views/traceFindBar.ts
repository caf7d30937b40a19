import { h } from '../dom';
import { errorPositions, MAX_QUERY_LENGTH, rankOf, stepTo, TraceFinder } from '../traceFind';
import type { TraceTree } from '../traceTree';

/** Above this many spans the find box waits for a pause in typing before it searches. */
const DEBOUNCE_FROM_SPANS = 5_000;
const DEBOUNCE_MS = 150;

export interface TraceFindBar {
  element: HTMLElement;
  /** The span the user is at (a click on a row): next/previous step from there. */
  setCursor(position: number): void;
  destroy(): void;
}

export interface TraceFindBarOptions {
  tree: TraceTree;
  /** Go to the span at this tree position (scroll to it, select it). */
  onGo(position: number): void;
  /** The matches changed (tree positions, sorted), or the one stepped to. */
  onMatches(positions: readonly number[], current: number | undefined): void;
}

/**
 * Find in trace: a box matching service, operation, span id and attribute
 * `key=value` text (rules: ui/src/traceFind.ts), "n of m", previous/next
 * (Enter / Shift+Enter, Escape clears) and previous/next error.
 */
export function createTraceFindBar({ tree, onGo, onMatches }: TraceFindBarOptions): TraceFindBar {
  // Built on the first search, not on page load: the page of a 100,000-span trace should not wait for it.
  let finder: TraceFinder | undefined;
  const errors = errorPositions(tree.order);
  let matches: number[] = [];
  let cursor = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const input = h('input', {
    attrs: {
      type: 'search',
      name: 'find',
      maxlength: MAX_QUERY_LENGTH,
      placeholder: 'Find: service, operation, key=value, span id',
      'aria-label': 'Find in trace',
      autocomplete: 'off',
      spellcheck: 'false',
    },
  });
  const count = h('span', { class: 'find-count', attrs: { 'aria-live': 'polite' } });
  const button = (label: string, text: string, onClick: () => void, disabled = false) =>
    h('button', { attrs: { type: 'button', 'aria-label': label, title: label, disabled }, on: { click: onClick } }, text);
  const prev = button('Previous match (Shift+Enter)', '↑', () => step(-1), true);
  const next = button('Next match (Enter)', '↓', () => step(1), true);
  const prevError = button('Previous error', '◂ error', () => stepError(-1), !errors.length);
  const nextError = button('Next error', 'error ▸', () => stepError(1), !errors.length);
  const errorCount = h('span', { class: errors.length ? 'find-errors error' : 'find-errors muted' }, `${errors.length} ${errors.length === 1 ? 'error' : 'errors'}`);

  const showCount = () => {
    const query = input.value.trim();
    const rank = rankOf(matches, cursor);
    count.textContent = !query ? '' : !matches.length ? 'no match' : rank ? `${rank} of ${matches.length}` : `${matches.length} ${matches.length === 1 ? 'match' : 'matches'}`;
    count.classList.toggle('none', Boolean(query) && !matches.length);
    prev.disabled = next.disabled = !matches.length;
  };

  const search = () => {
    timer = undefined;
    finder ??= new TraceFinder(tree.order);
    matches = finder.find(input.value);
    showCount();
    onMatches(matches, rankOf(matches, cursor) ? cursor : undefined);
  };

  const go = (position: number | undefined) => {
    if (position === undefined) return;
    cursor = position;
    onGo(position);
    showCount();
    onMatches(matches, rankOf(matches, cursor) ? cursor : undefined);
  };
  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      search();
    }
  };
  const step = (direction: 1 | -1) => {
    flush();
    go(stepTo(matches, cursor, direction));
  };
  const stepError = (direction: 1 | -1) => go(stepTo(errors, cursor, direction));

  input.addEventListener('input', () => {
    if (timer !== undefined) clearTimeout(timer);
    if (tree.order.length < DEBOUNCE_FROM_SPANS) search();
    else timer = setTimeout(search, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      step(ev.shiftKey ? -1 : 1);
    } else if (ev.key === 'Escape' && input.value) {
      ev.preventDefault();
      input.value = '';
      search();
    }
  });

  return {
    element: h('div', { class: 'find-bar', attrs: { role: 'search', 'aria-label': 'Find in trace' } }, input, count, prev, next, h('span', { class: 'find-sep' }), errorCount, prevError, nextError),
    setCursor(position) {
      cursor = position;
      showCount();
      onMatches(matches, rankOf(matches, cursor) ? cursor : undefined);
    },
    destroy() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
