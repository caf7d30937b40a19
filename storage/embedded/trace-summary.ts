import type Database from 'better-sqlite3';
import type { TraceSummary } from '../../core/model';
import type { EmbeddedDatabase } from './database';

/** A row of the `traces` summary table. */
export interface TraceRow {
  id: number;
  trace_id: string;
  start_us: number;
  end_us: number;
  span_count: number;
  error_count: number;
  root_op_id: number;
}

/** Builds TraceSummary objects from `traces` rows; the services come from the trace's operations. */
export class TraceSummaryReader {
  private readonly traceOps: Database.Statement<[number], { op_id: number }>;

  constructor(private readonly edb: EmbeddedDatabase) {
    this.traceOps = edb.db.prepare('SELECT op_id FROM trace_ops WHERE trace_ref = ?');
  }

  summaryOf(r: TraceRow): TraceSummary {
    const root = this.edb.operation(r.root_op_id);
    const services = new Set<string>();
    for (const { op_id } of this.traceOps.all(r.id)) services.add(this.edb.operation(op_id).service);
    return {
      traceId: r.trace_id,
      rootService: root.service,
      rootName: root.name,
      startUs: r.start_us,
      durationUs: r.end_us - r.start_us,
      spanCount: r.span_count,
      errorCount: r.error_count,
      services: [...services].sort(),
    };
  }
}
