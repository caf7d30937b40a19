/**
 * The AST of the log query language (docs/log-query-language.md). Stores
 * translate it to their own query language; values in it are plain data,
 * never query syntax.
 */

/** Which stored property a clause looks at. */
export type LogField =
  | { kind: 'service' }
  /** Severity: text (case-insensitive) for values, number for ranges. */
  | { kind: 'severity' }
  | { kind: 'trace_id' }
  | { kind: 'span_id' }
  /** Resource attribute `host.name`. */
  | { kind: 'host' }
  /** Record time in µs (ranges only). */
  | { kind: 'time' }
  /** A log attribute by exact name (`order.id`, `http.status_code`). */
  | { kind: 'attribute'; name: string };

/** Free text over the body: a word (all its tokens adjacent) or a quoted phrase; `prefix`: the last token is a prefix. */
export interface TextNode {
  type: 'text';
  value: string;
  phrase: boolean;
  prefix: boolean;
}

/**
 * field = value. `pattern` holds the value as a wildcard pattern when it has
 * `*` (only at the end) or `?` (one character); otherwise `value` is exact.
 * Attributes compare by the value's text form (`500` matches 500 and "500").
 */
export interface MatchNode {
  type: 'match';
  field: LogField;
  value: string;
  /** Set when the value is a pattern: the literal pieces and wildcards, in order. */
  pattern?: PatternPart[];
}

export type PatternPart = { literal: string } | { any: 'one' | 'rest' };

/** Numeric range (inclusive/exclusive ends); time in µs, severity by number. */
export interface RangeNode {
  type: 'range';
  field: LogField;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface AndNode {
  type: 'and';
  children: LogQlNode[];
}

export interface OrNode {
  type: 'or';
  children: LogQlNode[];
}

export interface NotNode {
  type: 'not';
  child: LogQlNode;
}

export type LogQlNode = TextNode | MatchNode | RangeNode | AndNode | OrNode | NotNode;

/** Positive free-text words and phrases (not under NOT), for highlighting. */
export function highlightTerms(node: LogQlNode | undefined): { terms: string[]; phrases: string[] } {
  const terms: string[] = [];
  const phrases: string[] = [];
  const walk = (n: LogQlNode): void => {
    if (n.type === 'text') {
      const list = n.phrase ? phrases : terms;
      if (!list.includes(n.value)) list.push(n.value);
    } else if (n.type === 'and' || n.type === 'or') {
      n.children.forEach(walk);
    }
  };
  if (node) walk(node);
  return { terms, phrases };
}

/** Whether the filter looks for words of the body anywhere (under NOT too). */
export function hasFreeText(node: LogQlNode | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'text':
      return true;
    case 'and':
    case 'or':
      return node.children.some(hasFreeText);
    case 'not':
      return hasFreeText(node.child);
    default:
      return false;
  }
}

/** The pattern as text with its wildcards, for messages. */
export function patternText(parts: PatternPart[]): string {
  return parts.map((p) => ('literal' in p ? p.literal : p.any === 'one' ? '?' : '*')).join('');
}
