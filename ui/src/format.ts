import { timeFormat } from 'd3';
import { decimalText, wholeText } from './numberText';

/** Microseconds as a short human duration: 850µs, 12.3ms, 4.56s, 2m 5s. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const abs = Math.abs(us);
  if (us === 0) return '0';
  if (abs < 1000) return `${wholeText(us)}µs`;
  if (abs < 1_000_000) return `${trim(us / 1000)}ms`;
  if (abs < 60_000_000) return `${trim(us / 1_000_000)}s`;
  const totalSeconds = Math.round(us / 1_000_000);
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  if (m < 60) return `${wholeText(m)}m ${wholeText(s)}s`;
  return `${wholeText(Math.floor(m / 60))}h ${wholeText(m % 60)}m`;
}

function trim(n: number): string {
  return decimalText(n, Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
}

const fullTime = timeFormat('%Y-%m-%d %H:%M:%S.%L');
const shortTime = timeFormat('%H:%M:%S.%L');

export function formatTime(us: number): string {
  return fullTime(new Date(us / 1000));
}

export function formatClock(us: number): string {
  return shortTime(new Date(us / 1000));
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 8) : id;
}

/** Severity bucket from the OTLP severity number, falling back to the text. */
export function severityClass(severityNumber: number, severityText: string): string {
  const n = severityNumber;
  if (n >= 21) return 'fatal';
  if (n >= 17) return 'error';
  if (n >= 13) return 'warn';
  if (n >= 9) return 'info';
  if (n >= 5) return 'debug';
  if (n >= 1) return 'trace';
  const t = severityText.toLowerCase();
  if (t.startsWith('fatal') || t.startsWith('crit')) return 'fatal';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('info')) return 'info';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('trace')) return 'trace';
  return 'unknown';
}
