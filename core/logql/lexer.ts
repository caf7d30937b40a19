import { LogQuerySyntaxError } from './errors';

/**
 * Tokens of the log query language. The lexer is driven by the parser with a
 * mode, because the same character means different things in different
 * places: `:` ends a field name but is part of a value (`time:>2026-01-01T10:00:00Z`),
 * `[` opens a range only right after `field:`.
 */
export type Token =
  | { kind: 'lparen' | 'rparen' | 'colon' | 'minus' | 'eof'; pos: number; end: number }
  | { kind: 'op'; op: '>' | '>=' | '<' | '<='; pos: number; end: number }
  | { kind: 'open' | 'close'; inclusive: boolean; pos: number; end: number }
  | { kind: 'phrase'; value: string; pos: number; end: number }
  | { kind: 'word'; chars: WordChar[]; text: string; escaped: boolean; pos: number; end: number };

/** One character of a word: `wild` when it is an unescaped `*` or `?`. */
export interface WordChar {
  ch: string;
  wild: boolean;
  pos: number;
}

/** term: free text and field names; value: right after `field:`; range: inside `[a TO b]`. */
export type LexMode = 'term' | 'value' | 'range';

const WS = /\s/u;

export class Lexer {
  pos = 0;

  constructor(readonly input: string) {}

  /** The next token without consuming it. */
  peek(mode: LexMode): Token {
    const save = this.pos;
    try {
      return this.next(mode);
    } finally {
      this.pos = save;
    }
  }

  next(mode: LexMode): Token {
    const s = this.input;
    while (this.pos < s.length && WS.test(s[this.pos])) this.pos++;
    const pos = this.pos;
    if (pos >= s.length) return { kind: 'eof', pos, end: pos };
    const c = s[pos];
    if (c === '"') return this.phrase();
    if (c === '(') return this.single('lparen');
    if (c === ')') return this.single('rparen');
    if (mode === 'term') {
      if (c === ':') return this.single('colon');
      if (c === '-' && pos + 1 < s.length && !WS.test(s[pos + 1])) return this.single('minus');
    }
    if (mode === 'value') {
      if (c === '>' || c === '<') {
        const op = s[pos + 1] === '=' ? (`${c}=` as '>=' | '<=') : (c as '>' | '<');
        this.pos += op.length;
        return { kind: 'op', op, pos, end: this.pos };
      }
      if (c === '[' || c === '{') {
        this.pos++;
        return { kind: 'open', inclusive: c === '[', pos, end: this.pos };
      }
    }
    if (mode === 'range' && (c === ']' || c === '}')) {
      this.pos++;
      return { kind: 'close', inclusive: c === ']', pos, end: this.pos };
    }
    return this.word(mode);
  }

  private single(kind: 'lparen' | 'rparen' | 'colon' | 'minus'): Token {
    const pos = this.pos++;
    return { kind, pos, end: this.pos };
  }

  private phrase(): Token {
    const s = this.input;
    const pos = this.pos++;
    let value = '';
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '"') {
        this.pos++;
        return { kind: 'phrase', value, pos, end: this.pos };
      }
      if (c === '\\') {
        if (this.pos + 1 >= s.length) break;
        const cp = s.codePointAt(this.pos + 1)!;
        value += String.fromCodePoint(cp);
        this.pos += 1 + (cp > 0xffff ? 2 : 1);
        continue;
      }
      value += c;
      this.pos++;
    }
    throw new LogQuerySyntaxError('unterminated phrase: expected \'"\'', s.length, ['"']);
  }

  private word(mode: LexMode): Token {
    const s = this.input;
    const pos = this.pos;
    const chars: WordChar[] = [];
    let escaped = false;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (WS.test(c) || c === '"' || c === '(' || c === ')') break;
      if (mode === 'term' && c === ':') break;
      if (mode === 'range' && (c === ']' || c === '}')) break;
      if (c === '\\') {
        if (this.pos + 1 >= s.length) {
          throw new LogQuerySyntaxError("expected a character after '\\'", this.pos + 1, ['a character']);
        }
        const cp = s.codePointAt(this.pos + 1)!;
        chars.push({ ch: String.fromCodePoint(cp), wild: false, pos: this.pos });
        escaped = true;
        this.pos += 1 + (cp > 0xffff ? 2 : 1);
        continue;
      }
      const cp = s.codePointAt(this.pos)!;
      const ch = String.fromCodePoint(cp);
      chars.push({ ch, wild: ch === '*' || ch === '?', pos: this.pos });
      this.pos += ch.length;
    }
    return { kind: 'word', chars, text: chars.map((x) => x.ch).join(''), escaped, pos, end: this.pos };
  }
}
