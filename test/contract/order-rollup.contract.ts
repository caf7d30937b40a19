import { ORDER_STAGE, type OrderRollupRow } from '../../core/analysis/order-rollup';
import { bucketOf } from '../../core/analysis/topology-histogram';
import type { SpanStore } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import type { Span } from '../../core/model';
import { businessKeysOfSpans } from '../../ingest/business-keys';
import { makeTrace, newTraceId, spanBatch, uniq } from './fixtures';

const M = 60_000_000;
/** A minute of its own per suite run, months away from the other tests' data (they write around now). */
const BASE = Math.floor((Date.now() * 1000 - 200 * 86_400_000_000) / M) * M + Math.floor(Math.random() * 10_000) * M;

/** One trace of an order: a root with `spans` spans over `durationUs`, carrying order.id; `error`: its last span fails. */
function orderTrace(order: string, service: string, startUs: number, durationUs: number, opts: { spans?: number; error?: boolean; name?: string } = {}): Span[] {
  const n = opts.spans ?? 3;
  return makeTrace({
    traceId: newTraceId(),
    service,
    spans: n,
    startUs,
    durationUs,
    rootName: opts.name ?? 'POST /orders',
    overrides: (i) => ({
      attributes: { 'order.id': order },
      ...(opts.error && i === n - 1 ? { status: { code: 'error' as const, message: 'boom' } } : {}),
    }),
  });
}

const sum = (rows: OrderRollupRow[], stage: string, field: 'orders' | 'failed' | 'offsetUs') => rows.filter((r) => r.stage === stage).reduce((n, r) => n + r[field], 0);

/**
 * The per-minute order roll-up every span store keeps at ingest
 * (core/analysis/order-rollup.ts): the same rows and the same slowest orders
 * for the same writes on every backend, however the traces are cut into batches.
 */
export function describeOrderRollupContract(getStore: () => SpanStore, flush: () => Promise<void>): void {
  describe('order roll-up', () => {
    const write = async (spans: Span[]) => {
      await getStore().writeSpans({ ...spanBatch(spans), businessKeys: businessKeysOfSpans(spans, { attributeNames: ['order.id'] }) });
      await flush();
    };

    it('counts each order once in the minute of its first trace start, however its traces and spans arrive; a replay adds nothing', async () => {
      const t0 = BASE + 5 * M;
      const [intake, fulfil] = [uniq('intake'), uniq('fulfil')];
      const a = uniq('A');
      const b = uniq('B');
      const aIntake = orderTrace(a, intake, t0 + 1_000_000, 40_000);
      const aFulfil = orderTrace(a, fulfil, t0 + 2_000_000, 300_000, { spans: 4, error: true, name: 'process' });
      const bIntake = orderTrace(b, intake, t0 + 30_000_000, 20_000);
      // a's fulfilment trace comes in two batches (its failing span last), b's intake in one, then a replay
      await write(aIntake);
      await write(aFulfil.slice(0, 2));
      await write(bIntake);
      await write(aFulfil.slice(2));
      await write(aFulfil.slice(2));
      const rows = await getStore().orderMinutes('order.id', { startUs: t0, endUs: t0 + M - 1 });
      expect(rows.every((r) => r.minute === t0)).toBe(true);
      expect(sum(rows, ORDER_STAGE, 'orders')).toBe(2);
      expect(sum(rows, ORDER_STAGE, 'failed')).toBe(1);
      // a spans from its intake start to its fulfilment end
      expect(rows.filter((r) => r.stage === ORDER_STAGE).map((r) => [r.bucket, r.orders])).toEqual(
        [
          [bucketOf(20_000), 1],
          [bucketOf(1_300_000), 1],
        ].sort((x, y) => x[0] - y[0]),
      );
      const intakeStage = `${intake}: POST /orders`;
      const fulfilStage = `${fulfil}: process`;
      expect(sum(rows, intakeStage, 'orders')).toBe(2);
      expect(sum(rows, fulfilStage, 'orders')).toBe(1);
      expect(sum(rows, fulfilStage, 'offsetUs')).toBe(1_000_000);
      expect(rows.find((r) => r.stage === fulfilStage)?.bucket).toBe(bucketOf(300_000));
      // rows come sorted by minute, stage, bucket, one per triple
      const byTriple = (x: OrderRollupRow, y: OrderRollupRow) => x.minute - y.minute || (x.stage < y.stage ? -1 : x.stage > y.stage ? 1 : 0) || x.bucket - y.bucket;
      expect(rows).toEqual([...rows].sort(byTriple));
      expect(new Set(rows.map((r) => `${r.minute}\u0000${r.stage}\u0000${r.bucket}`)).size).toBe(rows.length);
    });

    it('counts again an order whose stored trace gets spans without the key in a later batch', async () => {
      const t0 = BASE + 10 * M;
      const svc = uniq('svc');
      const d = uniq('D');
      const trace = orderTrace(d, svc, t0 + 1_000_000, 40_000);
      await write(trace);
      // a late span of the same trace: no order.id of its own, failing, ending 500 ms after the root
      const late: Span = { ...trace[2], spanId: 'f'.repeat(16), attributes: {}, status: { code: 'error', message: 'late' }, durationUs: 500_000 };
      await write([late]);
      const rows = await getStore().orderMinutes('order.id', { startUs: t0, endUs: t0 + M - 1 });
      expect(rows.filter((r) => r.stage === ORDER_STAGE).map((r) => [r.bucket, r.orders, r.failed])).toEqual([[bucketOf(late.startUs + 500_000 - trace[0].startUs), 1, 1]]);
    });

    it('moves an order to an earlier minute when an earlier trace of it arrives later', async () => {
      const t0 = BASE + 20 * M;
      const svc = uniq('svc');
      const c = uniq('C');
      await write(orderTrace(c, svc, t0 + M + 10_000_000, 50_000));
      expect(sum(await getStore().orderMinutes('order.id', { startUs: t0 + M, endUs: t0 + M }), ORDER_STAGE, 'orders')).toBe(1);
      await write(orderTrace(c, svc, t0 + 50_000_000, 50_000));
      const rows = await getStore().orderMinutes('order.id', { startUs: t0, endUs: t0 + 2 * M - 1 });
      expect(rows.filter((r) => r.stage === ORDER_STAGE).map((r) => [r.minute, r.orders])).toEqual([[t0, 1]]);
      expect(await getStore().slowestOrders('order.id', { startUs: t0 + M, endUs: t0 + 2 * M - 1 }, 10, false)).toEqual([]);
      const [slow] = await getStore().slowestOrders('order.id', { startUs: t0, endUs: t0 + 2 * M - 1 }, 10, false);
      expect(slow).toMatchObject({ value: c, startUs: t0 + 50_000_000, endUs: t0 + M + 10_050_000 });
      expect(slow.traceIds).toHaveLength(2);
    });

    it('lists the slowest orders first seen in the window: end to end, then value; failed ones alone on request; at most limit', async () => {
      const t0 = BASE + 40 * M;
      const svc = uniq('svc');
      const names = ['p', 'q', 'r', 's', 't'].map((n) => uniq(n)).sort();
      // durations 100, 900 (failed), 300, 300 (tie: by value), 50 ms; the last in the next minute
      const specs: [string, number, number, boolean][] = [
        [names[0], t0 + 1_000_000, 100_000, false],
        [names[1], t0 + 2_000_000, 900_000, true],
        [names[2], t0 + 3_000_000, 300_000, false],
        [names[3], t0 + 4_000_000, 300_000, false],
        [names[4], t0 + M + 1_000_000, 50_000, true],
      ];
      await write(specs.flatMap(([v, at, d, error]) => orderTrace(v, svc, at, d, { error })));
      const hour = { startUs: t0, endUs: t0 + 2 * M - 1 };
      const slowest = await getStore().slowestOrders('order.id', hour, 3, false);
      expect(slowest.map((o) => [o.value, o.endUs - o.startUs])).toEqual([
        [names[1], 900_000],
        [names[2], 300_000],
        [names[3], 300_000],
      ]);
      expect(slowest[0].traceIds).toHaveLength(1);
      expect((await getStore().slowestOrders('order.id', hour, 10, true)).map((o) => o.value)).toEqual([names[1], names[4]]);
      // the window cuts by the order's start, not by whole minutes
      expect((await getStore().slowestOrders('order.id', { startUs: t0 + 2_500_000, endUs: t0 + 3_500_000 }, 10, false)).map((o) => o.value)).toEqual([names[2]]);
      expect(await getStore().slowestOrders('order.id', hour, 0, false)).toEqual([]);
      expect(await getStore().slowestOrders(uniq('not-rolled-up'), hour, 10, false)).toEqual([]);
      expect(await getStore().orderMinutes(uniq('not-rolled-up'), hour)).toEqual([]);
    });

    it('ranks orders by their newest fact, past slower rows of older versions and of orders that moved to an earlier minute', async () => {
      const t0 = BASE + 60 * M;
      const svc = uniq('svc');
      const [w, v, z] = [uniq('w'), uniq('v'), uniq('z')];
      // z grows in five batches in minute t0+M (five versions, each slower), then an earlier trace moves it to minute t0
      for (let k = 0; k < 5; k++) await write(orderTrace(z, svc, t0 + M + 1_000_000 + k * 10_000, 200_000 * (k + 1)));
      await write([...orderTrace(w, svc, t0 + M + 5_000_000, 50_000), ...orderTrace(v, svc, t0 + M + 6_000_000, 20_000)]);
      await write(orderTrace(z, svc, t0 + 30_000_000, 10_000));
      const later = { startUs: t0 + M, endUs: t0 + 2 * M - 1 };
      expect((await getStore().slowestOrders('order.id', later, 1, false)).map((o) => o.value)).toEqual([w]);
      expect((await getStore().slowestOrders('order.id', later, 2, false)).map((o) => o.value)).toEqual([w, v]);
      const both = await getStore().slowestOrders('order.id', { startUs: t0, endUs: t0 + 2 * M - 1 }, 2, false);
      expect(both.map((o) => [o.value, o.startUs, o.endUs])).toEqual([
        [z, t0 + 30_000_000, t0 + M + 1_040_000 + 1_000_000],
        [w, t0 + M + 5_000_000, t0 + M + 5_050_000],
      ]);
      expect(both[0].traceIds).toHaveLength(6);
    });

    it('refuses a window without bounds, reversed or longer than a week, naming the bound', async () => {
      const store = getStore();
      await expect(store.orderMinutes('order.id', { startUs: BASE, endUs: BASE - 1 })).rejects.toMatchObject({ parameter: 'endUs' });
      await expect(store.orderMinutes('order.id', { startUs: BASE, endUs: BASE + 8 * 1440 * M })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.slowestOrders('order.id', { startUs: undefined as unknown as number, endUs: BASE }, 1, false)).rejects.toMatchObject({ parameter: 'startUs' });
    });
  });
}
