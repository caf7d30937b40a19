/**
 * Process-wide counters, exposed in Prometheus text format on /metrics.
 * Per-item problems (rejected spans, dead-lettered messages) are counted here
 * instead of being logged one by one.
 */
export class Counters {
  private readonly values = new Map<string, number>();
  private readonly help = new Map<string, string>();

  describe(name: string, help: string): void {
    this.help.set(name, help);
    if (!this.values.has(name)) this.values.set(name, 0);
  }

  add(name: string, n = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + n);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }

  toPrometheus(): string {
    const lines: string[] = [];
    for (const [name, value] of [...this.values].sort(([a], [b]) => a.localeCompare(b))) {
      const help = this.help.get(name);
      if (help) lines.push(`# HELP ${name} ${help}`);
      lines.push(`# TYPE ${name} counter`, `${name} ${value}`);
    }
    return lines.join('\n') + '\n';
  }
}
