import type { BusinessKeyEntry } from '../model';
import { minuteOf } from '../topology';
import type { OrderFact } from './order-facts';
import { bucketOf, HISTOGRAM_FACTOR } from './topology-histogram';

/**
 * The per-minute order roll-up every span store keeps at ingest, so the order
 * panels read about 60 rows a series per hour instead of the orders.
 *
 * An order (a value of a rolled-up business key) belongs to the minute of its
 * first trace start. Each minute holds, per stage ('' = the whole order) and
 * per latency bucket (the fixed log-scale histogram of topology-histogram.ts),
 * the orders, the failed ones and the sum of the stage's start offsets from
 * the order's start. Traces of one order arrive in many batches: a store
 * keeps each order's last fact, and a write that changes it adds the new
 * fact's rows and takes the old fact's rows away (negative counts), so the
 * sums stay exact, a replayed batch (same fact) adds nothing, and a backend
 * without updates (ClickHouse) can sum rows at read.
 */
export interface OrderRollupRow {
  minute: number;
  /** ORDER_STAGE for the order itself, else a stage name. */
  stage: string;
  bucket: number;
  orders: number;
  failed: number;
  /** Sum over the counted orders of (stage start - order start); 0 for ORDER_STAGE. */
  offsetUs: number;
}

export const ORDER_STAGE = '';

/** One order's rows (sign -1: taking them away). */
export function orderRollupRows(fact: OrderFact, sign: 1 | -1): OrderRollupRow[] {
  const minute = minuteOf(fact.startUs);
  const rows: OrderRollupRow[] = [
    { minute, stage: ORDER_STAGE, bucket: bucketOf(fact.endUs - fact.startUs), orders: sign, failed: fact.failed ? sign : 0, offsetUs: 0 },
  ];
  for (const s of fact.stages) {
    rows.push({ minute, stage: s.name, bucket: bucketOf(s.endUs - s.startUs), orders: sign, failed: 0, offsetUs: sign * (s.startUs - fact.startUs) || 0 });
  }
  return rows;
}

/** A fact as both stores keep it (their column names; stages and trace ids as JSON text). */
export function storedOrderFact(key: string, f: OrderFact) {
  return {
    key,
    value: f.value,
    minute: minuteOf(f.startUs),
    start_us: f.startUs,
    end_us: f.endUs,
    duration_us: f.endUs - f.startUs,
    failed: f.failed ? 1 : 0,
    stages: JSON.stringify(f.stages),
    trace_ids: JSON.stringify(f.traceIds),
  };
}

/** Whether two facts of one order count the same (trace ids aside: they do not show in the roll-up). */
export function sameOrderFact(a: OrderFact, b: OrderFact): boolean {
  return (
    a.startUs === b.startUs &&
    a.endUs === b.endUs &&
    a.failed === b.failed &&
    a.traceIds.length === b.traceIds.length &&
    a.stages.length === b.stages.length &&
    a.stages.every((s, i) => s.name === b.stages[i].name && s.startUs === b.stages[i].startUs && s.endUs === b.stages[i].endUs)
  );
}

/** What a write changes in the roll-up of one key. */
export interface OrderRollupChange {
  /** Facts that are new or differ from the stored ones (to store). */
  facts: OrderFact[];
  /** Orders whose minute moved (an earlier trace arrived): their fact in `fromMinute` is gone. */
  moved: { value: string; fromMinute: number }[];
  /** Rows to add to the minutes, merged per (minute, stage, bucket); rows that cancel out are left out. */
  rows: OrderRollupRow[];
}

/** The change from the stored facts (`before`, by value) to the facts computed now. */
export function orderRollupChange(before: ReadonlyMap<string, OrderFact>, now: readonly OrderFact[]): OrderRollupChange {
  const facts: OrderFact[] = [];
  const moved: OrderRollupChange['moved'] = [];
  const merged = new Map<string, OrderRollupRow>();
  const add = (rows: OrderRollupRow[]) => {
    for (const r of rows) {
      const id = `${r.minute}\u0000${r.stage}\u0000${r.bucket}`;
      const m = merged.get(id);
      if (!m) merged.set(id, { ...r });
      else {
        m.orders += r.orders;
        m.failed += r.failed;
        m.offsetUs += r.offsetUs;
      }
    }
  };
  for (const fact of now) {
    const old = before.get(fact.value);
    if (old && sameOrderFact(old, fact)) continue;
    facts.push(fact);
    if (old) {
      add(orderRollupRows(old, -1));
      if (minuteOf(old.startUs) !== minuteOf(fact.startUs)) moved.push({ value: fact.value, fromMinute: minuteOf(old.startUs) });
    }
    add(orderRollupRows(fact, 1));
  }
  const rows = [...merged.values()].filter((r) => r.orders !== 0 || r.failed !== 0 || r.offsetUs !== 0);
  return { facts, moved, rows };
}

/** The batch's business-key rows of the rolled-up keys (the order → trace links a store keeps), one per (key, value, trace). */
export function orderTraceLinks(businessKeys: readonly BusinessKeyEntry[], rolledUpKeys: ReadonlySet<string>): BusinessKeyEntry[] {
  const seen = new Map<string, BusinessKeyEntry>();
  for (const k of businessKeys) {
    if (!rolledUpKeys.has(k.key)) continue;
    const id = `${k.key}\u0000${k.value}\u0000${k.traceId}`;
    const kept = seen.get(id);
    if (!kept || k.timeUs < kept.timeUs) seen.set(id, k);
  }
  return [...seen.values()];
}

/** Orders touched by a write: the values of each rolled-up key. */
export type OrdersByKey = Map<string, Set<string>>;

export function addOrder(orders: OrdersByKey, key: string, value: string): void {
  let values = orders.get(key);
  if (!values) orders.set(key, (values = new Set()));
  values.add(value);
}

/** A whole-µs duration no order of latency `bucket` is below (bucket b holds (F^(b-1), F^b]). */
export function bucketLowerBoundUs(bucket: number): number {
  return bucket <= 1 ? 0 : Math.floor(Math.pow(HISTOGRAM_FACTOR, bucket - 1));
}
