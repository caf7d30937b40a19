import { orderFactsOfTraces, type OrderFact } from '../../core/analysis/order-facts';
import { addOrder, orderRollupChange, orderTraceLinks, storedOrderFact, type OrderRollupRow, type OrdersByKey } from '../../core/analysis/order-rollup';
import { CHAIN_READ_LIMITS, checkLimit, ORDER_READ_LIMITS, orderReadMinutes } from '../../core/contracts/read-limits';
import type { BusinessKeySpan, OrderRollupSettings, SpanBatch } from '../../core/contracts/span-store';
import type { TimeWindow, TraceSummary } from '../../core/model';
import { chunks } from '../../core/util/chunks';
import { currentFactsSql, orderMinutesSql, ordersOfTracesSql, slowestOrdersSql, tracesOfOrdersSql, type SlowOrderRead } from './order-rollup-queries';
import { ORDER_TABLES } from './order-rollup-schema';

type Select = <T>(query: string, what: string) => Promise<T[]>;
type Insert = (table: string, rows: object[]) => Promise<void>;
type Num = string | number;

/** Most ids or values per write-path lookup statement. */
const LOOKUP_CHUNK = 1_000;
/** Fact rows whose orders a slowest-orders read groups, per order asked for (slowestOrdersSql). */
const SLOW_ROWS_PER_ORDER = 4;

interface SlowFactRow {
  value: string;
  fact_start_us: Num;
  fact_end_us: Num;
  fact_trace_ids: string;
}

interface FactRow {
  value: string;
  fact_start_us: Num;
  fact_end_us: Num;
  fact_failed: Num;
  fact_stages: string;
  fact_trace_ids: string;
}

/**
 * The order roll-up in the ClickHouse write path and its reads. A batch costs
 * at most, per chunk: the orders of its traces (order_traces by primary key),
 * per rolled-up key the trace ids of those orders (business_keys by key and
 * value), their summaries, and the stored facts (order_current by key and
 * value); then one insert per table. Concurrent writers of the same order (two
 * ingest workers with traces of one order in the same instant) can both count
 * one change: the embedded store serialises its writers, this one does not.
 */
export class ClickHouseOrderRollup {
  private readonly keys: ReadonlySet<string>;
  private lastVersion = 0;

  constructor(
    private readonly settings: OrderRollupSettings,
    private readonly select: Select,
    private readonly insert: Insert,
    private readonly summaries: (traceIds: string[]) => Promise<TraceSummary[]>,
    private readonly db: string,
  ) {
    this.keys = new Set(settings.keys);
  }

  /** After the batch's spans, summaries and business keys are stored. */
  async write(batch: SpanBatch): Promise<void> {
    if (this.keys.size === 0) return;
    const links = orderTraceLinks(batch.businessKeys, this.keys);
    if (links.length > 0) await this.insert(ORDER_TABLES.traces, links.map((l) => ({ trace_id: l.traceId, key: l.key, value: l.value, time_us: l.timeUs })));
    const traceIds = [...new Set(batch.spans.map((s) => s.traceId))];
    const touched: OrdersByKey = new Map();
    for (const l of links) addOrder(touched, l.key, l.value);
    for (const chunk of chunks(traceIds, LOOKUP_CHUNK)) {
      for (const o of await this.select<{ key: string; value: string }>(ordersOfTracesSql(this.db, chunk), 'writeSpans (orders of traces)')) addOrder(touched, o.key, o.value);
    }
    const version = (this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000));
    const current: object[] = [];
    const slow: object[] = [];
    const minutes: object[] = [];
    for (const [key, values] of touched) {
      for (const chunk of chunks([...values], LOOKUP_CHUNK)) {
        const change = orderRollupChange(await this.storedFacts(key, chunk), await this.factsNow(key, chunk));
        const movedFrom = new Map(change.moved.map((m) => [m.value, m.fromMinute]));
        for (const f of change.facts) {
          const { stages, ...row } = { ...storedOrderFact(key, f), version };
          current.push({ ...row, stages });
          slow.push({ ...row, deleted: 0 });
          const from = movedFrom.get(f.value);
          if (from !== undefined) slow.push({ ...row, minute: from, deleted: 1 });
        }
        for (const r of change.rows) minutes.push({ key, minute: r.minute, stage: r.stage, bucket: r.bucket, orders: r.orders, failed: r.failed, offset_us: r.offsetUs });
      }
    }
    await Promise.all(
      (
        [
          [ORDER_TABLES.current, current],
          [ORDER_TABLES.slow, slow],
          [ORDER_TABLES.minutes, minutes],
        ] as const
      )
        .filter(([, rows]) => rows.length > 0)
        .map(([table, rows]) => this.insert(table, rows)),
    );
  }

  async orderMinutes(key: string, window: Required<TimeWindow>): Promise<OrderRollupRow[]> {
    const { first, last } = orderReadMinutes(window);
    const rows = await this.select<{ minute: Num; stage: string; bucket: Num; sum_orders: Num; sum_failed: Num; sum_offset_us: Num }>(
      orderMinutesSql(this.db, key, first, last),
      'orderMinutes',
    );
    return rows.map((r) => ({ minute: Number(r.minute), stage: r.stage, bucket: Number(r.bucket), orders: Number(r.sum_orders), failed: Number(r.sum_failed), offsetUs: Number(r.sum_offset_us) }));
  }

  /**
   * The slowest orders: grouped from the window's slowest fact rows (slowestOrdersSql with candidate rows), one
   * statement; every order of the window grouped only when those rows held fewer than `limit` live facts (a
   * window with fewer orders, or one where older versions and deleted rows took the places).
   */
  async slowestOrders(key: string, window: Required<TimeWindow>, limit: number, failedOnly: boolean): Promise<BusinessKeySpan[]> {
    const { first, last } = orderReadMinutes(window);
    const n = checkLimit(limit, ORDER_READ_LIMITS.slowestOrders);
    if (n === 0) return [];
    const read: SlowOrderRead = { key, span: { first, last, startUs: window.startUs, endUs: window.endUs }, failedOnly };
    let rows = await this.select<SlowFactRow>(slowestOrdersSql(this.db, read, n, n * SLOW_ROWS_PER_ORDER), 'slowestOrders');
    if (rows.length < n) rows = await this.select<SlowFactRow>(slowestOrdersSql(this.db, read, n), 'slowestOrders');
    return rows.map((r) => ({ value: r.value, traceIds: JSON.parse(r.fact_trace_ids), startUs: Number(r.fact_start_us), endUs: Number(r.fact_end_us) }));
  }

  private async storedFacts(key: string, values: string[]): Promise<Map<string, OrderFact>> {
    const rows = await this.select<FactRow>(currentFactsSql(this.db, key, values), 'writeSpans (order facts)');
    return new Map(
      rows.map((r) => [
        r.value,
        { value: r.value, startUs: Number(r.fact_start_us), endUs: Number(r.fact_end_us), failed: Number(r.fact_failed) === 1, stages: JSON.parse(r.fact_stages), traceIds: JSON.parse(r.fact_trace_ids) },
      ]),
    );
  }

  private async factsNow(key: string, values: string[]): Promise<OrderFact[]> {
    const rows = await this.select<{ value: string; trace_ids: string[] }>(tracesOfOrdersSql(this.db, key, values), 'writeSpans (order traces)');
    const traceIdsByValue = new Map(rows.map((r) => [r.value, r.trace_ids]));
    const summaries = new Map<string, TraceSummary>();
    for (const chunk of chunks([...new Set(rows.flatMap((r) => r.trace_ids))], CHAIN_READ_LIMITS.summaryTraceIds)) {
      for (const s of await this.summaries(chunk)) summaries.set(s.traceId, s);
    }
    return orderFactsOfTraces(traceIdsByValue, summaries, this.settings.stages);
  }
}
