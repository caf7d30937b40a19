/**
 * Which minutes of a topology read come from the per-minute summaries and
 * which from the exact FINAL read of the per-call tables (topology-schema.ts).
 * Pure: the marks are read by the store.
 */
import { MINUTE_US } from '../../core/topology';

/** Inclusive ranges of minute starts (µs), ascending and disjoint. */
export type MinuteRanges = readonly (readonly [number, number])[];

/** A minute's marks: server seconds of the last write into it and of its last summary (0: none). */
export interface MinuteMark {
  minute: number;
  written: number;
  summarized: number;
}

/**
 * By default a minute is summarized once nothing was written into it for this
 * long and it ended this long ago: the minutes still being written are read
 * exactly each time rather than summarized again after every batch.
 */
export const DEFAULT_QUIET_SECONDS = 60;
/** Most minutes one read summarizes (their per-minute rows are read in one go); the rest wait for later reads. */
export const SUMMARIZE_MAX_MINUTES = 120;

/** A summarized minute and the version (server seconds) of its newest summary: its summary rows change only with it. */
export interface MinuteVersion {
  minute: number;
  version: number;
}

export interface MinuteSplit {
  /** Minutes whose newest summary is newer than their last write. */
  summarized: MinuteRanges;
  /** The same minutes, ascending, each with the version of its newest summary. */
  summaryVersions: MinuteVersion[];
  /** Every other minute of the read. */
  exact: MinuteRanges;
  /** Exact minutes quiet enough to be summarized now, oldest first, at most SUMMARIZE_MAX_MINUTES. */
  toSummarize: number[];
  /** The server's clock (seconds) when the marks were read: the version of summaries taken now. */
  asOf: number;
}

/**
 * Splits the minutes from..to. A summary is trusted only when strictly newer
 * (in whole seconds) than the last write mark: a write marked in the same
 * second as a summary may have landed after the summary's read.
 */
export function splitMinutes(fromMinute: number, toMinute: number, marks: readonly MinuteMark[], asOf: number, quietSeconds = DEFAULT_QUIET_SECONDS): MinuteSplit {
  const byMinute = new Map(marks.map((m) => [m.minute, m]));
  const summarized: number[] = [];
  const summaryVersions: MinuteVersion[] = [];
  const exact: number[] = [];
  const toSummarize: number[] = [];
  const quietBefore = asOf - quietSeconds;
  for (let minute = fromMinute; minute <= toMinute; minute += MINUTE_US) {
    const m = byMinute.get(minute);
    if (m && m.summarized > m.written) {
      summarized.push(minute);
      summaryVersions.push({ minute, version: m.summarized });
      continue;
    }
    exact.push(minute);
    const ended = (minute + MINUTE_US) / 1_000_000;
    if (ended <= quietBefore && (m?.written ?? 0) < quietBefore && toSummarize.length < SUMMARIZE_MAX_MINUTES) toSummarize.push(minute);
  }
  return { summarized: minuteRanges(summarized), summaryVersions, exact: minuteRanges(exact), toSummarize, asOf };
}

/** Ascending minute starts as ranges of consecutive minutes. */
export function minuteRanges(minutes: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const minute of minutes) {
    const last = out[out.length - 1];
    if (last && minute === last[1] + MINUTE_US) last[1] = minute;
    else out.push([minute, minute]);
  }
  return out;
}
