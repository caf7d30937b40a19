import { ValidationError } from '../../../core/errors';
import { MAX_TEXT_QUERY_LENGTH, parseTextQuery } from '../../../core/text-query';

describe('parseTextQuery', () => {
  it.each([
    ['timeout', { terms: ['timeout'], phrases: [] }],
    ['payment  declined order', { terms: ['payment', 'declined', 'order'], phrases: [] }],
    ['"card declined" ORD-1', { terms: ['ORD-1'], phrases: ['card declined'] }],
    ['"  spaced   phrase "', { terms: [], phrases: ['spaced phrase'] }],
    ['"unclosed phrase', { terms: [], phrases: ['unclosed phrase'] }],
    ['""', { terms: [], phrases: [] }],
    ['AND OR NOT ( ) * ^ NEAR(', { terms: ['AND', 'OR', 'NOT', '(', ')', '*', '^', 'NEAR('], phrases: [] }],
    ['zahlung "abgelehnt für"', { terms: ['zahlung'], phrases: ['abgelehnt für'] }],
  ])('%j', (text, expected) => {
    expect(parseTextQuery(text)).toEqual(expected);
  });

  it('refuses text over the length limit, naming the parameter', () => {
    const err = (() => {
      try {
        parseTextQuery('x'.repeat(MAX_TEXT_QUERY_LENGTH + 1));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).parameter).toBe('q');
  });

  it('refuses too many parts', () => {
    expect(() => parseTextQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))).toThrow(ValidationError);
  });
});
