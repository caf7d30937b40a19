import { formatHash } from './route';

/** Logs of a trace are looked for this long before its first span and after its last (clocks and shippers lag). */
export const LOGS_MARGIN_MS = 5 * 60_000;

/**
 * The log search page (#/logs) pre-filled with a trace's logs, or one span's:
 * `trace_id:<id>` (and `span_id:<id>`) in the query box, and a custom time range
 * around the trace (the page's default, the last hour, would miss an older
 * trace). Times are local, as the page's datetime-local inputs read them.
 */
export function logsHref(ids: { traceId: string; spanId?: string }, traceStartUs: number, traceEndUs: number): string {
  const q = ids.spanId ? `trace_id:${ids.traceId} span_id:${ids.spanId}` : `trace_id:${ids.traceId}`;
  const params = new URLSearchParams({ q, range: 'custom' });
  params.set('start', localInputTime(Math.floor(traceStartUs / 1000) - LOGS_MARGIN_MS));
  // the input holds whole seconds: round the end up so the trace's last millisecond stays inside
  params.set('end', localInputTime(Math.ceil(traceEndUs / 1_000_000) * 1000 + LOGS_MARGIN_MS));
  return formatHash(['logs'], params);
}

/** YYYY-MM-DDTHH:MM:SS in local time (what an <input type="datetime-local" step="1"> holds). */
export function localInputTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
