/**
 * SVG elements of the wall-screen panels, built and kept with plain DOM calls.
 * Attribute values are text already (numberText.ts): a number given to
 * setAttribute goes through V8's number-string cache.
 */

const SVG = 'http://www.w3.org/2000/svg';

/** A new SVG element with `attrs`, appended to `parent` when one is given. */
export function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, parent?: Element): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const name in attrs) el.setAttribute(name, attrs[name]);
  parent?.appendChild(el);
  return el;
}

/** Sets the attributes that changed (an element kept across pushes mostly keeps its values). */
export function updateAttrs(el: Element, attrs: Record<string, string>): void {
  for (const name in attrs) if (el.getAttribute(name) !== attrs[name]) el.setAttribute(name, attrs[name]);
}

/** Exactly `count` children of `parent` made by `create`, the ones already there first (labels drawn by position). */
export function childrenByPosition<T extends Element>(parent: Element, count: number, create: () => T): T[] {
  while (parent.children.length > count) parent.lastElementChild!.remove();
  while (parent.children.length < count) parent.appendChild(create());
  return [...parent.children] as T[];
}

/**
 * The children of `parent` for `keys` (distinct): the element of a key drawn
 * last time (`kept`) is reused, a new key gets one from `create`, the elements
 * of keys gone are removed; `kept` is left holding this drawing's.
 */
export function childrenByKey<T extends Element>(parent: Element, kept: Map<string, T>, keys: readonly string[], create: () => T): T[] {
  const now = new Map<string, T>();
  const list = keys.map((key) => {
    const el = kept.get(key) ?? parent.appendChild(create());
    now.set(key, el);
    return el;
  });
  for (const [key, el] of kept) if (!now.has(key)) el.remove();
  kept.clear();
  for (const [key, el] of now) kept.set(key, el);
  return list;
}
