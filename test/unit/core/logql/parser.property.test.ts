import * as fc from 'fast-check';
import { highlightTerms, LOGQL_LIMITS, LogQuerySyntaxError, matchesLogQuery, parseLogQuery } from '../../../../core/logql';
import { makeLog } from '../../../contract/fixtures';

/** Any text typed into the query box parses or is a LogQuerySyntaxError with a position inside it; never a crash or a hang. */
const RUNS = 2000;
const MAX_MS_PER_CALL = 200;

const tokens = fc.constantFrom(
  'error', 'AND', 'OR', 'NOT', 'and', 'or', 'not', '(', ')', '"', '"timed out"', 'service:', 'service:payment', 'level:>=warn',
  'severity:error', 'status:', '-', '*', 'pay*', '*ment', 'trace_id:', 'attr.user:"a b"', ':', '\\', '\\"', 'user.id:42', '>=', '<',
  ' ', '  ', '\t', '\n', '\u0000', '😀', 'ſ', 'İ', 'k8s.pod:"x"', 'duration:>5', 'host:', '((', '))', 'NOT NOT', '"unterminated',
);
/** Query-language-shaped text: tokens of the language joined in any order, plus arbitrary unicode. */
const queryText = fc.oneof(
  fc.array(tokens, { maxLength: 40 }).map((t) => t.join(' ')),
  fc.array(tokens, { maxLength: 40 }).map((t) => t.join('')),
  fc.string({ maxLength: 300, unit: 'grapheme' }),
  fc.string({ maxLength: 300, unit: 'binary' }),
);

function parseOrSyntaxError(input: string): ReturnType<typeof parseLogQuery> | LogQuerySyntaxError {
  const started = performance.now();
  try {
    return parseLogQuery(input);
  } catch (err) {
    if (!(err instanceof LogQuerySyntaxError)) throw err;
    return err;
  } finally {
    expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CALL);
  }
}

describe('log query parser on arbitrary input (property)', () => {
  it('parses or refuses with a position inside the query and something expected', () => {
    fc.assert(
      fc.property(queryText, (input) => {
        const out = parseOrSyntaxError(input);
        if (out instanceof LogQuerySyntaxError) {
          expect(out.parameter).toBe('q');
          expect(out.position).toBeGreaterThanOrEqual(0);
          expect(out.position).toBeLessThanOrEqual(Math.max(input.length, LOGQL_LIMITS.length));
          expect(Array.isArray(out.expected)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a parsed query evaluates against any log and yields highlight terms without throwing', () => {
    const log = fc.record({ body: fc.string({ maxLength: 80 }), service: fc.string({ maxLength: 12 }), severityNumber: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(queryText, log, (input, fields) => {
        const out = parseOrSyntaxError(input);
        if (out instanceof LogQuerySyntaxError) return;
        expect(typeof matchesLogQuery(out, makeLog(fields))).toBe('boolean');
        const h = highlightTerms(out);
        expect(Array.isArray(h.terms) && Array.isArray(h.phrases)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses over-long and over-deep queries quickly', () => {
    for (const input of ['('.repeat(LOGQL_LIMITS.length), 'NOT '.repeat(LOGQL_LIMITS.length / 4), 'a '.repeat(LOGQL_LIMITS.length), '"'.repeat(LOGQL_LIMITS.length + 1)]) {
      expect(parseOrSyntaxError(input)).toBeInstanceOf(LogQuerySyntaxError);
    }
  });

  it('the generator reaches both outcomes', () => {
    const outs = fc.sample(queryText, 500).map(parseOrSyntaxError);
    expect(outs.some((o) => o instanceof LogQuerySyntaxError)).toBe(true);
    expect(outs.some((o) => o !== undefined && !(o instanceof LogQuerySyntaxError))).toBe(true);
  });
});
