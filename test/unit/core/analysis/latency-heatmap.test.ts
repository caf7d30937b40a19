import { latencyHeatmap, MAX_HEATMAP_BANDS } from '../../../../core/analysis/latency-heatmap';
import { orderLatencyCounts } from '../../../../core/analysis/order-kpis';
import { ORDER_STAGE } from '../../../../core/analysis/order-rollup';
import { bucketOf, HISTOGRAM_FACTOR } from '../../../../core/analysis/topology-histogram';
import { MINUTE_US } from '../../../../core/topology';

const T0 = 1_700_000_040_000_000 - (1_700_000_040_000_000 % MINUTE_US);
const window = { startUs: T0 + 10_000_000, endUs: T0 + 3 * MINUTE_US + 5 }; // touches 4 minutes

describe('latencyHeatmap', () => {
  it('puts every count in its minute and band, from the fastest bucket seen to the slowest', () => {
    const fast = bucketOf(2_000); // 2 ms
    const slow = bucketOf(900_000); // 900 ms
    const h = latencyHeatmap(
      [
        { minute: T0, bucket: fast, count: 5 },
        { minute: T0, bucket: fast, count: 2 }, // same cell: added
        { minute: T0 + MINUTE_US, bucket: slow, count: 1 },
        { minute: T0 + 3 * MINUTE_US, bucket: fast, count: 3 },
        { minute: T0 + 3 * MINUTE_US, bucket: slow, count: 0 }, // nothing
        { minute: T0 + 9 * MINUTE_US, bucket: fast, count: 40 }, // outside the window
      ],
      window,
    );
    expect(h.columns.map((c) => c.tUs)).toEqual([T0, T0 + MINUTE_US, T0 + 2 * MINUTE_US, T0 + 3 * MINUTE_US]);
    expect(h.bands).toHaveLength(slow - fast + 1);
    expect(h.bands[0].bucket).toBe(fast);
    // each band's bounds are its bucket's: (F^(b-1), F^b] µs, in ms
    expect(h.bands[0].lowMs).toBeCloseTo(HISTOGRAM_FACTOR ** (fast - 1) / 1000, 9);
    expect(h.bands[0].highMs).toBeCloseTo(HISTOGRAM_FACTOR ** fast / 1000, 9);
    expect(h.bands[0].lowMs).toBeLessThan(2);
    expect(h.bands[0].highMs).toBeGreaterThanOrEqual(2);
    expect(h.columns.map((c) => c.total)).toEqual([7, 1, 0, 3]);
    expect(h.columns[0].counts[0]).toBe(7);
    expect(h.columns[1].counts[h.bands.length - 1]).toBe(1);
    expect(h.columns[2].p95Ms).toBeNull();
    expect(h.columns[1].p95Ms! * 1000).toBeGreaterThan(900_000 / HISTOGRAM_FACTOR);
    expect(h.maxCount).toBe(7);
    expect(h.total).toBe(11);
  });

  it('merges neighbouring buckets past MAX_HEATMAP_BANDS, aligned so the bands stay put between refreshes', () => {
    const rows = [
      { minute: T0, bucket: 3, count: 1 },
      { minute: T0, bucket: 55, count: 2 },
    ];
    const h = latencyHeatmap(rows, window);
    expect(h.bands.length).toBeLessThanOrEqual(MAX_HEATMAP_BANDS);
    const width = h.bands[1].bucket - h.bands[0].bucket;
    expect(width).toBe(Math.ceil(53 / MAX_HEATMAP_BANDS));
    expect(h.bands.every((b) => b.bucket % width === 0)).toBe(true);
    expect(h.columns[0].counts.reduce((a, b) => a + b, 0)).toBe(3);
    // one more count in the same range: the same bands
    expect(latencyHeatmap([...rows, { minute: T0 + MINUTE_US, bucket: 20, count: 1 }], window).bands).toEqual(h.bands);
  });

  it('an empty window: every minute, no band', () => {
    const h = latencyHeatmap([], window);
    expect(h.columns).toHaveLength(4);
    expect(h.bands).toEqual([]);
    expect(h).toMatchObject({ maxCount: 0, total: 0 });
  });

  it('orders come from the order roll-up rows of the order itself, not its stages, and negated rows cancel', () => {
    const b = bucketOf(50_000);
    const rows = orderLatencyCounts([
      { minute: T0, stage: ORDER_STAGE, bucket: b, orders: 2, failed: 0, offsetUs: 0 },
      { minute: T0, stage: 'payment', bucket: b + 4, orders: 2, failed: 0, offsetUs: 10 },
      { minute: T0, stage: ORDER_STAGE, bucket: b + 1, orders: 1, failed: 0, offsetUs: 0 },
      { minute: T0, stage: ORDER_STAGE, bucket: b + 1, orders: -1, failed: 0, offsetUs: 0 },
    ]);
    const h = latencyHeatmap(rows, window);
    expect(h.total).toBe(2);
    expect(h.bands.map((x) => x.bucket)).toEqual([b]);
  });
});
