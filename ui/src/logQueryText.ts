import type { LogHighlight } from './api';

/**
 * Reading a log query's text in the browser, without its parser (that lives
 * on the server, core/logql): what to highlight before the API says, and
 * whether a query has a top-level OR. Both follow the language's rules for
 * quotes, escapes, `NOT`/`-` and field groups `field:( … )`.
 */

const BODY_FIELDS = new Set(['body', 'message', 'msg']);
const WS = /\s/u;

interface Frame {
  /** Under NOT or `-`: nothing inside is highlighted. */
  negated: boolean;
  /** Inside `field:( … )`: 'body' (free text) or 'other' (values of a field, never highlighted). */
  field: 'body' | 'other' | null;
}

type Piece =
  | { kind: 'open'; end: number }
  | { kind: 'close'; end: number }
  | { kind: 'not'; end: number }
  | { kind: 'ws'; end: number }
  | { kind: 'phrase'; value: string; end: number }
  /** `field`: the word ended at an unescaped ':' (a field name). */
  | { kind: 'word'; value: string; raw: string; field: boolean; end: number };

/** The piece of `q` at `i`; `value` mode keeps ':' inside a word (right after `field:`). */
function pieceAt(q: string, i: number, mode: 'term' | 'value'): Piece {
  const c = q[i];
  if (WS.test(c)) return { kind: 'ws', end: i + 1 };
  if (c === '(') return { kind: 'open', end: i + 1 };
  if (c === ')') return { kind: 'close', end: i + 1 };
  if (mode === 'term' && c === '-' && i + 1 < q.length && !WS.test(q[i + 1])) return { kind: 'not', end: i + 1 };
  if (c === '"') {
    let value = '';
    let j = i + 1;
    for (; j < q.length && q[j] !== '"'; j++) {
      if (q[j] === '\\' && j + 1 < q.length) j++;
      value += q[j];
    }
    return { kind: 'phrase', value, end: Math.min(j + 1, q.length) };
  }
  let value = '';
  let j = i;
  for (; j < q.length; j++) {
    const ch = q[j];
    if (WS.test(ch) || ch === '"' || ch === '(' || ch === ')') break;
    if (mode === 'term' && ch === ':') return { kind: 'word', value, raw: q.slice(i, j), field: true, end: j + 1 };
    if (ch === '\\' && j + 1 < q.length) j++;
    value += q[j];
  }
  const raw = q.slice(i, j);
  if (mode === 'term' && raw === 'NOT') return { kind: 'not', end: j };
  return { kind: 'word', value, raw, field: false, end: j };
}

/**
 * Free-text words and "phrases" outside NOT and outside field clauses (but
 * inside `body:`/`message:`/`msg:` and their groups): what to mark in the
 * shown lines until the API answers with its own list.
 */
export function guessHighlight(q: string): LogHighlight {
  const terms: string[] = [];
  const phrases: string[] = [];
  const add = (list: string[], s: string) => {
    if (s && !list.includes(s)) list.push(s);
  };
  const stack: Frame[] = [{ negated: false, field: null }];
  let not = false;
  let i = 0;
  while (i < q.length) {
    const top = stack[stack.length - 1];
    const piece = pieceAt(q, i, 'term');
    i = piece.end;
    if (piece.kind === 'ws') continue;
    const shown = !top.negated && !not && top.field !== 'other';
    if (piece.kind === 'not') {
      not = true;
      continue;
    }
    if (piece.kind === 'open') {
      stack.push({ negated: top.negated || not, field: top.field });
    } else if (piece.kind === 'close') {
      if (stack.length > 1) stack.pop();
    } else if (piece.kind === 'phrase') {
      if (shown) add(phrases, piece.value);
    } else if (piece.field) {
      const field = BODY_FIELDS.has(piece.value.toLowerCase()) ? 'body' : 'other';
      while (i < q.length && WS.test(q[i])) i++;
      if (i >= q.length) break;
      const value = pieceAt(q, i, 'value');
      i = value.end;
      const counts = shown && field === 'body';
      if (value.kind === 'open') stack.push({ negated: top.negated || not, field });
      else if (value.kind === 'phrase' && counts) add(phrases, value.value);
      else if (value.kind === 'word' && counts) add(terms, value.value.replace(/[*?]+$/, ''));
    } else if (piece.raw !== 'AND' && piece.raw !== 'OR') {
      if (shown) add(terms, piece.value.replace(/[*?]+$/, ''));
    } else {
      continue; // AND/OR do not end a pending NOT ("NOT AND" is an error anyway)
    }
    not = false;
  }
  return { terms, phrases };
}

/** True when `q` has an OR outside any parentheses (so adding a clause must wrap it). */
export function hasTopLevelOr(q: string): boolean {
  let depth = 0;
  for (let i = 0; i < q.length; ) {
    const piece = pieceAt(q, i, 'term');
    i = piece.end;
    if (piece.kind === 'open') depth++;
    else if (piece.kind === 'close') depth = Math.max(0, depth - 1);
    else if (piece.kind === 'word' && !piece.field && piece.raw === 'OR' && depth === 0) return true;
  }
  return false;
}
