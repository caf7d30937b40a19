import { detectLineSeverity, severityFromValue } from '../../../collector/shipper/detect-severity';
import { detectLineTime, epochToMicros, parseTimeValue } from '../../../collector/shipper/detect-time';
import { extractBusinessKeys, extractTraceContext } from '../../../collector/shipper/extract-context';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('timestamp detection', () => {
  it.each([
    ['2024-05-01T12:00:00Z INFO x', us('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00.123456Z x', us('2024-05-01T12:00:00.123Z') + 456],
    ['2024-05-01T14:00:00+02:00 x', us('2024-05-01T12:00:00Z')],
    ['2024-05-01 12:00:00,250 ERROR boom', us('2024-05-01T12:00:00.250Z')],
    ['[2024-05-01 12:00:00.5] x', us('2024-05-01T12:00:00.500Z')],
    ['1714564800 started', us('2024-05-01T12:00:00Z')],
    ['1714564800123 started', us('2024-05-01T12:00:00.123Z')],
    ['no time here', 0],
    ['2024-13-01 12:00:00 bad month', 0],
    ['2024-05-01T12:00:00.1234567891Z x', us('2024-05-01T12:00:00.123Z') + 456],
    ['2024-05-01 12:00:00,5 -0530 x', us('2024-05-01T17:30:00.500Z')],
    ['2024-05-01T12:00:00 +02 x', us('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00.x INFO', us('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00\t+02:00 x', us('2024-05-01T10:00:00Z')],
  ])('%s', (line, expected) => {
    expect(detectLineTime(line)).toBe(expected);
  });

  it('reads epoch values of every unit and ISO strings in fields', () => {
    const t = us('2024-05-01T12:00:00Z');
    expect(epochToMicros(1714564800)).toBe(t);
    expect(epochToMicros(1714564800000)).toBe(t);
    expect(epochToMicros(1714564800000000)).toBe(t);
    expect(epochToMicros(1714564800000000000)).toBe(t);
    expect(epochToMicros(1714564800.5)).toBe(t + 500_000);
    expect(parseTimeValue('2024-05-01T12:00:00Z')).toBe(t);
    expect(parseTimeValue('1714564800')).toBe(t);
    expect(parseTimeValue(true)).toBe(0);
  });
});

describe('severity detection', () => {
  it.each([
    ['2024-05-01 12:00:00 ERROR payment failed', 'ERROR', 17],
    ['[warn] disk almost full', 'WARN', 13],
    ['level=info msg=ok', 'INFO', 9],
    ['FATAL: out of memory', 'FATAL', 21],
    ['nothing to see', '', 0],
    ['terror is not a level', '', 0],
  ])('%s', (line, text, number) => {
    expect(detectLineSeverity(line)).toEqual({ text, number });
  });

  it('reads field values: names, letters, OTLP and bunyan numbers', () => {
    expect(severityFromValue('Warning').text).toBe('WARN');
    expect(severityFromValue('E').text).toBe('ERROR');
    expect(severityFromValue(50).text).toBe('ERROR');
    expect(severityFromValue(30).text).toBe('INFO');
    expect(severityFromValue(17)).toEqual({ number: 17, text: 'ERROR' });
    expect(severityFromValue('whatever').number).toBe(0);
  });
});

describe('trace context and business keys', () => {
  const trace = '0af7651916cd43dd8448eb211c80319c';
  const span = 'b7ad6b7169203331';

  it('takes ids from fields (any common spelling) and removes them', () => {
    const fields = { traceId: trace.toUpperCase(), span_id: span, other: 1 };
    expect(extractTraceContext(fields, '')).toEqual({ traceId: trace, spanId: span });
    expect(fields).toEqual({ other: 1 });
  });

  it('finds ids in text and ignores malformed or all-zero ones', () => {
    expect(extractTraceContext({}, `x trace_id=${trace} span_id=${span} y`)).toEqual({ traceId: trace, spanId: span });
    expect(extractTraceContext({}, 'trace_id=123 span_id=abc')).toEqual({ traceId: '', spanId: '' });
    expect(extractTraceContext({ trace_id: '0'.repeat(32) }, '')).toEqual({ traceId: '', spanId: '' });
  });

  it('copies business keys from other spellings and from text', () => {
    const out: Record<string, any> = {};
    extractBusinessKeys({ order_id: 'ORD-1', customerId: 'C-9' }, '', ['order.id', 'customer.id'], out);
    expect(out).toEqual({ 'order.id': 'ORD-1', 'customer.id': 'C-9' });
    const fromText: Record<string, any> = {};
    extractBusinessKeys({}, 'paid order.id=ORD-42 ok', ['order.id'], fromText);
    expect(fromText).toEqual({ 'order.id': 'ORD-42' });
  });
});
