import { highlightTerms, parseLogQuery } from '../../../core/logql';
import { guessHighlight, hasTopLevelOr } from '../../../ui/src/logQueryText';

describe('guessHighlight (the browser before the API answers)', () => {
  it.each([
    ['declined', { terms: ['declined'], phrases: [] }],
    ['card "was declined" pay*', { terms: ['card', 'pay'], phrases: ['was declined'] }],
    ['a -b NOT c (d OR NOT e)', { terms: ['a', 'd'], phrases: [] }],
    ['NOT (a b) c', { terms: ['c'], phrases: [] }],
    ['service:payment level:error x', { terms: ['x'], phrases: [] }],
    ['url.full:http://a/b?x=1 y', { terms: ['y'], phrases: [] }],
    ['service:(payment OR inventory)', { terms: [], phrases: [] }],
    ['order.id:(ORD-1 OR "ORD 2" OR (ORD-3* -x)) timeout', { terms: ['timeout'], phrases: [] }],
    ['-service:(a OR b) c', { terms: ['c'], phrases: [] }],
    ['body:("card declined" OR timeout -fraud)', { terms: ['timeout'], phrases: ['card declined'] }],
    ['msg:(a (b OR c)) message:"d e" body:f', { terms: ['a', 'b', 'c', 'f'], phrases: ['d e'] }],
    ['-body:(a OR b) NOT msg:c', { terms: [], phrases: [] }],
    ['service: (a OR b) body: (c)', { terms: ['c'], phrases: [] }],
    ['a\\:b "say \\"hi\\""', { terms: ['a:b'], phrases: ['say "hi"'] }],
  ])('%s', (q, expected) => {
    expect(guessHighlight(q)).toEqual(expected);
  });

  it.each([
    'service:(payment OR inventory) body:("card declined" OR timeout)',
    'card "was declined" -fraud service:x (retry OR NOT y)',
    '-body:(a OR b) msg:(c -d) level:(error OR warn) e*',
    'order.id:(ORD-1 OR ORD-2*) NOT (x y) "z"',
  ])('agrees with the server for %s', (q) => {
    expect(guessHighlight(q)).toEqual(highlightTerms(parseLogQuery(q)));
  });
});

describe('hasTopLevelOr (adding a facet clause wraps the query only then)', () => {
  it.each([
    ['a OR b', true],
    ['service:(a OR b)', false],
    ['service:(a OR b) OR c', true],
    ['(a OR b) c', false],
    ['"a OR b"', false],
    ['a \\OR b', false],
    ['body:("x" OR y) level:error', false],
  ])('%s → %s', (q, expected) => {
    expect(hasTopLevelOr(q)).toBe(expected);
  });
});
