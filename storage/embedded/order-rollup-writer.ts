import type Database from 'better-sqlite3';
import { ORDER_FACT_TRACES, orderFactsOfTraces, type OrderFact } from '../../core/analysis/order-facts';
import { addOrder, orderRollupChange, orderTraceLinks, storedOrderFact, type OrdersByKey } from '../../core/analysis/order-rollup';
import type { OrderRollupSettings, SpanBatch } from '../../core/contracts/span-store';
import type { TraceSummary } from '../../core/model';
import type { EmbeddedDatabase } from './database';

interface FactRow {
  value: string;
  start_us: number;
  end_us: number;
  failed: number;
  stages: string;
  trace_ids: string;
}

/**
 * Keeps the per-minute order roll-up (core/analysis/order-rollup.ts) inside
 * the span write's transaction, after the spans, summaries and business keys
 * are in: the orders the batch touches (its rolled-up key rows, and the
 * orders of its traces from order_traces) get their fact again from the
 * stored summaries; a changed fact replaces the stored one and moves the
 * minute sums from the old fact to the new. The write turn serialises
 * writers, so two ingest threads never both count one change.
 */
export class OrderRollupWriter {
  private readonly keys: ReadonlySet<string>;
  private readonly insertLink: Database.Statement;
  private readonly ordersOfTrace: Database.Statement<[string], { key: string; value: string }>;
  private readonly tracesOfOrder: Database.Statement<[string, string, number], { trace_id: string }>;
  private readonly summaryOf: Database.Statement<[string], { start_us: number; end_us: number; error_count: number; root_op_id: number }>;
  private readonly factOf: Database.Statement<[string, string], FactRow>;
  private readonly upsertFact: Database.Statement;
  private readonly addMinute: Database.Statement;

  constructor(
    private readonly edb: EmbeddedDatabase,
    private readonly settings: OrderRollupSettings,
  ) {
    const db = edb.db;
    this.keys = new Set(settings.keys);
    this.insertLink = db.prepare('INSERT OR IGNORE INTO order_traces (trace_id, key, value) VALUES (?, ?, ?)');
    this.ordersOfTrace = db.prepare('SELECT key, value FROM order_traces WHERE trace_id = ?');
    this.tracesOfOrder = db.prepare('SELECT trace_id FROM business_keys WHERE key = ? AND value = ? ORDER BY trace_id LIMIT ?');
    this.summaryOf = db.prepare('SELECT start_us, end_us, error_count, root_op_id FROM traces WHERE trace_id = ? AND span_count > 0');
    this.factOf = db.prepare('SELECT value, start_us, end_us, failed, stages, trace_ids FROM order_facts WHERE key = ? AND value = ?');
    this.upsertFact = db.prepare(
      `INSERT INTO order_facts (key, value, minute, start_us, end_us, duration_us, failed, stages, trace_ids)
       VALUES (@key, @value, @minute, @start_us, @end_us, @duration_us, @failed, @stages, @trace_ids)
       ON CONFLICT (key, value) DO UPDATE SET minute = excluded.minute, start_us = excluded.start_us, end_us = excluded.end_us,
         duration_us = excluded.duration_us, failed = excluded.failed, stages = excluded.stages, trace_ids = excluded.trace_ids`,
    );
    this.addMinute = db.prepare(
      `INSERT INTO order_minutes (key, minute, stage, bucket, orders, failed, offset_us) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET orders = orders + excluded.orders, failed = failed + excluded.failed, offset_us = offset_us + excluded.offset_us`,
    );
  }

  /**
   * Runs inside the span write's transaction, after its business keys are stored. `storedTraceIds`:
   * the batch's traces that were stored before it; the others' order links are all the batch's own
   * (links are written with a trace's spans and deleted with its row).
   */
  write(batch: SpanBatch, storedTraceIds: readonly string[]): void {
    if (this.keys.size === 0) return;
    const touched: OrdersByKey = new Map();
    for (const l of orderTraceLinks(batch.businessKeys, this.keys)) {
      this.insertLink.run(l.traceId, l.key, l.value);
      addOrder(touched, l.key, l.value);
    }
    for (const id of storedTraceIds) for (const o of this.ordersOfTrace.all(id)) addOrder(touched, o.key, o.value);
    for (const [key, values] of touched) this.rollUp(key, values);
  }

  private rollUp(key: string, values: ReadonlySet<string>): void {
    const traceIdsByValue = new Map<string, string[]>();
    const summaries = new Map<string, TraceSummary>();
    const before = new Map<string, OrderFact>();
    for (const value of values) {
      const ids = this.tracesOfOrder.all(key, value, ORDER_FACT_TRACES).map((r) => r.trace_id);
      traceIdsByValue.set(value, ids);
      for (const id of ids) if (!summaries.has(id)) this.addSummary(id, summaries);
      const stored = this.factOf.get(key, value);
      if (stored) before.set(value, factOfRow(stored));
    }
    const change = orderRollupChange(before, orderFactsOfTraces(traceIdsByValue, summaries, this.settings.stages));
    for (const f of change.facts) {
      this.upsertFact.run(storedOrderFact(key, f));
    }
    for (const r of change.rows) this.addMinute.run(key, r.minute, r.stage, r.bucket, r.orders, r.failed, r.offsetUs);
  }

  /** The parts of a summary an order fact reads (start, duration, errors, root), from the `traces` row. */
  private addSummary(traceId: string, into: Map<string, TraceSummary>): void {
    const row = this.summaryOf.get(traceId);
    if (!row) return;
    const root = this.edb.operation(row.root_op_id);
    into.set(traceId, {
      traceId,
      rootService: root.service,
      rootName: root.name,
      startUs: row.start_us,
      durationUs: row.end_us - row.start_us,
      spanCount: 0,
      errorCount: row.error_count,
      services: [],
    });
  }
}

function factOfRow(r: FactRow): OrderFact {
  return { value: r.value, startUs: r.start_us, endUs: r.end_us, failed: r.failed === 1, stages: JSON.parse(r.stages), traceIds: JSON.parse(r.trace_ids) };
}
