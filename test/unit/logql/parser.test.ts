import { LOGQL_LIMITS, LogQuerySyntaxError, highlightTerms, parseLogQuery } from '../../../core/logql';
import { INVALID_QUERIES, VALID_QUERIES } from '../../contract/logql-corpus';

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

  it('highlights positive free text only', () => {
    expect(highlightTerms(parseLogQuery('card "was declined" -fraud service:x (retry OR NOT y)'))).toEqual({ terms: ['card', 'retry'], phrases: ['was declined'] });
  });
});
