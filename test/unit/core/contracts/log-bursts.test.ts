import { burstMessages, checkBurstLimits } from '../../../../core/contracts/log-bursts';
import { LOG_READ_LIMITS } from '../../../../core/contracts/read-limits';
import { ValidationError } from '../../../../core/errors';

describe('LogStore.bursts limits and messages', () => {
  it('lowers the services and messages asked for to their caps and refuses what is not a count', () => {
    expect(LOG_READ_LIMITS).toMatchObject({ burstServices: 50, burstMessages: 10, burstSample: 100 });
    expect(checkBurstLimits({ services: 1000, messages: 1000 })).toEqual({ services: 50, messages: 10 });
    expect(checkBurstLimits({ services: 5, messages: 0 })).toEqual({ services: 5, messages: 0 });
    expect(() => checkBurstLimits({ services: -1, messages: 1 })).toThrow(ValidationError);
    expect(() => checkBurstLimits({ services: 1, messages: Number.NaN })).toThrow(ValidationError);
  });

  it('groups the newest burstSample records by body: most frequent first, the newest of equals first, cut bodies grouped', () => {
    const record = (timeUs: number, body: string) => ({ body, service: 's', severityText: 'ERROR', timeUs, traceId: '' });
    const long = 'x'.repeat(400);
    // newest first, as the stores read them: 150 records, the oldest 50 of them "old"
    const newest = [
      record(300, `${long}a`),
      record(299, 'b'),
      record(298, `${long}b`),
      record(297, 'c'),
      record(296, 'b'),
      record(295, 'c'),
      ...Array.from({ length: 94 }, (_, i) => record(200 - i, `filler ${i}`)),
      ...Array.from({ length: 50 }, (_, i) => record(100 - i, 'old')),
    ];
    expect(burstMessages(newest, 3).map((m) => [m.body, m.count, m.lastUs])).toEqual([
      [`${'x'.repeat(300)}…`, 2, 300],
      ['b', 2, 299],
      ['c', 2, 297],
    ]);
    // "old" is outside the sample of 100: not counted at all
    expect(burstMessages(newest, 10).some((m) => m.body === 'old')).toBe(false);
    expect(burstMessages(newest, 0)).toEqual([]);
  });
});
