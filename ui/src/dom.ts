import { shortLabel, visibleNodes, visibleText } from './safeText';

/**
 * Safe DOM building. Every string given here becomes a text node or an
 * attribute value, never markup: telemetry (span names, attributes, log
 * bodies) is untrusted and must not be parsed as HTML. Text and tooltips show
 * invisible and bidi control characters as escapes (safeText.ts).
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  /** Only fragment links and http(s) URLs are allowed; anything else is dropped. */
  href?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  data?: Record<string, string | number>;
  style?: Partial<Record<'left' | 'width' | 'top' | 'height' | 'paddingLeft' | 'background' | 'borderColor' | 'color', string>>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

const SAFE_HREF = /^(#|https?:\/\/|\/[^/]|\.\/|\?)/i;

export function safeHref(href: string): string | null {
  return SAFE_HREF.test(href) ? href : null;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props) applyProps(node, props);
  append(node, ...children);
  return node;
}

function applyProps(node: HTMLElement, props: Props): void {
  if (props.class) node.className = props.class;
  if (props.title !== undefined) node.title = visibleText(props.title, { keepBreaks: true });
  if (props.href !== undefined) {
    const href = safeHref(props.href);
    if (href !== null) node.setAttribute('href', href);
  }
  if (props.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      if (value === undefined || value === false) continue;
      // Event-handler attributes would execute strings as code.
      if (/^on/i.test(name)) throw new Error(`refusing event attribute ${name}`);
      const text = value === true ? '' : String(value);
      node.setAttribute(name, name === 'title' || name === 'aria-label' ? visibleText(text, { keepBreaks: true }) : text);
    }
  }
  if (props.data) for (const [k, v] of Object.entries(props.data)) node.dataset[k] = String(v);
  if (props.style) Object.assign(node.style, props.style);
  if (props.on) {
    for (const [type, fn] of Object.entries(props.on)) node.addEventListener(type, fn as EventListener);
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? visibleNodes(c, { keepBreaks: true }) : typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces all content of `parent` with `children`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

export function errorBox(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h('div', { class: 'error-box', attrs: { role: 'alert' } }, message);
}

/** Longest option label; a select is as wide as its widest option. */
const OPTION_CHARS = 80;

export function option(value: string, label: string = value, selected = false): HTMLOptionElement {
  const o = h('option', label.length > OPTION_CHARS ? { title: label } : null, shortLabel(label, OPTION_CHARS));
  o.value = value;
  o.selected = selected;
  return o;
}

/** Renders any attribute value as display text (objects and arrays as JSON). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/**
 * An untrusted name (service, operation, attribute key, node id): hidden
 * characters as escapes (line breaks too), cut with an ellipsis by CSS when
 * longer than its box, the whole name in the tooltip and in a copy.
 */
export function nameSpan(text: string, cls?: string): HTMLSpanElement {
  const el = h('span', { class: cls ? `name ${cls}` : 'name' });
  el.title = visibleText(text);
  el.appendChild(visibleNodes(text));
  return el;
}
