import { SummarizedMinuteCache } from '../../../../storage/clickhouse/topology-minute-cache';
import type { MinuteRanges } from '../../../../storage/clickhouse/topology-minutes';
import { MINUTE_US } from '../../../../core/topology';

const T0 = 1_700_000_040 * 1_000_000;
const minute = (i: number) => T0 + i * MINUTE_US;

interface Row {
  minute: number;
  calls: number;
}

/**
 * A table of summary rows by minute and version: the load reads each minute's rows of the newest version,
 * as the server's argMax does, and records the minutes each read asked for.
 */
function table(rowsPerMinute = 2) {
  const versions = new Map<number, number>();
  const reads: number[][] = [];
  let failNext = false;
  const rowsOf = (m: number): Row[] => Array.from({ length: rowsPerMinute }, (_, i) => ({ minute: m, calls: (versions.get(m) ?? 0) * 100 + i }));
  const load = async (ranges: MinuteRanges): Promise<Row[]> => {
    const minutes: number[] = [];
    for (const [from, to] of ranges) for (let m = from; m <= to; m += MINUTE_US) minutes.push(m);
    reads.push(minutes);
    await new Promise((resolve) => setImmediate(resolve));
    if (failNext) {
      failNext = false;
      throw new Error('server gone');
    }
    return minutes.flatMap(rowsOf);
  };
  return {
    load,
    reads,
    summarize: (i: number, version: number) => versions.set(minute(i), version),
    wanted: (...is: number[]) => is.map((i) => ({ minute: minute(i), version: versions.get(minute(i))! })),
    rowsOf: (...is: number[]) => is.flatMap((i) => rowsOf(minute(i))),
    failNext: () => (failNext = true),
  };
}

describe('SummarizedMinuteCache', () => {
  it('reads a summarized minute once and gives its kept rows while its summary version stays', async () => {
    const t = table();
    for (let i = 0; i < 5; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000);
    expect(await cache.rows(t.wanted(0, 1, 2))).toEqual({ rows: t.rowsOf(0, 1, 2), notKept: [] });
    // the window moved on by two minutes: only those are read
    expect(await cache.rows(t.wanted(2, 3, 4))).toEqual({ rows: t.rowsOf(2, 3, 4), notKept: [] });
    expect(t.reads).toEqual([[minute(0), minute(1), minute(2)], [minute(3), minute(4)]]);
    expect(cache.rowsKept).toBe(10);
  });

  it('reads a minute again when it was summarized again (a late write), giving the new rows', async () => {
    const t = table();
    for (let i = 0; i < 3; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000);
    await cache.rows(t.wanted(0, 1, 2));
    t.summarize(1, 11);
    const again = await cache.rows(t.wanted(0, 1, 2));
    expect(again.rows).toEqual(t.rowsOf(0, 1, 2));
    expect(again.rows.filter((r) => r.minute === minute(1)).map((r) => r.calls)).toEqual([1_100, 1_101]);
    expect(t.reads).toEqual([[minute(0), minute(1), minute(2)], [minute(1)]]);
  });

  it('reads at once: callers asking for minutes being read wait for that read instead of reading them again', async () => {
    const t = table();
    for (let i = 0; i < 60; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000);
    const hour = Array.from({ length: 60 }, (_, i) => i);
    const [a, b, c] = await Promise.all([cache.rows(t.wanted(...hour)), cache.rows(t.wanted(...hour.slice(45))), cache.rows(t.wanted(...hour.slice(55)))]);
    expect(t.reads).toHaveLength(1);
    expect(a.rows).toEqual(t.rowsOf(...hour));
    expect(b.rows).toEqual(t.rowsOf(...hour.slice(45)));
    expect(c.rows).toEqual(t.rowsOf(...hour.slice(55)));
  });

  it('keeps at most maxRows, dropping the oldest minutes first, and never keeps an older minute in place of newer ones', async () => {
    const t = table(3);
    for (let i = 0; i < 10; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000, 9);
    await cache.rows(t.wanted(0, 1, 2));
    expect(cache.rowsKept).toBe(9);
    await cache.rows(t.wanted(3));
    expect(cache.rowsKept).toBe(9);
    t.reads.length = 0;
    // minute 0 was dropped for minute 3; 1..3 are kept
    expect((await cache.rows(t.wanted(1, 2, 3))).rows).toEqual(t.rowsOf(1, 2, 3));
    expect(t.reads).toEqual([]);
    expect((await cache.rows(t.wanted(0))).rows).toEqual(t.rowsOf(0));
    expect(t.reads).toEqual([[minute(0)]]);
    // minute 0 is older than every kept minute: not kept in their place
    await cache.rows(t.wanted(1, 2, 3));
    expect(t.reads).toEqual([[minute(0)]]);
  });

  it('leaves minutes to the caller (to be read summed) when they would not fit, and when a read meets its limit', async () => {
    const t = table(4);
    for (let i = 0; i < 10; i++) t.summarize(i, 10);
    // a limit of 8 rows a read: two minutes' rows meet it, so that read is not every row
    const cache = new SummarizedMinuteCache<Row>(t.load, 8, 100);
    expect(await cache.rows(t.wanted(0, 1))).toEqual({ rows: [], notKept: [[minute(0), minute(1)]] });
    expect(cache.rowsKept).toBe(0);
    // one minute at a time still fits
    expect(await cache.rows(t.wanted(2))).toEqual({ rows: t.rowsOf(2), notKept: [] });
    const small = new SummarizedMinuteCache<Row>(t.load, 1_000, 10);
    await small.rows(t.wanted(0));
    t.reads.length = 0;
    // 4 rows a minute seen: 5 more minutes would be 20 rows, past the 10 kept: not read at all
    expect(await small.rows(t.wanted(0, 5, 6, 7, 8, 9))).toEqual({ rows: t.rowsOf(0), notKept: [[minute(5), minute(9)]] });
    expect(t.reads).toEqual([]);
  });

  it('passes a failed read to every caller waiting for it, keeps nothing of it, and reads again next time', async () => {
    const t = table();
    for (let i = 0; i < 3; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000);
    t.failNext();
    await expect(Promise.all([cache.rows(t.wanted(0, 1, 2)), cache.rows(t.wanted(2))])).rejects.toThrow('server gone');
    expect(cache.rowsKept).toBe(0);
    expect((await cache.rows(t.wanted(0, 1, 2))).rows).toEqual(t.rowsOf(0, 1, 2));
  });

  it('keeps the rows of a summary just taken under its version, so no read of those minutes follows', async () => {
    const t = table();
    for (let i = 0; i < 3; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000);
    cache.keepSummary([minute(0), minute(1), minute(2)], 10, t.rowsOf(0, 2));
    // minute 1 had no rows in the summary: kept as none
    expect(await cache.rows(t.wanted(0, 1, 2))).toEqual({ rows: t.rowsOf(0, 2), notKept: [] });
    expect(t.reads).toEqual([]);
    // another summary of minute 2 since: its rows are read
    t.summarize(2, 12);
    expect((await cache.rows(t.wanted(2))).rows).toEqual(t.rowsOf(2));
    expect(t.reads).toEqual([[minute(2)]]);
  });

  it('counts a minute without rows as one row, so empty minutes are bounded too', async () => {
    const t = table(0);
    for (let i = 0; i < 10; i++) t.summarize(i, 10);
    const cache = new SummarizedMinuteCache<Row>(t.load, 1_000, 4);
    await cache.rows(t.wanted(...Array.from({ length: 10 }, (_, i) => i)));
    expect(cache.rowsKept).toBe(4);
    cache.clear();
    expect(cache.rowsKept).toBe(0);
  });
});
