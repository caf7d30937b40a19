import { ValidationError } from '../../../../core/errors';
import {
  isValidIdentifier,
  qualifiedName,
  quoteArray,
  quoteIdentifier,
  quoteInList,
  quoteNumber,
  quoteString,
  quoteStringArray,
  quoteUInt,
} from '../../../../storage/clickhouse/quote';
import { HOSTILE } from './hostile-strings';

describe('quoteString', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['nul\u0000', "'nul\\0'"],
    ['nl\ncr\rtab\t', "'nl\\ncr\\rtab\\t'"],
    ['\u0001\u007f', "'\\x01\\x7f'"],
    ['\b\f\v', "'\\b\\f\\v'"],
    ['日本', "'日本'"],
    ["'; DROP TABLE x; --", "'\\'; DROP TABLE x; --'"],
  ])('quotes %j', (input, expected) => {
    expect(quoteString(input)).toBe(expected);
  });

  it('never leaves an unescaped quote, backslash or control character inside the literal', () => {
    for (const s of HOSTILE) {
      const q = quoteString(s);
      const body = q.slice(1, -1);
      // every backslash starts an escape pair; removing the pairs leaves no quote, backslash or control char
      const rest = body.replace(/\\(x[0-9a-f]{2}|[\\'0bfnrtv])/g, '');
      // eslint-disable-next-line no-control-regex
      expect(rest).not.toMatch(/['\\\u0000-\u001f\u007f]/);
    }
  });

  it('refuses non-strings', () => {
    expect(() => quoteString(42 as unknown as string)).toThrow(ValidationError);
  });
});

describe('quoteIdentifier', () => {
  it('backticks plain names', () => {
    expect(quoteIdentifier('spans')).toBe('`spans`');
    expect(quoteIdentifier('_db_1')).toBe('`_db_1`');
    expect(qualifiedName('chainscope', 'spans')).toBe('`chainscope`.`spans`');
  });

  it.each(['', '1abc', 'a-b', 'a b', 'a`b', 'a.b', "a'", 'x;DROP', 'é', 'a'.repeat(129)])('refuses %j', (name) => {
    expect(isValidIdentifier(name)).toBe(false);
    expect(() => quoteIdentifier(name)).toThrow(ValidationError);
  });
});

describe('numbers', () => {
  it('formats finite numbers', () => {
    expect(quoteNumber(0)).toBe('0');
    expect(quoteNumber(-7)).toBe('-7');
    expect(quoteNumber(3.25)).toBe('3.25');
    expect(quoteNumber(1e-7)).toBe('1e-7');
    expect(quoteNumber(2 ** 53 - 1)).toBe('9007199254740991');
    expect(quoteNumber(1e21)).toBe('1e+21');
  });

  it.each([NaN, Infinity, -Infinity, '1' as unknown as number])('quoteNumber refuses %p', (n) => {
    expect(() => quoteNumber(n)).toThrow(ValidationError);
  });

  it.each([-1, 1.5, NaN, Infinity, 2 ** 53])('quoteUInt refuses %p', (n) => {
    expect(() => quoteUInt(n)).toThrow(ValidationError);
  });

  it('quoteUInt formats microsecond times exactly', () => {
    expect(quoteUInt(1_700_000_000_123_456)).toBe('1700000000123456');
  });
});

describe('arrays and IN lists', () => {
  it('quotes every element', () => {
    expect(quoteStringArray(["a'", 'b'])).toBe("['a\\'', 'b']");
    expect(quoteArray([1, 2.5], quoteNumber)).toBe('[1, 2.5]');
    expect(quoteStringArray([])).toBe('[]');
    expect(quoteInList(['x', "y'"])).toBe("('x', 'y\\'')");
  });

  it('refuses an empty IN list', () => {
    expect(() => quoteInList([])).toThrow(ValidationError);
  });
});
