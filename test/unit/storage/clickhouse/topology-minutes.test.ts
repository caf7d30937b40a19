import { DEFAULT_QUIET_SECONDS, minuteRanges, splitMinutes, SUMMARIZE_MAX_MINUTES } from '../../../../storage/clickhouse/topology-minutes';
import { MINUTE_US } from '../../../../core/topology';

const T0 = 1_700_000_040 * 1_000_000; // a minute start
const minute = (i: number) => T0 + i * MINUTE_US;
/** Server seconds at the end of minute i. */
const endOf = (i: number) => (minute(i) + MINUTE_US) / 1_000_000;

describe('minuteRanges', () => {
  it.each([
    [[], []],
    [[minute(0)], [[minute(0), minute(0)]]],
    [[minute(0), minute(1), minute(2), minute(5), minute(7), minute(8)], [[minute(0), minute(2)], [minute(5), minute(5)], [minute(7), minute(8)]]],
  ])('%j → %j', (minutes, ranges) => {
    expect(minuteRanges(minutes)).toEqual(ranges);
  });
});

describe('splitMinutes', () => {
  const asOf = endOf(9) + 3_600;

  it('reads a minute from its summary only when the summary is newer than the last write into it', () => {
    const split = splitMinutes(minute(0), minute(4), [
      { minute: minute(0), written: 100, summarized: 101 }, // summarized after the last write
      { minute: minute(1), written: 101, summarized: 101 }, // a write in the summary's second: not trusted
      { minute: minute(2), written: 102, summarized: 101 }, // written after the summary
      { minute: minute(3), written: 100, summarized: 0 }, // never summarized
    ], asOf);
    expect(split.summarized).toEqual([[minute(0), minute(0)]]);
    // the version a kept copy of its rows is checked against (topology-minute-cache.ts)
    expect(split.summaryVersions).toEqual([{ minute: minute(0), version: 101 }]);
    // minute 4 has no mark at all (no data, or data from before the marks): read exactly
    expect(split.exact).toEqual([[minute(1), minute(4)]]);
    expect(split.toSummarize).toEqual([minute(1), minute(2), minute(3), minute(4)]);
    expect(split.asOf).toBe(asOf);
  });

  it('leaves minutes still being written, or not over long enough, to the exact read', () => {
    const now = endOf(5) + DEFAULT_QUIET_SECONDS;
    const split = splitMinutes(minute(3), minute(7), [
      { minute: minute(3), written: now - DEFAULT_QUIET_SECONDS - 1, summarized: 0 }, // quiet: summarize
      { minute: minute(4), written: now - 10, summarized: 0 }, // written 10 s ago
    ], now);
    expect(split.summarized).toEqual([]);
    expect(split.exact).toEqual([[minute(3), minute(7)]]);
    // minute 5 ended exactly the quiet period ago; 6 and 7 are not over long enough
    expect(split.toSummarize).toEqual([minute(3), minute(5)]);
  });

  it('takes the quiet period given (0: any minute over and not written in the current second)', () => {
    const now = endOf(2);
    const split = splitMinutes(minute(0), minute(2), [
      { minute: minute(0), written: now - 1, summarized: 0 },
      { minute: minute(1), written: now, summarized: 0 },
    ], now, 0);
    expect(split.toSummarize).toEqual([minute(0), minute(2)]);
  });

  it(`summarizes at most ${SUMMARIZE_MAX_MINUTES} minutes a read, oldest first`, () => {
    const split = splitMinutes(minute(0), minute(299), [], endOf(299) + 3_600);
    expect(split.exact).toEqual([[minute(0), minute(299)]]);
    expect(split.toSummarize).toHaveLength(SUMMARIZE_MAX_MINUTES);
    expect(split.toSummarize[0]).toBe(minute(0));
    expect(split.toSummarize[SUMMARIZE_MAX_MINUTES - 1]).toBe(minute(SUMMARIZE_MAX_MINUTES - 1));
  });

  it('alternating summarized and exact minutes make alternating ranges', () => {
    const marks = [0, 2, 4].map((i) => ({ minute: minute(i), written: 10, summarized: 20 }));
    const split = splitMinutes(minute(0), minute(5), marks, asOf);
    expect(split.summarized).toEqual([[minute(0), minute(0)], [minute(2), minute(2)], [minute(4), minute(4)]]);
    expect(split.exact).toEqual([[minute(1), minute(1)], [minute(3), minute(3)], [minute(5), minute(5)]]);
  });
});
