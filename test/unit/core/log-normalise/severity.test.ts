import {
  detectLineSeverity,
  severityFromValue,
  severityOfSyslogCode,
  severityTextFromNumber,
  SYSLOG_SEVERITY_NAMES,
} from '../../../../core/log-normalise/severity';

describe('severity words (the OTel data model table)', () => {
  it.each([
    ['trace', 1, 'TRACE'], ['FINEST', 1, 'TRACE'], ['t', 1, 'TRACE'],
    ['debug', 5, 'DEBUG'], ['dbg', 5, 'DEBUG'], ['finer', 5, 'DEBUG'], ['verbose', 5, 'DEBUG'], ['D', 5, 'DEBUG'],
    ['fine', 6, 'DEBUG'], ['config', 7, 'DEBUG'],
    ['info', 9, 'INFO'], ['Information', 9, 'INFO'], ['informational', 9, 'INFO'], ['i', 9, 'INFO'],
    ['notice', 10, 'INFO'],
    ['warn', 13, 'WARN'], ['Warning', 13, 'WARN'], ['W', 13, 'WARN'],
    ['error', 17, 'ERROR'], ['err', 17, 'ERROR'], ['SEVERE', 17, 'ERROR'], ['e', 17, 'ERROR'],
    ['crit', 18, 'ERROR'], ['dpanic', 18, 'ERROR'],
    ['alert', 19, 'ERROR'], ['panic', 19, 'ERROR'],
    ['fatal', 21, 'FATAL'], ['CRITICAL', 21, 'FATAL'], ['emerg', 21, 'FATAL'], ['emergency', 21, 'FATAL'], ['f', 21, 'FATAL'],
    ['  warn ', 13, 'WARN'],
  ])('%j → %i %s', (word, number, text) => {
    expect(severityFromValue(word)).toEqual({ number, text });
  });

  it('reads pino/bunyan numbers before OTLP numbers, and numeric text as its number', () => {
    expect([10, 20, 30, 40, 50, 60].map((n) => severityFromValue(n).text)).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
    expect(severityFromValue(10).number).toBe(1);
    expect(severityFromValue(17)).toEqual({ number: 17, text: 'ERROR' });
    expect(severityFromValue(24)).toEqual({ number: 24, text: 'FATAL' });
    expect(severityFromValue('50')).toEqual({ number: 17, text: 'ERROR' });
    expect(severityFromValue('3')).toEqual({ number: 3, text: 'TRACE' });
  });

  it.each([['whatever'], [''], [0], [25], [-1], [1.5], [70], [true], [null], [undefined], [{ level: 'warn' }], ['1e1'], ['0017000']])(
    'unknown: %j',
    (value) => expect(severityFromValue(value)).toEqual({ number: 0, text: '' }),
  );

  it('gives each OTLP number the short name of its range', () => {
    const texts = Array.from({ length: 26 }, (_, n) => severityTextFromNumber(n));
    expect(texts).toEqual(['', ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((t) => [t, t, t, t]), '']);
  });
});

describe('syslog severity codes', () => {
  it.each([
    [0, 21, 'FATAL'], [1, 19, 'ERROR'], [2, 18, 'ERROR'], [3, 17, 'ERROR'], [4, 13, 'WARN'], [5, 10, 'INFO'], [6, 9, 'INFO'], [7, 5, 'DEBUG'],
  ])('code %i → %i %s, the same as its keyword', (code, number, text) => {
    expect(severityOfSyslogCode(code)).toEqual({ number, text });
    expect(severityFromValue(SYSLOG_SEVERITY_NAMES[code])).toEqual({ number, text });
  });

  it('knows no code outside 0..7', () => {
    expect(severityOfSyslogCode(8).number).toBe(0);
    expect(severityOfSyslogCode(-1).number).toBe(0);
  });
});

describe('level words in plain lines', () => {
  it.each([
    ['2024-05-01 12:00:00 ERROR payment failed', 'ERROR', 17],
    ['[warn] disk almost full', 'WARN', 13],
    ['level=info msg=ok', 'INFO', 9],
    ['FATAL: out of memory', 'FATAL', 21],
    ['PANIC: stack', 'ERROR', 19],
    ['<crit> raid degraded', 'ERROR', 18],
    ['nothing to see', '', 0],
    ['terror is not a level', '', 0],
    ['e is not a level in a line', '', 0],
    [`${'x'.repeat(130)} ERROR too far in`, '', 0],
  ])('%s', (line, text, number) => {
    expect(detectLineSeverity(line)).toEqual({ text, number });
  });
});
