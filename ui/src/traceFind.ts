import type { AttributeValue, Attributes } from '../../core/wire';
import type { Span } from './api';
import type { TreeNode } from './traceTree';

/**
 * Find in trace (pure, no DOM): which spans of a trace match the text typed in
 * the find box, and stepping through matches and errors. A span's searchable
 * text is its service, operation, span id and one `key=value` line per span and
 * resource attribute, lower-cased; every whitespace-separated term of the query
 * must occur in it (so `payment`, `4bf92f`, `http.status_code=500` and
 * `order.id=o-17 charge` all work). Built once per span, so each keystroke is a
 * scan of strings, not of attribute objects.
 */
export class TraceFinder {
  private readonly texts: string[];

  constructor(order: readonly TreeNode[]) {
    this.texts = order.map((n) => searchText(n.span));
  }

  /** Positions (in tree order) of the spans matching every term of `query`; [] for a blank query. */
  find(query: string): number[] {
    const terms = queryTerms(query);
    if (!terms.length) return [];
    const out: number[] = [];
    for (let i = 0; i < this.texts.length; i++) {
      const text = this.texts[i];
      if (terms.every((t) => text.includes(t))) out.push(i);
    }
    return out;
  }
}

/** The lower-cased terms of a find query; at most MAX_TERMS, each at most MAX_TERM_LENGTH characters. */
export function queryTerms(query: string): string[] {
  return query
    .slice(0, MAX_QUERY_LENGTH)
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t !== '')
    .slice(0, MAX_TERMS);
}
export const MAX_QUERY_LENGTH = 500;
const MAX_TERMS = 20;

export function searchText(span: Span): string {
  const lines = [span.service, span.name, span.spanId];
  addAttributes(lines, span.attributes);
  addAttributes(lines, span.resource);
  return lines.join('\n').toLowerCase();
}

function addAttributes(lines: string[], attrs: Attributes | undefined): void {
  if (!attrs) return;
  for (const key of Object.keys(attrs)) lines.push(`${key}=${valueText(attrs[key])}`);
}

function valueText(v: AttributeValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

/** Tree positions of the spans with error status. */
export function errorPositions(order: readonly TreeNode[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < order.length; i++) if (order[i].span.status?.code === 'error') out.push(i);
  return out;
}

/**
 * The next (`direction` 1) or previous (-1) of the sorted `positions` after
 * `from` (a tree position, or -1 before the first), wrapping around; undefined
 * when there are none. Binary search: stepping through 100,000 matches stays O(log n).
 */
export function stepTo(positions: readonly number[], from: number, direction: 1 | -1): number | undefined {
  if (!positions.length) return undefined;
  let lo = 0;
  let hi = positions.length;
  // first index whose position is > from
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  if (direction === 1) return positions[lo < positions.length ? lo : 0];
  // last index whose position is < from
  let i = lo - 1;
  if (i >= 0 && positions[i] === from) i--;
  return positions[i >= 0 ? i : positions.length - 1];
}

/** "3 of 17" style: the 1-based rank of `position` among `positions`, or 0 when it is not one of them. */
export function rankOf(positions: readonly number[], position: number): number {
  let lo = 0;
  let hi = positions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] === position) return mid + 1;
    if (positions[mid] < position) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}
