import { MAX_TIME_US } from '../../../../core/limits';
import { calendarToMicros, detectLineTime, epochToMicros, findIsoTimestamp, timeFromValue, withinTimeRange } from '../../../../core/log-normalise/time';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('time of a plain line', () => {
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
    ['2023-02-29 12:00:00 not a leap year', 0],
    ['2024-02-29 12:00:00 a leap year', us('2024-02-29T12:00:00Z')],
    ['2024-04-31T00:00:00Z thirty days', 0],
    ['2024-05-01T12:00:00.1234567891Z x', us('2024-05-01T12:00:00.123Z') + 456],
    ['2024-05-01 12:00:00,5 -0530 x', us('2024-05-01T17:30:00.500Z')],
    ['2024-05-01T12:00:00 +02 x', us('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00.x INFO', us('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00\t+02:00 x', us('2024-05-01T10:00:00Z')],
    ['2300-01-01T00:00:00Z after 2200', 0],
    ['1969-12-31T23:59:59Z before 1970', 0],
  ])('%s', (line, expected) => {
    expect(detectLineTime(line)).toBe(expected);
  });
});

describe('time of a field value', () => {
  const t = us('2024-05-01T12:00:00Z');

  it('reads epoch values of every unit by magnitude', () => {
    expect(epochToMicros(1714564800)).toBe(t);
    expect(epochToMicros(1714564800000)).toBe(t);
    expect(epochToMicros(1714564800000000)).toBe(t);
    expect(epochToMicros(1714564800000000000)).toBe(t);
    expect(epochToMicros(1714564800.5)).toBe(t + 500_000);
    expect(epochToMicros('1714564800123')).toBe(t + 123_000);
  });

  it.each([
    ['2024-05-01T12:00:00Z', t],
    ['2024-05-01T14:00:00.000001+0200', t + 1],
    ['2024-05-01 12:00:00', t],
    [' 2024-05-01T12:00:00Z ', t],
    ['1714564800', t],
    [1714564800123, t + 123_000],
    [1714564800123456789, t + 123_457],
    ['yesterday', 0],
    ['', 0],
    [true, 0],
    [null, 0],
    [{ t: 1 }, 0],
  ])('%j', (value, expected) => expect(timeFromValue(value)).toBe(expected));

  it('has one out-of-range rule: no time outside 1970 < t <= 2200, on numbers and text alike', () => {
    for (const value of [0, -1, NaN, Infinity, 1e20, 1e25, '1e20', 5e10, 9e12, 9e15, 9e18, '2200-01-01T00:00:00.000001Z', '0001-01-01T00:00:00Z']) {
      expect(timeFromValue(value)).toBe(0);
    }
    expect(timeFromValue('2200-01-01T00:00:00Z')).toBe(MAX_TIME_US);
    expect(timeFromValue(MAX_TIME_US)).toBe(MAX_TIME_US);
    expect(timeFromValue(1)).toBe(1_000_000);
    expect(withinTimeRange(MAX_TIME_US + 1)).toBe(0);
    expect(withinTimeRange(0)).toBe(0);
    expect(findIsoTimestamp('at 2300-01-01T00:00:00Z')).toBe(0);
  });
});

describe('calendarToMicros', () => {
  it('converts any year and refuses what is not in the calendar', () => {
    expect(calendarToMicros(1985, 4, 12, 19, 20, 50, 520_000, -240)).toBe(us('1985-04-12T23:20:50.520Z'));
    expect(calendarToMicros(2300, 1, 1, 0, 0, 0, 0, 0)).toBe(Date.UTC(2300, 0, 1) * 1000);
    expect(calendarToMicros(2000, 2, 29, 0, 0, 0, 0, 0)).toBe(us('2000-02-29T00:00:00Z'));
    for (const [y, mo, d, h, mi, s] of [[1900, 2, 29, 0, 0, 0], [2024, 0, 1, 0, 0, 0], [2024, 13, 1, 0, 0, 0], [2024, 6, 31, 0, 0, 0], [2024, 1, 1, 24, 0, 0], [2024, 1, 1, 0, 60, 0], [2024, 1, 1, 0, 0, 61]]) {
      expect(calendarToMicros(y, mo, d, h, mi, s, 0, 0)).toBeNaN();
    }
  });
});
