/**
 * Rows of summarized topology minutes kept between reads. A summarized
 * minute's rows change only when it is summarized again (a late write marks it
 * written, a later read takes a new summary with a newer version), and every
 * read learns each minute's summary version from the minute marks it reads
 * anyway (topology-minutes.ts). So rows kept under the version the marks still
 * name are the rows the server would give: a wall screen refreshing the same
 * hour reads only the minutes summarized since its last refresh.
 */
import { minuteRanges, type MinuteRanges, type MinuteVersion } from './topology-minutes';

/** Most rows kept per cache (a minute without rows counts as one); past it the oldest minutes are dropped first. */
export const TOPOLOGY_MINUTE_CACHE_ROWS = 100_000;

export interface CachedMinuteRows<Row> {
  /** Rows of the minutes kept, being read for another caller, or read now. */
  rows: Row[];
  /** Minutes left to the caller: their rows would not fit in the cache, read them summed over the minutes instead. */
  notKept: MinuteRanges;
}

interface Kept<Row> {
  version: number;
  rows: readonly Row[];
}

export class SummarizedMinuteCache<Row extends { minute: number }> {
  private readonly kept = new Map<number, Kept<Row>>();
  /** Minutes being read, by minute; `undefined` rows: the read met its limit, so its minutes are left to their callers. */
  private readonly reading = new Map<number, { version: number; rows: Promise<readonly Row[] | undefined> }>();
  private size = 0;
  /** Rows per minute seen in the last read: a read expected to overflow the cache is left to the caller. */
  private rowsPerMinute = 0;

  constructor(
    /** The rows of these minutes (each minute's newest summary), one statement giving at most `loadLimit` rows. */
    private readonly load: (minutes: MinuteRanges) => Promise<Row[]>,
    private readonly loadLimit: number,
    readonly maxRows = TOPOLOGY_MINUTE_CACHE_ROWS,
  ) {}

  /** Rows kept, for tests and health: at most maxRows. */
  get rowsKept(): number {
    return this.size;
  }

  /** The rows of these summarized minutes, in their order: kept ones at the same version, ones another caller is reading, and the rest in one read. */
  async rows(wanted: readonly MinuteVersion[]): Promise<CachedMinuteRows<Row>> {
    const current = (w: MinuteVersion) => {
      const kept = this.kept.get(w.minute);
      if (kept?.version === w.version) return kept.rows;
      const reading = this.reading.get(w.minute);
      return reading?.version === w.version ? reading.rows : undefined;
    };
    const toRead = wanted.filter((w) => current(w) === undefined);
    // expected to overflow the cache: the caller reads these summed instead
    const leave = new Set(toRead.length * this.rowsPerMinute > this.maxRows ? toRead.map((w) => w.minute) : []);
    if (leave.size === 0 && toRead.length > 0) this.read(toRead);
    const parts = await Promise.all(wanted.map((w) => (leave.has(w.minute) ? undefined : current(w))));
    const rows: Row[] = [];
    const notKept: number[] = [];
    parts.forEach((part, i) => (part ? rows.push(...part) : notKept.push(wanted[i].minute)));
    return { rows, notKept: minuteRanges(notKept) };
  }

  /** Keeps the rows of a summary just taken (these minutes, all its rows) under its version, as a read of them would give. */
  keepSummary(minutes: readonly number[], version: number, rows: readonly Row[]): void {
    for (const [minute, ofMinute] of byMinute(minutes, rows)) this.keep({ minute, version }, ofMinute);
  }

  /** Drops every kept row (after data is deleted). */
  clear(): void {
    this.kept.clear();
    this.size = 0;
  }

  /** One read of these minutes; each minute's rows are kept (and given to callers asking meanwhile) under its version. */
  private read(minutes: readonly MinuteVersion[]): void {
    const read = this.load(minuteRanges(minutes.map((m) => m.minute))).then((rows) => {
      this.rowsPerMinute = rows.length / minutes.length;
      // a read cut at its limit is not every row: none of it is kept or given
      if (rows.length >= this.loadLimit) return undefined;
      return byMinute(minutes.map((m) => m.minute), rows);
    });
    for (const m of minutes) {
      const rows = read.then((out) => out?.get(m.minute));
      this.reading.set(m.minute, { version: m.version, rows });
      rows.then(
        (r) => r && this.keep(m, r),
        () => undefined,
      ).finally(() => {
        if (this.reading.get(m.minute)?.rows === rows) this.reading.delete(m.minute);
      });
    }
  }

  private keep(m: MinuteVersion, rows: readonly Row[]): void {
    const cost = Math.max(1, rows.length);
    if (cost > this.maxRows) return;
    this.drop(m.minute);
    while (this.size + cost > this.maxRows) {
      let oldest = Infinity;
      for (const minute of this.kept.keys()) oldest = Math.min(oldest, minute);
      // the newest minutes are the ones screens read again: one older than all kept ones is not kept in their place
      if (oldest > m.minute) return;
      this.drop(oldest);
    }
    this.kept.set(m.minute, { version: m.version, rows });
    this.size += cost;
  }

  private drop(minute: number): void {
    const kept = this.kept.get(minute);
    if (!kept) return;
    this.kept.delete(minute);
    this.size -= Math.max(1, kept.rows.length);
  }
}

/** Rows grouped by minute, every one of `minutes` present (a minute without rows has none). */
function byMinute<Row extends { minute: number }>(minutes: readonly number[], rows: readonly Row[]): Map<number, Row[]> {
  const out = new Map<number, Row[]>(minutes.map((m) => [m, []]));
  for (const r of rows) out.get(r.minute)?.push(r);
  return out;
}
