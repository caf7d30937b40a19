import { logApi, isAbort, type LogFacetsView, type LogLine, type Query } from '../api';
import { h, nameSpan, replace } from '../dom';
import { hasTopLevelOr } from '../logQueryText';
import { visibleText } from '../safeText';

export const BASE_FACETS = ['service', 'severity', 'host'];
const TOP_ATTRIBUTES = 4;
const VALUES_PER_FACET = 8;

/** `field:value`, the value quoted (with \ and " escaped) unless it is one plain word. */
export function facetClause(field: string, value: string, exclude = false): string {
  const plain = /^[\p{L}\p{N}_.\/@$][\p{L}\p{N}_.\-\/@$]*$/u.test(value) && !/^(AND|OR|NOT|TO)$/.test(value);
  const v = plain ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `${exclude ? '-' : ''}${field}:${v}`;
}

/** Adds a clause to a query (AND is implied between clauses). */
export function addClause(q: string, clause: string): string {
  const trimmed = q.trim();
  if (!trimmed) return clause;
  return hasTopLevelOr(trimmed) ? `(${trimmed}) ${clause}` : `${trimmed} ${clause}`;
}

/**
 * Attribute names /api/logs/facets takes as `field` (the API answers 400 to
 * any other): those the query language can name, so a picked value can become
 * a `field:value` clause. The API's rule (query-api/services/log-service.ts
 * facetField); test/unit/ui/log-facets.test.ts checks the two agree.
 */
const FACETABLE_NAME = /^[\p{L}\p{N}_@$][\p{L}\p{N}_.\-/@$]*$/u;
const MAX_FACET_NAME_LENGTH = 256;

export function isFacetable(name: string): boolean {
  return name.length <= MAX_FACET_NAME_LENGTH && FACETABLE_NAME.test(name);
}

/**
 * Attributes every shipped line has and nobody filters by (where in which file
 * it was read): never offered as a facet by default; the query can still name them.
 */
export const NOISE_FIELDS: readonly string[] = ['log.file.offset', 'log.file.path', 'log.file.name', 'log.file.path_resolved', 'log.file.name_resolved'];

/** Facetable attribute names most often present on the shown lines (the ones worth a facet), noise left out. */
export function topAttributeNames(logs: LogLine[], n = TOP_ATTRIBUTES): string[] {
  const counts = new Map<string, number>();
  for (const l of logs) {
    for (const k of Object.keys(l.attributes ?? {})) if (isFacetable(k) && !NOISE_FIELDS.includes(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k]) => k);
}

/** Longest service name an example shows. */
const EXAMPLE_NAME_CHARS = 40;

/** The query box's example, naming services that exist: the first two given that are short and have nothing hidden. */
export function exampleQuery(services: string[]): string {
  const names = services
    .filter((name) => name !== '' && name.length <= EXAMPLE_NAME_CHARS && visibleText(name) === name)
    .slice(0, 2).map((name) => facetClause('service', name).slice('service:'.length));
  const service = names.length === 0 ? '' : names.length === 1 ? ` service:${names[0]}` : ` service:(${names[0]} OR ${names[1]})`;
  return `level:>=warn${service} "payment declined" order.id:ORD-12*`;
}

export interface FacetsOptions {
  query: Query;
  signal: AbortSignal;
  /** Called with a `field:value` clause to add to the query. */
  onPick(clause: string): void;
}

/** Facet sidebar: one box per field, filled as its answer arrives. */
export function renderFacets(container: HTMLElement, fields: string[], opts: FacetsOptions): void {
  replace(container, h('h3', { class: 'facets-title' }, 'Fields'));
  for (const field of fields) {
    const list = h('ul', { class: 'facet-values' }, h('li', { class: 'muted' }, '…'));
    const box = h('section', { class: 'facet', data: { field } }, h('h4', null, nameSpan(field)), list);
    container.appendChild(box);
    logApi
      .facets({ ...opts.query, field, limit: VALUES_PER_FACET }, opts.signal)
      .then((facet: LogFacetsView) => {
        if (!facet.values.length) {
          box.remove();
          return;
        }
        const top = Math.max(...facet.values.map((v) => v.count), 1);
        replace(
          list,
          ...facet.values.map((v) =>
            h(
              'li',
              { class: 'facet-value' },
              h(
                'button',
                {
                  class: 'facet-pick',
                  title: `Only ${field}:${v.value}`,
                  attrs: { type: 'button' },
                  data: { value: v.value },
                  on: { click: () => opts.onPick(facetClause(field, v.value)) },
                },
                h('span', { class: 'facet-bar', style: { width: `${Math.round((v.count / top) * 100)}%` } }),
                v.value === '' ? h('span', { class: 'facet-label muted' }, '(empty)') : nameSpan(v.value, 'facet-label'),
                h('span', { class: 'facet-count' }, String(v.count)),
              ),
              h(
                'button',
                { class: 'facet-exclude', title: `Without ${field}:${v.value}`, attrs: { type: 'button', 'aria-label': `Exclude ${v.value}` }, on: { click: () => opts.onPick(facetClause(field, v.value, true)) } },
                '−',
              ),
            ),
          ),
        );
      })
      .catch((err) => {
        if (isAbort(err)) return;
        replace(list, h('li', { class: 'muted', title: (err as Error).message }, 'unavailable'));
      });
  }
}
