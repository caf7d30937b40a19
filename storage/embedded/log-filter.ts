import type { LogField, LogQlNode, MatchNode, PatternPart, RangeNode, TextNode } from '../../core/logql/ast';
import { ftsString, hasTokens } from './fts-query';

/**
 * LogQlNode → SQL boolean expression over `logs l`. User values only ever
 * travel as bound parameters; the SQL text is built from our own fragments.
 * Free text becomes an FTS5 MATCH whose argument is a quoted FTS5 string
 * (plus our own `*` for prefixes), so FTS5 syntax typed by a user is text.
 */
export interface SqlExpr {
  sql: string;
  params: unknown[];
}

/** Matches nothing: a word with no tokens (e.g. "(" or "*") never matches anything. */
const NONE: SqlExpr = { sql: '0', params: [] };

/** The FTS5 MATCH string of one free-text node, or null when it has no tokens. */
export function ftsOfText(node: TextNode): string | null {
  if (!hasTokens(node.value)) return null;
  return ftsString(node.value) + (node.prefix ? '*' : '');
}

export function filterSql(node: LogQlNode): SqlExpr {
  switch (node.type) {
    case 'and':
    case 'or': {
      const parts = node.children.map(filterSql);
      return {
        sql: '(' + parts.map((p) => p.sql).join(node.type === 'and' ? ' AND ' : ' OR ') + ')',
        params: parts.flatMap((p) => p.params),
      };
    }
    case 'not': {
      const inner = filterSql(node.child);
      return { sql: `NOT ${inner.sql}`, params: inner.params };
    }
    case 'text': {
      const match = ftsOfText(node);
      if (match === null) return NONE;
      return { sql: '(l.rowid IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?))', params: [match] };
    }
    case 'match':
      return matchSql(node);
    case 'range':
      return rangeSql(node);
  }
}

/** `$."name"`: attribute names never hold `"` (the parser and the API check them). */
export function jsonPath(name: string): string {
  return `$."${name}"`;
}

/** The text form of a json_each value, as the search store indexes it (`true`, `500`, `1.5`). */
export const JSON_SCALAR_TEXT = "CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END";
const SCALAR = "j.type NOT IN ('object', 'array', 'null')";

/** Some scalar (or scalar element of an array) at `name` in the JSON column satisfies `cond`. */
function kvExists(column: string, name: string, cond: string, params: unknown[]): SqlExpr {
  const path = jsonPath(name);
  return {
    sql:
      `(json_type(${column}, ?) IN ('text', 'integer', 'real', 'true', 'false', 'array') AND ` +
      `EXISTS (SELECT 1 FROM json_each(${column}, ?) j WHERE ${SCALAR} AND ${cond}))`,
    params: [path, path, ...params],
  };
}

export function globPattern(parts: PatternPart[]): string {
  return parts
    .map((p) => ('literal' in p ? p.literal.replace(/[*?[]/g, (c) => `[${c}]`) : p.any === 'one' ? '?' : '*'))
    .join('');
}

function valueCond(expr: string, node: MatchNode, lower = false): { cond: string; params: unknown[] } {
  if (node.pattern) {
    const pattern = globPattern(lower ? node.pattern.map((p) => ('literal' in p ? { literal: p.literal.toLowerCase() } : p)) : node.pattern);
    return { cond: `${lower ? `lower(${expr})` : expr} GLOB ?`, params: [pattern] };
  }
  return lower ? { cond: `${expr} = ? COLLATE NOCASE`, params: [node.value] } : { cond: `${expr} = ?`, params: [node.value] };
}

/**
 * Text that the attributes column (JSON.stringify output) must contain for an
 * attribute `node` to match, or null when there is none to rely on. A string
 * value appears there verbatim unless it holds characters JSON escapes (and
 * astral characters are left out to be safe); a number's text may differ from
 * the value typed (`1e-7` is stored, `1.0e-07` matches), so a piece that
 * could be a number's text is never used. The longest literal piece of a
 * pattern must appear as well.
 */
export function verbatimPiece(node: MatchNode): string | null {
  const pieces = node.pattern ? node.pattern.flatMap((p) => ('literal' in p ? [p.literal] : [])) : [node.value];
  const piece = pieces.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (piece === '' || /^[0-9.eE+-]*$/.test(piece) || /["\\\u0000-\u001f\ud800-\udfff]/.test(piece)) return null;
  return piece;
}

function matchSql(node: MatchNode): SqlExpr {
  const f = node.field;
  switch (f.kind) {
    case 'service':
    case 'trace_id':
    case 'span_id': {
      const { cond, params } = valueCond(`l.${f.kind === 'service' ? 'service' : f.kind}`, node);
      return { sql: `(${cond})`, params };
    }
    case 'severity': {
      const { cond, params } = valueCond('l.severity_text', node, true);
      return { sql: `(${cond})`, params };
    }
    case 'host': {
      const { cond, params } = valueCond(JSON_SCALAR_TEXT, node);
      const inner = kvExists('r.json', 'host.name', cond, params);
      return { sql: `(l.resource_id IN (SELECT r.id FROM resources r WHERE ${inner.sql}))`, params: inner.params };
    }
    case 'attribute': {
      const { cond, params } = valueCond(JSON_SCALAR_TEXT, node);
      const exact = kvExists('l.attributes', f.name, cond, params);
      // a cheap substring test first rejects most rows before their JSON is parsed
      const piece = verbatimPiece(node);
      return piece === null ? exact : { sql: `(instr(l.attributes, ?) > 0 AND ${exact.sql})`, params: [piece, ...exact.params] };
    }
    case 'time':
      return NONE;
  }
}

function bounds(expr: string, node: RangeNode): { cond: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  for (const [key, op] of [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']] as const) {
    const v = node[key];
    if (v !== undefined) {
      conds.push(`${expr} ${op} ?`);
      params.push(v);
    }
  }
  return { cond: conds.join(' AND ') || '1', params };
}

function rangeSql(node: RangeNode): SqlExpr {
  const f: LogField = node.field;
  if (f.kind === 'time' || f.kind === 'severity') {
    const { cond, params } = bounds(f.kind === 'time' ? 'l.time_us' : 'l.severity_number', node);
    return { sql: `(${cond})`, params };
  }
  if (f.kind === 'attribute') {
    const { cond, params } = bounds('j.atom', node);
    return kvExists('l.attributes', f.name, `j.type IN ('integer', 'real') AND ${cond}`, params);
  }
  return NONE;
}
