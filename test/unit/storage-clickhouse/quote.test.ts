import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { ValidationError } from '../../../core/errors';
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
} from '../../../storage/clickhouse/quote';
import { describeWithEngines, ENGINE_ADDRESSES } from '../../helpers/engines';

const HOSTILE: string[] = [
  '',
  "it's",
  "''",
  "\\'",
  '\\',
  'trailing backslash \\',
  "'; DROP TABLE spans; --",
  "x' OR '1'='1",
  'a\u0000b',
  'line1\nline2\r\nline3',
  'tab\there',
  '\u0001\u0002\u001f\u007f',
  '\b\f\v',
  'Grüße 日本語 🚀',
  '`backtick` "double"',
  '\\x41 is not A',
  '\\0 is not NUL',
  '?{x:String} $1 %s',
  '/* comment */ -- comment',
  'é'.repeat(1000),
];

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

describeWithEngines(['clickhouse'], 'quoting against a real ClickHouse', () => {
  let client: ClickHouseClient;
  beforeAll(() => {
    client = createClient({ url: ENGINE_ADDRESSES.clickhouse(), log: { level: ClickHouseLogLevel.OFF } });
  });
  afterAll(async () => {
    await client.close();
  });

  async function select<T>(query: string): Promise<T[]> {
    return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  }

  it('round-trips hostile strings through a SELECT unchanged', async () => {
    for (const s of HOSTILE) {
      const [row] = await select<{ s: string; n: string }>(`SELECT ${quoteString(s)} AS s, length(s) AS n`);
      expect(row.s).toBe(s);
      expect(Number(row.n)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });

  it('round-trips a hostile array and matches with IN', async () => {
    const [row] = await select<{ a: string[]; hit: number }>(
      `SELECT ${quoteStringArray(HOSTILE)} AS a, ${quoteString(HOSTILE[6])} IN ${quoteInList(HOSTILE)} AS hit`,
    );
    expect(row.a).toEqual(HOSTILE);
    expect(row.hit).toBe(1);
  });

  it('round-trips numbers', async () => {
    const values = [0, -7, 3.25, 1e-7, 1e21, 2 ** 53 - 1];
    const [row] = await select<Record<string, string | number>>(
      `SELECT ${values.map((v, i) => `${quoteNumber(v)} AS n${i}`).join(', ')}`,
    );
    values.forEach((v, i) => expect(Number(row[`n${i}`])).toBe(v));
  });
});
