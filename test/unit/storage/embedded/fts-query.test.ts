import { buildFtsQuery, ftsString, hasTextCriteria, hasTokens } from '../../../../storage/embedded/fts-query';

describe('buildFtsQuery', () => {
  it.each([
    [{ terms: ['payment'], phrases: [] }, '"payment"'],
    [{ terms: ['payment', 'declined'], phrases: [] }, '"payment" AND "declined"'],
    [{ terms: ['a'], phrases: ['order failed'] }, '"a" AND "order failed"'],
    [{ terms: ['say "hi"'], phrases: [] }, '"say ""hi"""'],
    [{ terms: ['AND', 'OR', 'NOT'], phrases: [] }, '"AND" AND "OR" AND "NOT"'],
    [{ terms: ['NEAR(a b)'], phrases: [] }, '"NEAR(a b)"'],
    [{ terms: ['body:x', 'x*', '^x', '-x'], phrases: [] }, '"body:x" AND "x*" AND "^x" AND "-x"'],
    [{ terms: ['café', '日本'], phrases: [] }, '"café" AND "日本"'],
  ])('%j -> %s', (text, expected) => {
    expect(buildFtsQuery(text)).toBe(expected);
  });

  it('drops terms without any token and answers null when nothing is left', () => {
    expect(buildFtsQuery({ terms: ['(', 'x', '*'], phrases: ['"'] })).toBe('"x"');
    expect(buildFtsQuery({ terms: ['(', ')', '*', ':', '^', '"', ''], phrases: ['  '] })).toBeNull();
    expect(buildFtsQuery({ terms: [], phrases: [] })).toBeNull();
  });

  it('quotes any string as one FTS5 string literal', () => {
    expect(ftsString('a"b""c')).toBe('"a""b""""c"');
    expect(ftsString('ab\u0000cd')).toBe('"ab cd"');
  });

  it('knows when a string has tokens and when a query has criteria', () => {
    expect(hasTokens('x')).toBe(true);
    expect(hasTokens('٣')).toBe(true);
    expect(hasTokens('(*)')).toBe(false);
    expect(hasTextCriteria(undefined)).toBe(false);
    expect(hasTextCriteria({ terms: [], phrases: [] })).toBe(false);
    expect(hasTextCriteria({ terms: ['('], phrases: [] })).toBe(true);
  });
});
