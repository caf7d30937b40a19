import type Database from 'better-sqlite3';
import { grownOrderFact, type OrderGrowth, type TraceSummaryGrowth } from '../../core/analysis/order-fact-growth';
import { ORDER_FACT_TRACES, orderFactsOfTraces, type OrderFact } from '../../core/analysis/order-facts';
import { orderRollupChange, orderTraceLinks, storedOrderFact } from '../../core/analysis/order-rollup';
import type { OrderRollupSettings, SpanBatch } from '../../core/contracts/span-store';
import type { TraceSummary } from '../../core/model';
import type { EmbeddedDatabase } from './database';
import { RowInserter } from './row-inserter';
import { readByValues } from './value-batches';

/** The summary columns of a `traces` row that an order fact reads. */
export interface SummaryRow {
  start_us: number;
  end_us: number;
  error_count: number;
  root_op_id: number;
}

/** What a span write did to a trace's summary row (`before`: undefined when the trace had no summary). */
export interface SummaryRowGrowth {
  before: SummaryRow | undefined;
  after: SummaryRow;
}

/** An `order_facts` row as stored. */
export interface FactRow {
  value: string;
  start_us: number;
  end_us: number;
  failed: number;
  stages: string;
  trace_ids: string;
  recount: number;
}

/** A trace's link to an order (key, value). */
interface OrderLink {
  traceId: string;
  key: string;
  value: string;
}

/** Columns of an order_facts row. */
const FACT_COLUMNS = ['key', 'value', 'minute', 'start_us', 'end_us', 'duration_us', 'failed', 'stages', 'trace_ids', 'recount'];

/** Rows per insert statement (order links, facts). */
const ROWS_PER_STATEMENT = 32;

/** Orders a write touches: per rolled-up key, per value, the traces the write linked to the order. */
type TouchedOrders = Map<string, Map<string, string[]>>;

/**
 * Keeps the per-minute order roll-up (core/analysis/order-rollup.ts) inside
 * the span write's transaction, after the spans, summaries and business keys
 * are in. The orders the batch touches (its rolled-up key rows, and the orders
 * of its traces from their order links) get their new fact; a changed fact replaces
 * the stored one and moves the minute sums from the old fact to the new. The
 * write turn serialises writers, so two ingest threads never both count one
 * change.
 *
 * The new fact comes from the stored fact and what the write did to the
 * summaries (core/analysis/order-fact-growth.ts), one fact read per order,
 * while every trace of the order is one its spans linked (order_trace_refs), so
 * that each change to their summaries came through here. An order with a
 * trace that carries it in logs only, or whose stored fact cannot tell the new
 * one (a trace leaves its first ORDER_FACT_TRACES, a trace's root and stage
 * changed), is counted again from its first traces and their summaries; its
 * fact keeps `recount = 1` while some of those is not linked, and a log write
 * that adds a trace to an order sets it (log-writer.ts).
 */
export class OrderRollupWriter {
  private readonly keys: ReadonlySet<string>;
  private readonly traceRef: Database.Statement<[string], number>;
  private readonly refLinks: RowInserter;
  private readonly insertIdLink: Database.Statement<[string, string, string]>;
  private readonly linkOf: Database.Statement<[OrderLink], { one: number }>;
  private readonly ordersOfTrace: Database.Statement<[{ traceId: string }], { key: string; value: string }>;
  private readonly tracesOfOrder: Database.Statement<[string, string, number], string>;
  private readonly summaryOf: Database.Statement<[string], SummaryRow>;
  private readonly factOf: Database.Statement<[string, string], FactRow>;
  private readonly factsOf: Database.Statement<[string, string], FactRow>;
  private readonly tracesOfOrders: Database.Statement<[{ key: string; values: string; limit: number }], { value: string; ids: string }>;
  private readonly facts: RowInserter;
  private readonly addMinute: Database.Statement;

  constructor(
    private readonly edb: EmbeddedDatabase,
    private readonly settings: OrderRollupSettings,
  ) {
    const db = edb.db;
    this.keys = new Set(settings.keys);
    // a link is keyed by the trace's ref (appends: new traces have the highest refs), by its id while it has no row (schema.ts, 16)
    this.traceRef = db.prepare<[string], number>('SELECT id FROM traces WHERE trace_id = ?').pluck();
    this.refLinks = new RowInserter(db, 'order_trace_refs', ['trace_ref', 'key', 'value'], ROWS_PER_STATEMENT);
    this.insertIdLink = db.prepare('INSERT OR IGNORE INTO order_traces (trace_id, key, value) VALUES (?, ?, ?)');
    this.linkOf = db.prepare(
      `SELECT 1 AS one FROM order_trace_refs WHERE trace_ref = (SELECT id FROM traces WHERE trace_id = @traceId) AND key = @key AND value = @value
       UNION ALL SELECT 1 FROM order_traces WHERE trace_id = @traceId AND key = @key AND value = @value LIMIT 1`,
    );
    this.ordersOfTrace = db.prepare(
      `SELECT key, value FROM order_trace_refs WHERE trace_ref = (SELECT id FROM traces WHERE trace_id = @traceId)
       UNION SELECT key, value FROM order_traces WHERE trace_id = @traceId`,
    );
    this.tracesOfOrder = db.prepare<[string, string, number], string>('SELECT trace_id FROM business_keys WHERE key = ? AND value = ? ORDER BY trace_id LIMIT ?').pluck();
    this.summaryOf = db.prepare('SELECT start_us, end_us, error_count, root_op_id FROM traces WHERE trace_id = ? AND span_count > 0');
    this.factOf = db.prepare('SELECT value, start_us, end_us, failed, stages, trace_ids, recount FROM order_facts WHERE key = ? AND value = ?');
    // the same reads for many orders at once (value-batches.ts)
    this.factsOf = db.prepare(
      'SELECT value, start_us, end_us, failed, stages, trace_ids, recount FROM order_facts WHERE key = ? AND value IN (SELECT value FROM json_each(?))',
    );
    this.tracesOfOrders = db.prepare(
      `SELECT j.value AS value, (SELECT json_group_array(trace_id) FROM
         (SELECT trace_id FROM business_keys WHERE key = @key AND value = j.value ORDER BY trace_id LIMIT @limit)) AS ids
       FROM json_each(@values) AS j`,
    );
    this.facts = new RowInserter(db, 'order_facts', FACT_COLUMNS, ROWS_PER_STATEMENT, {
      onConflict: `ON CONFLICT (key, value) DO UPDATE SET minute = excluded.minute, start_us = excluded.start_us, end_us = excluded.end_us,
         duration_us = excluded.duration_us, failed = excluded.failed, stages = excluded.stages, trace_ids = excluded.trace_ids,
         recount = excluded.recount`,
    });
    this.addMinute = db.prepare(
      `INSERT INTO order_minutes (key, minute, stage, bucket, orders, failed, offset_us) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET orders = orders + excluded.orders, failed = failed + excluded.failed, offset_us = offset_us + excluded.offset_us`,
    );
  }

  /**
   * Runs inside the span write's transaction, after its business keys are stored. `grown`: what the
   * write did to its traces' summaries, by trace id; `storedTraceIds`: the batch's traces that were stored
   * before it (the others' order links are all the batch's own: links are written with a trace's spans
   * and deleted with its row); `traceRefOf`: the refs of the batch's traces, as the write knows them.
   */
  write(batch: SpanBatch, grown: ReadonlyMap<string, SummaryRowGrowth>, storedTraceIds: readonly string[], traceRefOf: (traceId: string) => number | undefined): void {
    if (this.keys.size === 0) return;
    const touched: TouchedOrders = new Map();
    try {
      for (const l of orderTraceLinks(batch.businessKeys, this.keys)) {
        const ref = traceRefOf(l.traceId) ?? this.traceRef.get(l.traceId);
        if (ref === undefined) this.insertIdLink.run(l.traceId, l.key, l.value);
        else this.refLinks.add(ref, l.key, l.value);
        linkedOf(touched, l.key, l.value).push(l.traceId);
      }
      this.refLinks.flush();
      for (const traceId of storedTraceIds) for (const o of this.ordersOfTrace.all({ traceId })) linkedOf(touched, o.key, o.value);
      const summaries = new WriteSummaries(this.edb, grown, this.summaryOf);
      for (const [key, orders] of touched) this.rollUp(key, orders, summaries);
      this.facts.flush();
    } catch (err) {
      this.refLinks.reset();
      this.facts.reset();
      throw err;
    }
  }

  private rollUp(key: string, orders: ReadonlyMap<string, string[]>, summaries: WriteSummaries): void {
    const before = new Map<string, OrderFact>();
    const storedRecount = new Map<string, number>();
    const now: OrderFact[] = [];
    const again = new Map<string, string[]>();
    const rows = readByValues(
      orders.keys(),
      (values) => this.factsOf.all(key, values).map((r) => [r.value, r] as const),
      (value) => this.factOf.get(key, value),
    );
    for (const [value, linked] of orders) {
      const row = rows.get(value);
      // the order's value as this write has it: one with a lone surrogate (JSON input) reads back with U+FFFD in its place
      const stored = row && { ...factOfRow(row), value };
      if (stored) {
        before.set(value, stored);
        storedRecount.set(value, row.recount);
      }
      const grown = stored && row.recount === 0 ? grownOrderFact(stored, summaries.growthFor(linked), this.settings.stages) : undefined;
      if (grown) now.push(grown);
      else again.set(value, linked);
    }
    const recount = new Map<string, number>();
    const counted = again.size > 0 ? this.countAgain(key, again, summaries, recount) : [];
    now.push(...counted);

    const change = orderRollupChange(before, now);
    const store = (f: OrderFact) => {
      const r = storedOrderFact(key, f);
      this.facts.add(r.key, r.value, r.minute, r.start_us, r.end_us, r.duration_us, r.failed, r.stages, r.trace_ids, recount.get(f.value) ?? 0);
    };
    for (const f of change.facts) store(f);
    // a fact counted again with the same figures is stored again when its trace list or recount moved: the next write grows it
    const rewritten = new Set(change.facts.map((f) => f.value));
    for (const f of counted) {
      const old = before.get(f.value);
      if (old && !rewritten.has(f.value) && (!sameTraceIds(old, f) || storedRecount.get(f.value) !== recount.get(f.value))) store(f);
    }
    for (const r of change.rows) this.addMinute.run(key, r.minute, r.stage, r.bucket, r.orders, r.failed, r.offsetUs);
  }

  /**
   * Facts of orders from their first traces and those traces' summaries; `recount` gets, per fact, 1 when
   * one of its traces carries the order without an order link (in logs only), else 0.
   */
  private countAgain(key: string, orders: ReadonlyMap<string, string[]>, summaries: WriteSummaries, recount: Map<string, number>): OrderFact[] {
    const traceIdsByValue = new Map<string, string[]>();
    const known = new Map<string, TraceSummary>();
    const read = readByValues(
      orders.keys(),
      (values) => this.tracesOfOrders.all({ key, values, limit: ORDER_FACT_TRACES }).map((r) => [r.value, JSON.parse(r.ids) as string[]] as const),
      (value) => this.tracesOfOrder.all(key, value, ORDER_FACT_TRACES),
    );
    for (const value of orders.keys()) {
      const ids = read.get(value) ?? [];
      traceIdsByValue.set(value, ids);
      for (const id of ids) {
        if (known.has(id)) continue;
        const s = summaries.summaryOf(id);
        if (s) known.set(id, s);
      }
    }
    const facts = orderFactsOfTraces(traceIdsByValue, known, this.settings.stages);
    for (const f of facts) {
      const linked = new Set(orders.get(f.value));
      const unlinked = f.traceIds.some((id) => !linked.has(id) && this.linkOf.get({ traceId: id, key, value: f.value }) === undefined);
      recount.set(f.value, unlinked ? 1 : 0);
    }
    return facts;
  }
}

/**
 * `(key, value)`: an order a write outside the span writer gave a trace (a log carrying its key): its stored
 * fact, if any, no longer knows all its traces, so its next span write counts it again.
 */
export function prepareOrderRecount(db: Database.Database): Database.Statement<[string, string]> {
  return db.prepare('UPDATE order_facts SET recount = 1 WHERE key = ? AND value = ? AND recount = 0');
}

/** The traces a write linked to order (key, value), as a list to add to. */
function linkedOf(touched: TouchedOrders, key: string, value: string): string[] {
  let orders = touched.get(key);
  if (!orders) touched.set(key, (orders = new Map()));
  let linked = orders.get(value);
  if (!linked) orders.set(value, (linked = []));
  return linked;
}

/** One write's view of trace summaries: what it changed (from the span writer), else the stored `traces` row. */
class WriteSummaries {
  private readonly growths = new Map<string, TraceSummaryGrowth | null>();
  private readonly readOnes = new Map<string, TraceSummary | null>();
  readonly growthOf = (traceId: string): TraceSummaryGrowth | undefined => {
    let g = this.growths.get(traceId);
    if (g === undefined) {
      const row = this.grown.get(traceId);
      g = row ? { before: row.before && this.summary(traceId, row.before), after: this.summary(traceId, row.after) } : null;
      this.growths.set(traceId, g);
    }
    return g ?? undefined;
  };
  readonly summaryOf = (traceId: string): TraceSummary | undefined => {
    const g = this.growthOf(traceId);
    if (g) return g.after;
    let s = this.readOnes.get(traceId);
    if (s === undefined) {
      const row = this.read.get(traceId);
      this.readOnes.set(traceId, (s = row ? this.summary(traceId, row) : null));
    }
    return s ?? undefined;
  };

  constructor(
    private readonly edb: EmbeddedDatabase,
    private readonly grown: ReadonlyMap<string, SummaryRowGrowth>,
    private readonly read: Database.Statement<[string], SummaryRow>,
  ) {}

  growthFor(linked: readonly string[]): OrderGrowth {
    return { linked, growthOf: this.growthOf, summaryOf: this.summaryOf };
  }

  /** The parts of a summary an order fact reads (start, duration, errors, root). */
  private summary(traceId: string, row: SummaryRow): TraceSummary {
    const root = this.edb.operation(row.root_op_id);
    return {
      traceId,
      rootService: root.service,
      rootName: root.name,
      startUs: row.start_us,
      durationUs: row.end_us - row.start_us,
      spanCount: 0,
      errorCount: row.error_count,
      services: [],
    };
  }
}

function sameTraceIds(a: OrderFact, b: OrderFact): boolean {
  return a.traceIds.length === b.traceIds.length && a.traceIds.every((id, i) => id === b.traceIds[i]);
}

/** The fact an `order_facts` row holds. */
export function factOfRow(r: FactRow): OrderFact {
  return { value: r.value, startUs: r.start_us, endUs: r.end_us, failed: r.failed === 1, stages: JSON.parse(r.stages), traceIds: JSON.parse(r.trace_ids) };
}
