/**
 * The one place where values become SQL text. ClickHouse 18.16 has no
 * server-side query parameters, so every value in a query built by this store
 * goes through these functions; nothing else in the store concatenates values.
 *
 * String literals follow ClickHouse's rules: inside single quotes a backslash
 * starts an escape, so backslash and quote are escaped, and every control
 * character is written as an escape so a literal never spans lines or carries
 * a raw NUL. Non-ASCII text passes through as UTF-8.
 */
import { ValidationError } from '../../core/errors';

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

// backslash, quote and C0 controls plus DEL
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\'\u0000-\u001f\u007f]/g;

function escapeChar(c: string): string {
  return NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** A ClickHouse string literal: 'text' with backslash, quote and control characters escaped. */
export function quoteString(value: string): string {
  if (typeof value !== 'string') throw new ValidationError(`expected a string, got ${typeof value}`);
  return `'${value.replace(NEEDS_ESCAPE, escapeChar)}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** True for names this store accepts as database/table/column names. */
export function isValidIdentifier(name: string): boolean {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

/**
 * A backtick-quoted identifier. Only plain names ([A-Za-z_][A-Za-z0-9_]*,
 * at most 128 characters) are accepted: a name that would need escaping is a
 * configuration mistake, not something to quote around.
 */
export function quoteIdentifier(name: string): string {
  if (!isValidIdentifier(name)) {
    throw new ValidationError(`not a valid ClickHouse identifier: ${JSON.stringify(name)}`);
  }
  return `\`${name}\``;
}

/** `db`.`table` */
export function qualifiedName(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** A finite number literal; NaN and ±Infinity are refused. */
export function quoteNumber(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`not a finite number: ${String(value)}`);
  }
  // JS prints the shortest form that reads back as the same double; ClickHouse reads exponents (1e-7, 1e+21) too
  return value.toString();
}

/** A non-negative safe integer (microsecond times, durations, limits). */
export function quoteUInt(value: number): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`not a non-negative integer: ${String(value)}`);
  }
  return value.toString();
}

/** An array literal, each element quoted by `quote`: ['a', 'b']. */
export function quoteArray<T>(values: readonly T[], quote: (v: T) => string): string {
  return `[${values.map(quote).join(', ')}]`;
}

/** An array of strings: ['a', 'b']. */
export function quoteStringArray(values: readonly string[]): string {
  return quoteArray(values, quoteString);
}

/**
 * The right-hand side of `x IN (...)`. An empty list is refused: `IN ()` is
 * a syntax error, and callers must answer "nothing" without asking the server.
 */
export function quoteInList(values: readonly string[]): string {
  if (values.length === 0) throw new ValidationError('an IN list needs at least one value');
  return `(${values.map(quoteString).join(', ')})`;
}
