import type Database from 'better-sqlite3';
import type { OrderRollupRow } from '../../core/analysis/order-rollup';
import { checkLimit, ORDER_READ_LIMITS, orderReadMinutes } from '../../core/contracts/read-limits';
import type { BusinessKeySpan } from '../../core/contracts/span-store';
import type { TimeWindow } from '../../core/model';
import { MINUTE_US } from '../../core/topology';
import type { EmbeddedDatabase } from './database';

interface SlowRow {
  value: string;
  start_us: number;
  end_us: number;
  trace_ids: string;
}

/**
 * Reads of the per-minute order roll-up (order-rollup-writer.ts): the minute
 * sums as stored (one row per key, minute, stage, bucket), and the slowest
 * orders as one index seek per minute and failed flag (order_facts_slowest),
 * each reading at most `limit` rows, merged.
 */
export class OrderRollupReader {
  private readonly minutes: Database.Statement<[string, number, number], { minute: number; stage: string; bucket: number; orders: number; failed: number; offset_us: number }>;
  private readonly slowestOfMinute: Database.Statement<[string, number, number, number, number, number], SlowRow>;

  constructor(edb: EmbeddedDatabase) {
    const db = edb.db;
    this.minutes = db.prepare(
      `SELECT minute, stage, bucket, orders, failed, offset_us FROM order_minutes
       WHERE key = ? AND minute >= ? AND minute <= ? AND (orders != 0 OR failed != 0 OR offset_us != 0)
       ORDER BY minute, stage, bucket`,
    );
    this.slowestOfMinute = db.prepare(
      `SELECT value, start_us, end_us, trace_ids FROM order_facts INDEXED BY order_facts_slowest
       WHERE key = ? AND failed = ? AND minute = ? AND start_us >= ? AND start_us <= ?
       ORDER BY duration_us DESC, value LIMIT ?`,
    );
  }

  orderMinutes(key: string, window: Required<TimeWindow>): OrderRollupRow[] {
    const { first, last } = orderReadMinutes(window);
    return this.minutes.all(key, first, last).map((r) => ({ minute: r.minute, stage: r.stage, bucket: r.bucket, orders: r.orders, failed: r.failed, offsetUs: r.offset_us }));
  }

  slowestOrders(key: string, window: Required<TimeWindow>, limit: number, failedOnly: boolean): BusinessKeySpan[] {
    const { first, last } = orderReadMinutes(window);
    const n = checkLimit(limit, ORDER_READ_LIMITS.slowestOrders);
    if (n === 0) return [];
    const found: SlowRow[] = [];
    for (let minute = first; minute <= last; minute += MINUTE_US) {
      for (const failed of failedOnly ? [1] : [1, 0]) found.push(...this.slowestOfMinute.all(key, failed, minute, window.startUs, window.endUs, n));
    }
    return found
      .sort((a, b) => b.end_us - b.start_us - (a.end_us - a.start_us) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, n)
      .map((r) => ({ value: r.value, traceIds: JSON.parse(r.trace_ids), startUs: r.start_us, endUs: r.end_us }));
  }
}
