import { ValidationError } from '../../../core/errors';
import { limit, optionalNumber, optionalTimeUs, stringList, timeWindow, traceIdParam } from '../../../query-api/params';

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
});
