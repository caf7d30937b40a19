import { ValidationError } from '../../../../core/errors';
import { goDurationUs, jaegerDependencyWindow, jaegerTraceSearch } from '../../../../query-api/jaeger/jaeger-params';

const NOW_US = 1_800_000_000_000_000;
const search = (query: Record<string, unknown>) => jaegerTraceSearch(query, NOW_US, () => {});

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('Jaeger query API parameters', () => {
  it.each([
    ['1.5ms', 1_500],
    ['100us', 100],
    ['100µs', 100],
    ['2s', 2_000_000],
    ['1m30s', 90_000_000],
    ['1h', 3_600_000_000],
    ['1500ns', 2],
    ['0us', 0],
  ])('reads the Go duration %s as %d µs', (raw, us) => {
    expect(goDurationUs({ d: raw }, 'd')).toBe(us);
  });

  it.each(['5', 'ms', '1x', '-1s', '1s junk', '1.s'])('refuses the duration "%s" naming the parameter', (raw) => {
    const err = refusal(() => goDurationUs({ minDuration: raw }, 'minDuration'));
    expect(err.parameter).toBe('minDuration');
    expect(err.message).toMatch(/minDuration must be a duration like 1\.5ms/);
  });

  it('a search: service required, the last hour by default, 100 traces, tags and status from tags', () => {
    expect(refusal(() => search({})).message).toBe("parameter 'service' is required");
    expect(search({ service: 'api', operation: 'GET /', tags: '{"order.id":"ORD-1","error":"true"}', minDuration: '2ms' })).toEqual({
      query: {
        service: 'api',
        operation: 'GET /',
        attributes: [{ key: 'order.id', value: 'ORD-1' }],
        status: 'error',
        minDurationUs: 2_000,
        maxDurationUs: undefined,
        startUs: NOW_US - 3_600_000_000,
        endUs: NOW_US,
        limit: 100,
      },
    });
  });

  it('start and end are epoch microseconds; lookback moves the default start', () => {
    expect(search({ service: 'a', start: '1700000000000000', end: '1700000001000000' })).toMatchObject({ query: { startUs: 1_700_000_000_000_000, endUs: 1_700_000_001_000_000 } });
    expect(search({ service: 'a', lookback: '2h' })).toMatchObject({ query: { startUs: NOW_US - 7_200_000_000 } });
    expect(refusal(() => search({ service: 'a', start: 'yesterday' })).parameter).toBe('start');
    expect(refusal(() => search({ service: 'a', start: '1700000001000000', end: '1700000000000000' })).message).toMatch(/start must not be after end/);
    expect(refusal(() => search({ service: 'a', minDuration: '2s', maxDuration: '1s' })).parameter).toBe('minDuration');
    expect(refusal(() => search({ service: 'a', tags: 'order.id:1' })).parameter).toBe('tags');
    expect(search({ service: 'a', limit: '5000' })).toMatchObject({ query: { limit: 1000 } });
  });

  it('traceID (repeated) asks for traces by id, short ids left-padded', () => {
    expect(search({ traceID: ['abc', '5b8aa5a2d2c872e8321cf37308d69df2'] })).toEqual({ traceIds: ['0'.repeat(29) + 'abc', '5b8aa5a2d2c872e8321cf37308d69df2'] });
    expect(refusal(() => search({ traceID: 'xyz' })).parameter).toBe('traceID');
  });

  it('dependencies: endTs and lookback in milliseconds, default the last 24 h', () => {
    expect(jaegerDependencyWindow({ endTs: '1700000000000', lookback: '60000' }, 0)).toEqual({ startUs: 1_699_999_940_000_000, endUs: 1_700_000_000_000_000 });
    expect(jaegerDependencyWindow({}, 1_700_000_000_000)).toEqual({ startUs: (1_700_000_000_000 - 86_400_000) * 1000, endUs: 1_700_000_000_000_000 });
    expect(refusal(() => jaegerDependencyWindow({ endTs: 'soon' }, 0)).parameter).toBe('endTs');
  });
});
