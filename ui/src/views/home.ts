import { h, replace } from '../dom';
import { formatHash, navigate, traceHref, type Route } from '../route';
import { businessKeySelect } from './keySelect';

const TRACE_ID = /^[0-9a-f]{32}$/i;

export function chainHref(key: string, value: string): string {
  return formatHash(['chain', key, value]);
}

/** Where a search-box entry leads: a trace id opens the trace, anything else the business chain. */
export function searchTarget(text: string, key: string): string | null {
  const value = text.trim();
  if (!value) return null;
  if (TRACE_ID.test(value)) return traceHref(value.toLowerCase());
  return chainHref(key, value);
}

export function renderHome(root: HTMLElement, route: Route): void {
  const key = businessKeySelect(route.params.get('key'));
  const input = h('input', {
    class: 'query home-query',
    attrs: { name: 'q', type: 'search', autofocus: true, placeholder: 'Order id (ORD-1042) or trace id (32 hex digits)', 'aria-label': 'Order or trace id' },
  });
  const hint = h('div', { class: 'home-hint muted' });
  const form = h(
    'form',
    { class: 'home-search', attrs: { 'aria-label': 'Find an order or a trace' } },
    h('label', { class: 'field' }, h('span', null, 'Key'), key),
    h('label', { class: 'field grow' }, h('span', null, 'Value or trace id'), input),
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Go'),
  );
  const describe = () => {
    const v = input.value.trim();
    replace(
      hint,
      !v
        ? 'A 32-digit hex id opens that trace; any other value opens the business call chain for the chosen key.'
        : TRACE_ID.test(v)
          ? 'Opens trace ' + v.toLowerCase()
          : `Opens everything that happened to ${key.value} = ${v}`,
    );
  };
  input.addEventListener('input', describe);
  key.addEventListener('change', describe);
  describe();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const target = searchTarget(input.value, key.value);
    if (target) navigate(target);
    else input.focus();
  });

  const card = (href: string, title: string, text: string) =>
    h('a', { class: 'home-card', href }, h('span', { class: 'home-card-title' }, title), h('span', { class: 'muted' }, text));

  replace(
    root,
    h(
      'section',
      { class: 'panel home' },
      h('h1', { class: 'home-title' }, 'Follow an order end to end'),
      h('p', { class: 'muted' }, 'Every trace, queue hop, delayed job and log line of one business transaction on one timeline.'),
      form,
      hint,
    ),
    h(
      'section',
      { class: 'home-cards' },
      card('#/traces', 'Traces', 'Search traces by service, operation, attributes and duration.'),
      card('#/logs', 'Logs', 'Full-text log search across every service, linked to spans.'),
      card('#/topology', 'Topology', 'Live service map with databases and queues; RED metrics per service.'),
      card('#/slow', 'Slow orders', 'The slowest business chains in a window and what held them up.'),
    ),
  );
  input.focus();
}
