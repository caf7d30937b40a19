import type { LogMessageRow } from '../wire';

/** Longest message body shown (and grouped on). */
export const MESSAGE_CHARS = 300;

export const cutText = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars)}…` : text);

/** Newest first: one row per distinct body (cut to MESSAGE_CHARS) and service, with how many of the sample carried it. */
export function distinctMessages(logs: readonly { body: string; service: string; severity: string; timeUs: number; traceId?: string | null }[]): LogMessageRow[] {
  const rows = new Map<string, LogMessageRow>();
  for (const log of logs) {
    const body = cutText(log.body, MESSAGE_CHARS);
    const id = `${log.service}\u0000${body}`;
    const row = rows.get(id);
    if (row) {
      row.count++;
      row.lastUs = Math.max(row.lastUs, log.timeUs);
    } else rows.set(id, { body, service: log.service, severity: log.severity, count: 1, lastUs: log.timeUs, traceId: log.traceId || null });
  }
  return [...rows.values()].sort((a, b) => b.lastUs - a.lastUs || b.count - a.count);
}

/** The sample's distinct messages, most frequent first (the newest of equals), at most `max`. */
export function topMessages(logs: Parameters<typeof distinctMessages>[0], max: number): LogMessageRow[] {
  // a stable sort of the newest-first rows: equal counts stay newest first
  return distinctMessages(logs)
    .sort((a, b) => b.count - a.count)
    .slice(0, max);
}
