import { LOGQL_LIMITS, LogQuerySyntaxError, highlightTerms, parseLogQuery } from '../../../../core/logql';
import { INVALID_QUERIES, VALID_QUERIES } from '../../../contract/logql-corpus';

describe('parseLogQuery', () => {
  it.each([
    ['', undefined],
    ['declined', { type: 'text', value: 'declined', phrase: false, prefix: false }],
    ['"card declined"', { type: 'text', value: 'card declined', phrase: true, prefix: false }],
    ['pay*', { type: 'text', value: 'pay', phrase: false, prefix: true }],
    ['a b', { type: 'and', children: [{ type: 'text', value: 'a', phrase: false, prefix: false }, { type: 'text', value: 'b', phrase: false, prefix: false }] }],
    ['a OR b c', { type: 'or', children: [{ type: 'text', value: 'a', phrase: false, prefix: false }, { type: 'and', children: [{ type: 'text', value: 'b', phrase: false, prefix: false }, { type: 'text', value: 'c', phrase: false, prefix: false }] }] }],
    ['-a', { type: 'not', child: { type: 'text', value: 'a', phrase: false, prefix: false } }],
    ['service:payment', { type: 'match', field: { kind: 'service' }, value: 'payment' }],
    ['order.id:ORD-12*', { type: 'match', field: { kind: 'attribute', name: 'order.id' }, value: 'ORD-12*', pattern: [{ literal: 'ORD-12' }, { any: 'rest' }] }],
    ['duration_ms:>500', { type: 'range', field: { kind: 'attribute', name: 'duration_ms' }, gt: 500 }],
    ['level:>=warn', { type: 'range', field: { kind: 'severity' }, gte: 13 }],
    ['level:<=warn', { type: 'range', field: { kind: 'severity' }, lte: 16 }],
    ['x:[1 TO 5}', { type: 'range', field: { kind: 'attribute', name: 'x' }, gte: 1, lt: 5 }],
    ['time:>=2026-01-31T12:00:00Z', { type: 'range', field: { kind: 'time' }, gte: Date.parse('2026-01-31T12:00:00Z') * 1000 }],
    ['a\\:b', { type: 'text', value: 'a:b', phrase: false, prefix: false }],
    ['"say \\"hi\\""', { type: 'text', value: 'say "hi"', phrase: true, prefix: false }],
    ['заказ:оплачен', { type: 'match', field: { kind: 'attribute', name: 'заказ' }, value: 'оплачен' }],
    ['msg:"🚀 x"', { type: 'text', value: '🚀 x', phrase: true, prefix: false }],
    ['Error', { type: 'or', children: [{ type: 'text', value: 'Error', phrase: false, prefix: false }, { type: 'range', field: { kind: 'severity' }, gte: 17, lte: 20 }] }],
    ['warning', { type: 'or', children: [{ type: 'text', value: 'warning', phrase: false, prefix: false }, { type: 'range', field: { kind: 'severity' }, gte: 13, lte: 16 }] }],
    ['"error"', { type: 'text', value: 'error', phrase: true, prefix: false }],
    ['error*', { type: 'text', value: 'error', phrase: false, prefix: true }],
    ['\\error', { type: 'text', value: 'error', phrase: false, prefix: false }],
    ['body:error', { type: 'text', value: 'error', phrase: false, prefix: false }],
    ['errors', { type: 'text', value: 'errors', phrase: false, prefix: false }],
  ])('%s', (q, ast) => {
    expect(parseLogQuery(q)).toEqual(ast);
  });

  it.each(VALID_QUERIES.map((c) => c.q))('corpus query parses: %s', (q) => {
    expect(() => parseLogQuery(q)).not.toThrow();
  });

  it.each(INVALID_QUERIES.map((c) => [c.q, c] as const))('rejects %s', (q, c) => {
    let error: unknown;
    try {
      parseLogQuery(q);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LogQuerySyntaxError);
    const e = error as LogQuerySyntaxError;
    expect({ position: e.position, message: e.message }).toEqual({ position: c.position, message: expect.stringContaining(c.message) });
    expect(e.message).toMatch(/ at \d+$/);
    expect(e.parameter).toBe('q');
  });

  it('says what it expected', () => {
    expect(() => parseLogQuery('(a OR b')).toThrow(expect.objectContaining({ message: "expected ')' at 7", expected: [')', 'AND', 'OR'] }));
  });

  it('enforces length, depth and term limits', () => {
    expect(() => parseLogQuery('a'.repeat(LOGQL_LIMITS.length + 1))).toThrow(/longer than 2000/);
    expect(() => parseLogQuery('('.repeat(21) + 'a' + ')'.repeat(21))).toThrow(/nested deeper than 20/);
    expect(parseLogQuery('('.repeat(20) + 'a' + ')'.repeat(20))).toEqual({ type: 'text', value: 'a', phrase: false, prefix: false });
    expect(() => parseLogQuery('NOT '.repeat(21) + 'a')).toThrow(/nested deeper/);
    expect(() => parseLogQuery(Array.from({ length: 65 }, (_, i) => `w${i}`).join(' '))).toThrow(/more than 64 terms/);
    expect(() => parseLogQuery(Array.from({ length: 64 }, (_, i) => `w${i}`).join(' '))).not.toThrow();
  });

  describe('field groups desugar into the written-out form', () => {
    it.each([
      ['service:(payment OR inventory)', '(service:payment OR service:inventory)'],
      ['level:(error OR warn)', '(level:error OR level:warn)'],
      ['order.id:(ORD-1 OR ORD-2*)', '(order.id:ORD-1 OR order.id:ORD-2*)'],
      ['-service:(a OR b)', '-(service:a OR service:b)'],
      ['NOT host:(a b)', 'NOT (host:a host:b)'],
      ['service:(a AND NOT (b OR -c)) d', '(service:a AND NOT (service:b OR -service:c)) d'],
      ['service:("a b" OR c\\:d OR \\OR)', '(service:"a b" OR service:c\\:d OR service:\\OR)'],
      ['service: (a OR b)', '(service:a OR service:b)'],
      ['service:(a)', 'service:a'],
      ['service:((a))', 'service:a'],
      ['body:("card declined" OR timeout)', '("card declined" OR timeout)'],
      ['msg:(pay* -"was declined")', '(pay* -"was declined")'],
      ['duration_ms:(>500 OR [1 TO 5} OR <=-1)', '(duration_ms:>500 OR duration_ms:[1 TO 5} OR duration_ms:<=-1)'],
      ['time:(>=2026-01-31T12:00:00Z <2026-02-01T00:00:00Z)', '(time:>=2026-01-31T12:00:00Z time:<2026-02-01T00:00:00Z)'],
      ['trace_id:(ABC* OR DEF)', '(trace_id:abc* OR trace_id:def)'],
    ])('%s', (group, writtenOut) => {
      expect(parseLogQuery(group)).toEqual(parseLogQuery(writtenOut));
    });

    it('gives the AST the stores already translate', () => {
      expect(parseLogQuery('service:(payment OR inventory)')).toEqual({
        type: 'or',
        children: [
          { type: 'match', field: { kind: 'service' }, value: 'payment' },
          { type: 'match', field: { kind: 'service' }, value: 'inventory' },
        ],
      });
    });

    it('says where a group is malformed and what it expected', () => {
      const at = (q: string) => {
        try {
          parseLogQuery(q);
        } catch (err) {
          const e = err as LogQuerySyntaxError;
          return { message: e.message, position: e.position, expected: e.expected };
        }
        throw new Error(`${q} parsed`);
      };
      const valueStart = ['a value', '"phrase"', '(', 'NOT', '-'];
      expect(at('service:(')).toEqual({ message: 'expected a value in service:(...) at 9', position: 9, expected: valueStart });
      expect(at('service:()')).toEqual({ message: "unexpected ')': expected a value in service:(...) at 9", position: 9, expected: valueStart });
      expect(at('service:(a OR)')).toEqual({ message: "unexpected ')': expected a value in service:(...) at 13", position: 13, expected: valueStart });
      expect(at('service:(a OR b')).toEqual({ message: "expected ')' at 15", position: 15, expected: [')', 'AND', 'OR'] });
      expect(at('service:(level:error)')).toEqual({
        message: `field "level" inside service:(...): a group takes values only; put the field outside the group, or quote or escape (\\:) a value that has ':' at 9`,
        position: 9,
        expected: ['a value', '"phrase"'],
      });
      // a comparison or range whose value has ':' is still a value
      expect(() => parseLogQuery('time:(>=2026-01-31T12:00:00Z OR [2026-01-01T00:00:00Z TO 2026-01-02T00:00:00Z])')).not.toThrow();
    });

    it('counts every value of a group as a term and its parentheses and NOTs as nesting', () => {
      const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`).join(' OR ');
      expect(() => parseLogQuery(`service:(${values(64)})`)).not.toThrow();
      expect(() => parseLogQuery(`service:(${values(65)})`)).toThrow(/more than 64 terms/);
      expect(() => parseLogQuery(`a service:(${values(64)})`)).toThrow(/more than 64 terms/);
      // the group's own '(' is one level, as in the written-out (service:a)
      expect(() => parseLogQuery(`service:${'('.repeat(20)}a${')'.repeat(20)}`)).not.toThrow();
      expect(() => parseLogQuery(`service:${'('.repeat(21)}a${')'.repeat(21)}`)).toThrow(/nested deeper than 20/);
      expect(() => parseLogQuery(`${'('.repeat(19)}service:(a)${')'.repeat(19)}`)).not.toThrow();
      expect(() => parseLogQuery(`${'('.repeat(20)}service:(a)${')'.repeat(20)}`)).toThrow(/nested deeper than 20/);
      expect(() => parseLogQuery(`service:(${'NOT '.repeat(19)}a)`)).not.toThrow();
      expect(() => parseLogQuery(`service:(${'NOT '.repeat(20)}a)`)).toThrow(/nested deeper than 20/);
    });
  });

  it('highlights positive free text only', () => {
    expect(highlightTerms(parseLogQuery('card "was declined" -fraud service:x (retry OR NOT y)'))).toEqual({ terms: ['card', 'retry'], phrases: ['was declined'] });
    expect(highlightTerms(parseLogQuery('service:(payment OR inventory) body:("card declined" OR timeout -fraud) -msg:(debug OR "x y")'))).toEqual({
      terms: ['timeout'],
      phrases: ['card declined'],
    });
  });
});
