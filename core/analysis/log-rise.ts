import type { LogRecord } from '../model';
import type { RisingLogMessage } from '../wire/incidents';

/**
 * Log messages that rose in a window compared with the window before (as
 * long), pure: records are grouped by service, severity and pattern (the
 * message with its numbers, ids and quoted values made `#`, so "order
 * ORD-1 failed after 503 ms" and "order ORD-2 failed after 12 ms" are one
 * message); a message rose when it was seen more often than before by
 * more than the noise of a count: more than two standard deviations of a
 * Poisson count of the window before's size (any occurrence of a message new
 * in the window rises; one seen 68 times before needs more than 84).
 */

/** Longest pattern kept (a stack trace is grouped by its start). */
const PATTERN_CHARS = 200;

export function messagePattern(body: string): string {
  return body
    .slice(0, 4 * PATTERN_CHARS)
    .replace(/"[^"\n]*"|'[^'\n]*'/g, '#')
    .replace(/\b[0-9a-f]{8,}\b/gi, '#')
    .replace(/[A-Za-z]*[-_]?\d[\w.:-]*/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, PATTERN_CHARS);
}

export function rose(count: number, baselineCount: number): boolean {
  return count - baselineCount > 2 * Math.sqrt(baselineCount);
}

export function risingMessages(now: readonly LogRecord[], before: readonly LogRecord[], limit: number): RisingLogMessage[] {
  const keyOf = (r: LogRecord) => JSON.stringify([r.service, r.severityText.toUpperCase(), messagePattern(r.body)]);
  const baseline = new Map<string, number>();
  for (const r of before) baseline.set(keyOf(r), (baseline.get(keyOf(r)) ?? 0) + 1);
  const groups = new Map<string, RisingLogMessage>();
  for (const r of now) {
    const key = keyOf(r);
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { service: r.service, severity: r.severityText.toUpperCase(), pattern: messagePattern(r.body), sample: r.body, sampleId: r.id, count: 1, baselineCount: baseline.get(key) ?? 0 });
  }
  return [...groups.values()]
    .filter((g) => rose(g.count, g.baselineCount))
    .sort((a, b) => b.count - b.baselineCount - (a.count - a.baselineCount) || (a.pattern < b.pattern ? -1 : 1))
    .slice(0, Math.max(0, limit));
}
