import { ValidationError } from '../../../core/errors';
import {
  limit,
  MAX_DURATION_US,
  MAX_TIME_US,
  optionalDurationUs,
  optionalNumber,
  optionalString,
  optionalTimeUs,
  pathName,
  stringList,
  timeWindow,
  traceIdParam,
} from '../../../query-api/params';

function paramOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).parameter;
  }
  throw new Error('expected a ValidationError');
}

describe('query parameters', () => {
  it('reads times as epoch ms or ISO-8601 into microseconds', () => {
    expect(optionalTimeUs({ start: '1700000000123' }, 'start')).toBe(1700000000123000);
    expect(optionalTimeUs({ start: '2023-11-14T22:13:20.123Z' }, 'start')).toBe(1700000000123000);
    expect(optionalTimeUs({}, 'start')).toBeUndefined();
    expect(paramOf(() => optionalTimeUs({ end: 'yesterday' }, 'end'))).toBe('end');
    expect(paramOf(() => optionalTimeUs({ end: '2023-13-45T99:00:00Z' }, 'end'))).toBe('end');
  });

  it('rejects a window whose start is after its end', () => {
    expect(paramOf(() => timeWindow({ start: '2000', end: '1000' }))).toBe('start');
  });

  it('caps limits without failing and rejects nonsense', () => {
    expect(limit({}, 'limit', 20, 1000)).toBe(20);
    expect(limit({ limit: '5000' }, 'limit', 20, 1000)).toBe(1000);
    expect(paramOf(() => limit({ limit: '0' }, 'limit', 20, 1000))).toBe('limit');
    expect(paramOf(() => limit({ limit: '2.5' }, 'limit', 20, 1000))).toBe('limit');
    expect(paramOf(() => limit({ limit: 'ten' }, 'limit', 20, 1000))).toBe('limit');
  });

  it('rejects repeated scalar parameters and negative numbers', () => {
    expect(paramOf(() => optionalNumber({ minDurationMs: ['1', '2'] }, 'minDurationMs'))).toBe('minDurationMs');
    expect(paramOf(() => optionalNumber({ minDurationMs: '-1' }, 'minDurationMs'))).toBe('minDurationMs');
    expect(paramOf(() => stringList({ attr: ['a:1', 'b:2', 'c:3'] }, 'attr', 2))).toBe('attr');
  });

  it('accepts trace ids in any case and lowercases them', () => {
    expect(traceIdParam('ABCDEF0123456789ABCDEF0123456789')).toBe('abcdef0123456789abcdef0123456789');
    expect(paramOf(() => traceIdParam('xyz'))).toBe('traceId');
    expect(paramOf(() => traceIdParam('0'.repeat(32)))).toBe('traceId');
  });

  it('accepts times from 1970 to 2200 and names the parameter for anything outside', () => {
    expect(optionalTimeUs({ start: '0' }, 'start')).toBe(0);
    expect(optionalTimeUs({ end: '7258118400000' }, 'end')).toBe(MAX_TIME_US);
    expect(optionalTimeUs({ end: '2200-01-01T00:00:00Z' }, 'end')).toBe(MAX_TIME_US);
    expect(optionalTimeUs({ end: '1.5' }, 'end')).toBe(1500);
    expect(paramOf(() => optionalTimeUs({ end: '7258118400001' }, 'end'))).toBe('end');
    expect(paramOf(() => optionalTimeUs({ end: '99999999999999999999999' }, 'end'))).toBe('end');
    expect(paramOf(() => optionalTimeUs({ start: '2200-01-01T00:00:00.001Z' }, 'start'))).toBe('start');
    expect(paramOf(() => optionalTimeUs({ start: '1969-12-31T23:59:59Z' }, 'start'))).toBe('start');
    expect(paramOf(() => optionalTimeUs({ start: '9999-12-31' }, 'start'))).toBe('start');
    expect(paramOf(() => optionalTimeUs({ start: '-5' }, 'start'))).toBe('start');
    expect(paramOf(() => optionalTimeUs({ start: '1e20' }, 'start'))).toBe('start');
  });

  it('quotes at most 60 characters of a rejected value', () => {
    try {
      optionalTimeUs({ end: '9'.repeat(1000) }, 'end');
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message.length).toBeLessThan(200);
    }
  });

  it('bounds durations: 1 ms up to 3660 days, auto is absent', () => {
    expect(optionalDurationUs({ interval: '500ms' }, 'interval')).toBe(500_000);
    expect(optionalDurationUs({ interval: 'auto' }, 'interval')).toBeUndefined();
    expect(optionalDurationUs({ interval: '3660d' }, 'interval')).toBe(MAX_DURATION_US);
    expect(paramOf(() => optionalDurationUs({ interval: '3661d' }, 'interval'))).toBe('interval');
    expect(paramOf(() => optionalDurationUs({ interval: '99999999999999999999d' }, 'interval'))).toBe('interval');
    expect(paramOf(() => optionalDurationUs({ interval: '0s' }, 'interval'))).toBe('interval');
    expect(paramOf(() => optionalDurationUs({ interval: '2h' }, 'interval', 3_600_000_000))).toBe('interval');
  });

  it('bounds numbers given a range and rejects non-numbers', () => {
    expect(optionalNumber({ n: '1.5' }, 'n', 0, 2)).toBe(1.5);
    expect(paramOf(() => optionalNumber({ n: '2.5' }, 'n', 0, 2))).toBe('n');
    expect(paramOf(() => optionalNumber({ n: 'Infinity' }, 'n'))).toBe('n');
    expect(paramOf(() => optionalNumber({ n: '  ' }, 'n'))).toBe('n');
    expect(paramOf(() => limit({ limit: '1e300' }, 'limit', 20, 1000))).toBe('limit');
  });

  it('takes path names of 1 to 8192 characters (as long as a stored service name can be)', () => {
    expect(pathName('payment', 'service')).toBe('payment');
    expect(pathName('x'.repeat(8192), 'service')).toHaveLength(8192);
    expect(paramOf(() => pathName('', 'service'))).toBe('service');
    expect(paramOf(() => pathName('x'.repeat(8193), 'service'))).toBe('service');
    expect(paramOf(() => pathName(['a'], 'service'))).toBe('service');
    expect(paramOf(() => pathName('a\u0000', 'service'))).toBe('service');
    expect(paramOf(() => optionalString({ q: 'ab\u0000cd' }, 'q'))).toBe('q');
    expect(paramOf(() => stringList({ attr: ['k:v', 'k:\u0000'] }, 'attr', 4))).toBe('attr');
  });
});

