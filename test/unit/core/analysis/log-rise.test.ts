import { messagePattern, risingMessages } from '../../../../core/analysis/log-rise';
import type { LogRecord } from '../../../../core/model';

let n = 0;
const record = (service: string, severityText: string, body: string): LogRecord => ({
  id: `log-${n++}`,
  timeUs: 1,
  observedTimeUs: 1,
  service,
  severityText,
  severityNumber: 17,
  body,
  traceId: '',
  spanId: '',
  attributes: {},
  resource: {},
  scope: { name: 't', version: '' },
});
const times = (k: number, make: () => LogRecord) => Array.from({ length: k }, make);

describe('log messages that rose', () => {
  it('groups messages that differ only by numbers, ids and quoted values', () => {
    expect(messagePattern('order ORD-1 failed after 503 ms')).toBe(messagePattern('order ORD-2 failed after 12 ms'));
    expect(messagePattern('user "alice" denied on 7f3a9c2b1e')).toBe(messagePattern("user 'bob' denied on 0011aabbccdd"));
    expect(messagePattern('card declined')).not.toBe(messagePattern('card expired'));
    expect(messagePattern('x'.repeat(10_000)).length).toBeLessThanOrEqual(200);
  });

  it('lists what rose over the window before, largest rise first, with a sample as logged', () => {
    const before = [...times(5, () => record('payment', 'ERROR', 'timeout after 30 ms')), ...times(3, () => record('search', 'WARN', 'slow query'))];
    const now = [
      ...times(40, () => record('payment', 'ERROR', `timeout after ${n} ms`)),
      ...times(3, () => record('search', 'WARN', 'slow query')),
      ...times(6, () => record('inventory', 'error', 'stock <b>low</b> for SKU-9')),
    ];
    const rising = risingMessages(now, before, 10);
    expect(rising.map((r) => [r.service, r.severity, r.count, r.baselineCount])).toEqual([
      ['payment', 'ERROR', 40, 5],
      ['inventory', 'ERROR', 6, 0],
    ]);
    expect(rising[1].sample).toBe('stock <b>low</b> for SKU-9');
    expect(now.some((r) => r.id === rising[0].sampleId)).toBe(true);
  });

  it('calls a message risen only beyond the noise of its count', () => {
    const before = times(68, () => record('search', 'WARN', 'index refresh slow'));
    expect(risingMessages(times(69, () => record('search', 'WARN', 'index refresh slow')), before, 10)).toEqual([]);
    expect(risingMessages(times(85, () => record('search', 'WARN', 'index refresh slow')), before, 10)).toHaveLength(1);
    expect(risingMessages([record('search', 'WARN', 'new')], [], 10)).toHaveLength(1);
  });

  it('tells the same message of two services apart, and keeps at most `limit`', () => {
    const now = [record('a', 'ERROR', 'boom'), record('b', 'ERROR', 'boom'), record('b', 'ERROR', 'boom')];
    expect(risingMessages(now, [], 10).map((r) => [r.service, r.count])).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
    expect(risingMessages(now, [], 1)).toHaveLength(1);
    expect(risingMessages(now, [], -3)).toEqual([]);
  });
});
