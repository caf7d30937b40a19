import type { TextQuery } from '../../core/contracts/log-store';

/**
 * True when the unicode61 tokenizer would find at least one token in `text`
 * (letters, numbers, private-use characters). A string without tokens makes
 * an FTS5 phrase that matches nothing.
 */
export function hasTokens(text: string): boolean {
  return /[\p{L}\p{N}\p{Co}]/u.test(text);
}

/**
 * One user string as an FTS5 string literal: always a phrase, never syntax.
 * FTS5's query parser takes U+0000 for the end of the query ("unterminated
 * string"); the tokenizer splits words there anyway, so it becomes a space.
 */
export function ftsString(text: string): string {
  return '"' + text.replace(/"/g, '""').replace(/\u0000/g, ' ') + '"';
}

/**
 * Builds an FTS5 MATCH expression where every term and phrase must occur.
 * Each becomes a double-quoted FTS5 string (embedded quotes doubled), joined
 * with AND, so operators, parentheses, `*`, `:`, `^` and NEAR typed by a user
 * are plain text. Terms with no tokens at all (e.g. "(" or "*") are dropped;
 * returns null when nothing searchable is left, which callers answer with
 * "no match" rather than "match all".
 */
export function buildFtsQuery(text: TextQuery): string | null {
  const parts: string[] = [];
  for (const s of [...text.terms, ...text.phrases]) {
    if (hasTokens(s)) parts.push(ftsString(s));
  }
  return parts.length ? parts.join(' AND ') : null;
}

/** True when the query asks for text at all (an empty TextQuery is no text filter). */
export function hasTextCriteria(text: TextQuery | undefined): text is TextQuery {
  return !!text && text.terms.length + text.phrases.length > 0;
}
