import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import type { StatusReporter, StoreStatus } from '../../core/contracts/store-status';
import type { HealthReport } from '../../core/wire';

/** A part of the process that can say what is wrong with it (the bus, a spill waiting to be written…). */
export interface HealthCheck {
  name: string;
  check(): Promise<{ problems: string[]; detail?: unknown }> | { problems: string[]; detail?: unknown };
}

/** Collects the stores' and the process's own health into one report for /api/health. */
export class HealthService {
  constructor(
    private readonly spanStore: SpanStore,
    private readonly logStore: LogStore,
    private readonly checks: HealthCheck[] = [],
  ) {}

  async report(): Promise<HealthReport> {
    const problems = new Set<string>();
    const stores: HealthReport['stores'] = {};
    const [spans, logs] = await Promise.all([statusOf(this.spanStore), statusOf(this.logStore)]);
    if (spans) stores.spans = spans;
    if (logs) stores.logs = logs;
    const warnings = new Set<string>();
    for (const status of [spans, logs]) {
      for (const p of status?.problems ?? []) problems.add(`${status!.backend} store: ${p}`);
      for (const w of status?.warnings ?? []) warnings.add(`${status!.backend} store: ${w}`);
    }
    const checks: Record<string, unknown> = {};
    for (const c of this.checks) {
      try {
        const result = await c.check();
        for (const p of result.problems) problems.add(`${c.name}: ${p}`);
        if (result.detail !== undefined) checks[c.name] = result.detail;
      } catch (err) {
        problems.add(`${c.name}: health check failed: ${(err as Error)?.message ?? err}`);
      }
    }
    return {
      status: problems.size > 0 ? 'degraded' : 'ok',
      problems: [...problems],
      warnings: [...warnings],
      spanStore: this.spanStore.capabilities.backend,
      logStore: this.logStore.capabilities.backend,
      stores,
      checks,
    };
  }
}

async function statusOf(store: SpanStore | LogStore): Promise<StoreStatus | undefined> {
  const reporter = store as Partial<StatusReporter>;
  if (typeof reporter.status !== 'function') return undefined;
  try {
    return await reporter.status();
  } catch (err) {
    return { backend: store.capabilities.backend, problems: [`cannot tell its status: ${(err as Error)?.message ?? err}`] };
  }
}
