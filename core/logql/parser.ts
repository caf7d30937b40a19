import type { LogField, LogQlNode, MatchNode, PatternPart, RangeNode, TextNode } from './ast';
import { LogQuerySyntaxError } from './errors';
import { Lexer, type LexMode, type Token, type WordChar } from './lexer';

export const LOGQL_LIMITS = {
  /** Characters in a query. */
  length: 2_000,
  /** Nesting of parentheses and NOT. */
  depth: 20,
  /** Words, phrases and field clauses. */
  terms: 64,
} as const;

/** Severity names → the OpenTelemetry severity number range they stand for. */
export const SEVERITY_LEVELS: Readonly<Record<string, readonly [number, number]>> = {
  trace: [1, 4],
  debug: [5, 8],
  info: [9, 12],
  warn: [13, 16],
  warning: [13, 16],
  error: [17, 20],
  fatal: [21, 24],
  critical: [21, 24],
};

const FIELD_ALIASES: Readonly<Record<string, LogField>> = {
  service: { kind: 'service' },
  'service.name': { kind: 'service' },
  level: { kind: 'severity' },
  severity: { kind: 'severity' },
  trace_id: { kind: 'trace_id' },
  traceid: { kind: 'trace_id' },
  span_id: { kind: 'span_id' },
  spanid: { kind: 'span_id' },
  host: { kind: 'host' },
  'host.name': { kind: 'host' },
  time: { kind: 'time' },
  timestamp: { kind: 'time' },
  '@timestamp': { kind: 'time' },
};

/** An attribute name the query language (and a facet) can name: a letter, digit, _, @ or $ first, then those and . - /. */
export const FIELD_NAME = /^[\p{L}\p{N}_@$][\p{L}\p{N}_.\-/@$]*$/u;
const TERM_START = ['a word', '"phrase"', 'field:value', '(', 'NOT', '-'];

/**
 * Parses a log query into its AST; an empty (or blank) query is `undefined`,
 * i.e. no filter. Throws LogQuerySyntaxError with the position and what was
 * expected there.
 *
 *   query   := or EOF
 *   or      := and ('OR' and)*
 *   and     := unary (['AND'] unary)*          -- juxtaposition is AND
 *   unary   := ('NOT' | '-') unary | primary
 *   primary := '(' or ')' | PHRASE | WORD | NAME ':' value | NAME ':' '(' group ')'
 *   value   := PHRASE | WORD | ('>'|'>='|'<'|'<=') WORD | ('['|'{') WORD 'TO' WORD (']'|'}')
 *   group   := or, with value in place of PHRASE | WORD | NAME ':' ... (no field inside)
 *
 * A group is desugared here: `f:(a OR (b -c*))` becomes `(f:a OR (f:b -f:c*))`,
 * so stores and the evaluator only ever see the plain nodes. Every value in a
 * group counts as a term and its parentheses and NOTs as nesting, as in the
 * written-out form.
 */
export function parseLogQuery(input: string, parameter = 'q'): LogQlNode | undefined {
  try {
    return new Parser(input).parse();
  } catch (err) {
    if (err instanceof LogQuerySyntaxError && parameter !== 'q') {
      throw new LogQuerySyntaxError(err.reason, err.position, err.expected, parameter);
    }
    throw err;
  }
}

/** The field a group's values apply to: a stored field, or the body (free text). */
type FieldScope = { name: string; field: LogField } | { name: string; body: true };

class Parser {
  private readonly lexer: Lexer;
  private terms = 0;

  constructor(private readonly input: string) {
    this.lexer = new Lexer(input);
  }

  parse(): LogQlNode | undefined {
    if (this.input.length > LOGQL_LIMITS.length) {
      throw new LogQuerySyntaxError(`query is longer than ${LOGQL_LIMITS.length} characters`, LOGQL_LIMITS.length, []);
    }
    if (this.lexer.peek('term').kind === 'eof') return undefined;
    const node = this.or(0);
    const t = this.lexer.next('term');
    if (t.kind !== 'eof') {
      throw this.error(t.kind === 'rparen' ? "unexpected ')'" : `unexpected ${describe(t)}`, t.pos, ['end of query', 'AND', 'OR']);
    }
    return node;
  }

  /** `scope`: inside `field:( … )`, where every operand is a value of that field. */
  private or(depth: number, scope?: FieldScope): LogQlNode {
    const children = [this.and(depth, scope)];
    while (isKeyword(this.lexer.peek('term'), 'OR')) {
      this.lexer.next('term');
      children.push(this.and(depth, scope));
    }
    return children.length === 1 ? children[0] : { type: 'or', children };
  }

  private and(depth: number, scope?: FieldScope): LogQlNode {
    const children = [this.unary(depth, scope)];
    for (;;) {
      const t = this.lexer.peek('term');
      if (isKeyword(t, 'AND')) {
        this.lexer.next('term');
        children.push(this.unary(depth, scope));
      } else if (startsTerm(t)) {
        children.push(this.unary(depth, scope));
      } else {
        break;
      }
    }
    return children.length === 1 ? children[0] : { type: 'and', children };
  }

  private unary(depth: number, scope?: FieldScope): LogQlNode {
    const t = this.lexer.peek('term');
    if (isKeyword(t, 'NOT') || t.kind === 'minus') {
      this.checkDepth(depth + 1, t.pos);
      this.lexer.next('term');
      return { type: 'not', child: this.unary(depth + 1, scope) };
    }
    return scope ? this.groupOperand(depth, scope) : this.primary(depth);
  }

  private primary(depth: number): LogQlNode {
    const t = this.lexer.next('term');
    if (t.kind === 'lparen') {
      this.checkDepth(depth + 1, t.pos);
      const inner = this.or(depth + 1);
      const close = this.lexer.next('term');
      if (close.kind !== 'rparen') throw this.error("expected ')'", close.pos, [')', 'AND', 'OR']);
      return inner;
    }
    if (t.kind === 'phrase') return this.count(t.pos, { type: 'text', value: t.value, phrase: true, prefix: false });
    if (t.kind === 'word' && !isKeyword(t, 'AND') && !isKeyword(t, 'OR') && !isKeyword(t, 'NOT')) {
      const next = this.lexer.peek('term');
      if (next.kind === 'colon' && next.pos === t.end) {
        this.lexer.next('term');
        return this.fieldClause(t, depth);
      }
      return this.count(t.pos, levelOrText(this.textWord(t.chars, t.pos), t.escaped));
    }
    if (t.kind === 'colon') throw this.error('expected a field name before \':\'', t.pos, ['a field name']);
    if (t.kind === 'rparen') throw this.error("unexpected ')': expected a term", t.pos, TERM_START);
    if (t.kind === 'eof') throw this.error('expected a term', t.pos, TERM_START);
    throw this.error(`unexpected ${describe(t)}: expected a term`, t.pos, TERM_START);
  }

  private textWord(chars: WordChar[], pos: number): TextNode {
    const { literal, prefix } = this.prefixValue(chars, pos, false);
    return { type: 'text', value: literal, phrase: false, prefix };
  }

  /** A word with at most a trailing `*` (a prefix); `?` is literal in free text. */
  private prefixValue(chars: WordChar[], pos: number, field: boolean): { literal: string; prefix: boolean } {
    let literal = '';
    let prefix = false;
    chars.forEach((c, i) => {
      if (c.wild && c.ch === '*') {
        if (i !== chars.length - 1) throw this.error("'*' is only allowed at the end of a word", c.pos, ['a character other than *']);
        prefix = true;
      } else {
        literal += c.ch;
      }
    });
    if (prefix && literal === '') {
      throw this.error(`expected at least one character before '*'`, pos, [field ? 'a value' : 'a word']);
    }
    return { literal, prefix };
  }

  private fieldClause(name: Extract<Token, { kind: 'word' }>, depth: number): LogQlNode {
    if (name.chars.some((c) => c.wild)) throw this.error('field names cannot have wildcards', name.pos, ['a field name']);
    if (!FIELD_NAME.test(name.text)) {
      throw this.error(`invalid field name ${JSON.stringify(name.text)}`, name.pos, ['a field name: letters, digits, _ . - / @']);
    }
    const lower = name.text.toLowerCase();
    const scope: FieldScope =
      lower === 'body' || lower === 'message' || lower === 'msg'
        ? { name: name.text, body: true }
        : { name: name.text, field: FIELD_ALIASES[lower] ?? { kind: 'attribute', name: name.text } };
    const t = this.lexer.next('value');
    if (t.kind === 'lparen') return this.group(scope, t.pos, depth + 1);
    if (t.kind === 'eof' || t.kind === 'rparen') {
      throw this.error(`expected a value after '${name.text}:'`, t.pos, ['a value', '"phrase"', '>', '>=', '<', '<=', '[', '(']);
    }
    return this.count(name.pos, this.fieldValue(scope, t));
  }

  /** `field:( … )` after its '(': the values with AND/OR/NOT/parentheses, each applied to the field. */
  private group(scope: FieldScope, openPos: number, depth: number): LogQlNode {
    this.checkDepth(depth, openPos);
    const inner = this.or(depth, scope);
    const close = this.lexer.next('term');
    if (close.kind !== 'rparen') throw this.error("expected ')'", close.pos, [')', 'AND', 'OR']);
    return inner;
  }

  /** One operand inside a group: a nested group or one value of the group's field. */
  private groupOperand(depth: number, scope: FieldScope): LogQlNode {
    const where = `${scope.name}:(...)`;
    const t = this.lexer.peek('term');
    if (t.kind === 'lparen') {
      this.lexer.next('term');
      return this.group(scope, t.pos, depth + 1);
    }
    const start = ['a value', '"phrase"', '(', 'NOT', '-'];
    if (t.kind === 'eof') throw this.error(`expected a value in ${where}`, t.pos, start);
    if (t.kind === 'rparen') throw this.error(`unexpected ')': expected a value in ${where}`, t.pos, start);
    if (t.kind === 'word' && (isKeyword(t, 'AND') || isKeyword(t, 'OR') || isKeyword(t, 'NOT'))) {
      throw this.error(`unexpected ${describe(t)}: expected a value in ${where}`, t.pos, start);
    }
    // `name:` inside a group would be a second field; comparisons and ranges (>=12:00, [a TO b]) are values
    if (t.kind === 'word' && this.input[t.end] === ':' && !/^[<>[{]/.test(t.text)) {
      throw this.error(
        `field ${JSON.stringify(t.text)} inside ${where}: a group takes values only; put the field outside the group, or quote or escape (\\:) a value that has ':'`,
        t.pos,
        ['a value', '"phrase"'],
      );
    }
    const value = this.lexer.next('value');
    return this.count(value.pos, this.fieldValue(scope, value));
  }

  /** One value token (already read in value mode) of a field: match, range, or body text. */
  private fieldValue(scope: FieldScope, t: Token): LogQlNode {
    if ('body' in scope) {
      if (t.kind === 'phrase') return { type: 'text', value: t.value, phrase: true, prefix: false };
      if (t.kind === 'word') return this.textWord(t.chars, t.pos);
      throw this.error('body takes words and "phrases", not ranges', t.pos, ['a word', '"phrase"']);
    }
    const resolved = scope.field;
    if (t.kind === 'op') {
      const bound = this.rangeValue(resolved, this.lexer.next('value'), t.op.startsWith('>') ? 'low' : 'high', t.op.length === 2);
      if (bound === undefined) throw this.error("expected a value, not '*'", t.end, ['a number']);
      return rangeNode(resolved, t.op.length === 2, t.op.startsWith('>') ? 'low' : 'high', bound);
    }
    if (t.kind === 'open') return this.bracketRange(resolved, t.inclusive);
    if (resolved.kind === 'time') {
      throw this.error('time takes a range, e.g. time:>=2026-01-31T12:00:00Z or time:[a TO b]', t.pos, ['>', '>=', '<', '<=', '[']);
    }
    if (t.kind === 'phrase') return this.match(resolved, t.value);
    if (t.kind !== 'word') throw this.error(`unexpected ${describe(t)}: expected a value`, t.pos, ['a value']);
    return this.wordMatch(resolved, t.chars, t.pos);
  }

  private match(field: LogField, value: string, pattern?: PatternPart[]): MatchNode {
    const lower = field.kind === 'trace_id' || field.kind === 'span_id';
    const node: MatchNode = { type: 'match', field, value: lower ? value.toLowerCase() : value };
    if (pattern) {
      node.pattern = lower
        ? pattern.map((p) => ('literal' in p ? { literal: p.literal.toLowerCase() } : p))
        : pattern;
    }
    return node;
  }

  private wordMatch(field: LogField, chars: WordChar[], pos: number): MatchNode {
    if (!chars.some((c) => c.wild)) return this.match(field, chars.map((c) => c.ch).join(''));
    const parts: PatternPart[] = [];
    chars.forEach((c, i) => {
      if (c.wild && c.ch === '*') {
        if (i !== chars.length - 1) throw this.error("'*' is only allowed at the end of a value", c.pos, ['a character other than *']);
        parts.push({ any: 'rest' });
      } else if (c.wild) {
        parts.push({ any: 'one' });
      } else {
        const last = parts[parts.length - 1];
        if (last && 'literal' in last) last.literal += c.ch;
        else parts.push({ literal: c.ch });
      }
    });
    if (parts.length === 1 && 'any' in parts[0] && parts[0].any === 'rest') {
      throw this.error("expected at least one character before '*'", pos, ['a value']);
    }
    return this.match(field, chars.map((c) => c.ch).join(''), parts);
  }

  private bracketRange(field: LogField, lowInclusive: boolean): RangeNode {
    const low = this.rangeValue(field, this.lexer.next('range'), 'low', lowInclusive);
    const to = this.lexer.next('range');
    if (!isKeyword(to, 'TO')) throw this.error("expected 'TO'", to.pos, ['TO']);
    const high = this.rangeValue(field, this.lexer.next('range'), 'high', true);
    const close = this.lexer.next('range');
    if (close.kind !== 'close') throw this.error("expected ']' or '}'", close.pos, [']', '}']);
    const node: RangeNode = { type: 'range', field };
    if (low !== undefined) Object.assign(node, rangeNode(field, lowInclusive, 'low', low));
    if (high !== undefined) Object.assign(node, rangeNode(field, close.inclusive, 'high', high));
    if (low === undefined && high === undefined) {
      throw this.error('a range needs at least one bound', close.pos, ['a number']);
    }
    return node;
  }

  /** One bound as a number (µs for time, severity number for severity); undefined for an open `*`. */
  private rangeValue(field: LogField, t: Token, side: 'low' | 'high', inclusive: boolean): number | undefined {
    if (field.kind !== 'time' && field.kind !== 'severity' && field.kind !== 'attribute') {
      throw this.error(`${field.kind} takes values, not ranges (ranges work on time, level and numeric attributes)`, t.pos, ['a value']);
    }
    let text: string;
    if (t.kind === 'word') {
      if (t.text === '*' && !t.escaped) return undefined;
      text = t.text;
    } else if (t.kind === 'phrase') {
      text = t.value;
    } else {
      throw this.error(`expected a ${field.kind === 'time' ? 'time' : 'number'}`, t.pos, [field.kind === 'time' ? 'an ISO-8601 time or epoch milliseconds' : 'a number']);
    }
    if (field.kind === 'time') {
      const us = parseTimeUs(text);
      if (us === undefined) throw this.error(`expected a time (ISO-8601 or epoch milliseconds), got ${JSON.stringify(text)}`, t.pos, ['an ISO-8601 time or epoch milliseconds']);
      return us;
    }
    if (field.kind === 'severity') {
      const level = SEVERITY_LEVELS[text.toLowerCase()];
      if (level) return (side === 'low') === inclusive ? level[0] : level[1];
    }
    const n = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(n)) {
      throw this.error(`expected a number${field.kind === 'severity' ? ' or a level name' : ''}, got ${JSON.stringify(text)}`, t.pos, field.kind === 'severity' ? ['a number', ...Object.keys(SEVERITY_LEVELS)] : ['a number']);
    }
    return n;
  }

  private count<T extends LogQlNode>(pos: number, node: T): T {
    if (++this.terms > LOGQL_LIMITS.terms) throw this.error(`more than ${LOGQL_LIMITS.terms} terms`, pos, []);
    return node;
  }

  private checkDepth(depth: number, pos: number): void {
    if (depth > LOGQL_LIMITS.depth) throw this.error(`nested deeper than ${LOGQL_LIMITS.depth}`, pos, []);
  }

  private error(message: string, pos: number, expected: string[]): LogQuerySyntaxError {
    return new LogQuerySyntaxError(message, pos, expected);
  }
}

/**
 * A bare word that names a severity level (`error`, `warn`, … the keys of
 * SEVERITY_LEVELS, any case; not quoted, escaped or a prefix) also finds the
 * records at that level: `error` is `(error OR level:[17 TO 20])`. Someone
 * typing `error` means the error lines, most of which never say "error";
 * `"error"` or `body:error` still searches the body only.
 */
function levelOrText(text: TextNode, escaped: boolean): LogQlNode {
  const level = text.phrase || text.prefix || escaped ? undefined : SEVERITY_LEVELS[text.value.toLowerCase()];
  if (!level) return text;
  return { type: 'or', children: [text, { type: 'range', field: { kind: 'severity' }, gte: level[0], lte: level[1] }] };
}

/** A bound from a comparison: `>x`/`>=x` (low) or `<x`/`<=x` (high). Level names widen to their whole range. */
function rangeNode(field: LogField, inclusive: boolean, side: 'low' | 'high', value: number): RangeNode {
  const node: RangeNode = { type: 'range', field };
  if (side === 'low') node[inclusive ? 'gte' : 'gt'] = value;
  else node[inclusive ? 'lte' : 'lt'] = value;
  return node;
}

function parseTimeUs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms * 1000;
}

function isKeyword(t: Token, word: 'AND' | 'OR' | 'NOT' | 'TO'): boolean {
  return t.kind === 'word' && !t.escaped && t.text === word;
}

function startsTerm(t: Token): boolean {
  if (t.kind === 'word') return !isKeyword(t, 'OR') && !isKeyword(t, 'AND');
  return t.kind === 'phrase' || t.kind === 'lparen' || t.kind === 'minus';
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'word':
      return JSON.stringify(t.text);
    case 'phrase':
      return 'phrase';
    case 'eof':
      return 'end of query';
    case 'op':
      return `'${t.op}'`;
    case 'lparen':
      return "'('";
    case 'rparen':
      return "')'";
    case 'colon':
      return "':'";
    case 'minus':
      return "'-'";
    default:
      return 'token';
  }
}

export type { LexMode };
