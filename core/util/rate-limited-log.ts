/**
 * Logs a line at most once per interval per key and counts what it swallowed,
 * so per-item problems never spam the console.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly write: (line: string) => void = (line) => console.warn(line),
    private readonly intervalMs = 10_000,
  ) {}

  warn(key: string, message: string): void {
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suffix = entry && entry.suppressed > 0 ? ` (${entry.suppressed} similar suppressed)` : '';
    this.last.set(key, { at: now, suppressed: 0 });
    this.write(`${message}${suffix}`);
  }
}
