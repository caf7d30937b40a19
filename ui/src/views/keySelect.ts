import { h, option } from '../dom';
import { businessKeys } from '../settings';

/**
 * The business-key picker of the search forms: the configured keys (GET /api/settings), `wanted`
 * selected (the first key when absent); a wanted key the server does not list is kept as an option.
 */
export function businessKeySelect(wanted: string | null | undefined): HTMLSelectElement {
  const keys = businessKeys();
  const selected = wanted || keys[0];
  const select = h('select', { attrs: { name: 'key', 'aria-label': 'Business key' } }, ...keys.map((k) => option(k, k, k === selected)));
  if (selected && !keys.includes(selected)) select.appendChild(option(selected, selected, true));
  return select;
}
